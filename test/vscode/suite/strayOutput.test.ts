// Errors nobody catches and floods of text, seen in VS Code's cells: a rejected promise fails its cell, a late timer
// error shows in the next cell, and backprop.output.maxBytesPerCell bounds a cell's text with one note.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeActiveEditorWithoutSaving, errorMime, itemsOf, resultText, runCells, stderr, stdout, untitledNotebook, waitForEnd } from './helpers';

suite('Backprop errors and output bounds', () => {
  teardown(async () => {
    await vscode.workspace.getConfiguration('backprop').update('output.maxBytesPerCell', undefined, vscode.ConfigurationTarget.Global);
    while (vscode.window.activeNotebookEditor) await closeActiveEditorWithoutSaving();
  });

  test('a rejected promise nobody awaits fails its cell; a timer error after its cell ended shows in the next cell', async () => {
    const nb = await untitledNotebook(
      "Promise.reject(new Error('x'));\n1",
      "setTimeout(() => { throw new Error('late'); }, 50);\n'quick'",
      '1 + 1',
    );
    await runCells(nb, 0);
    assert.equal((await waitForEnd(nb.cellAt(0))).success, false);
    assert.deepEqual(itemsOf(nb.cellAt(0), errorMime).map((t) => (JSON.parse(t) as { message: string }).message), ['x']);
    await runCells(nb, 1);
    assert.equal((await waitForEnd(nb.cellAt(1))).success, true);
    await new Promise((r) => setTimeout(r, 200));
    await runCells(nb, 2);
    assert.equal((await waitForEnd(nb.cellAt(2))).success, true, 'the next cell does not fail');
    assert.match(stderr(nb.cellAt(2)), /^Uncaught Error: late\n[^]*by code of cell\[2\], after that cell ended/);
    assert.equal(resultText(nb.cellAt(2)), '2');
  });

  test('backprop.output.maxBytesPerCell bounds a cell\'s text with one note; a display after it still shows', async () => {
    await vscode.workspace.getConfiguration('backprop').update('output.maxBytesPerCell', 2048, vscode.ConfigurationTarget.Global);
    const nb = await untitledNotebook("for (let i = 0; i < 1000; i++) console.log('y'.repeat(99));\ndisplay({ 'text/plain': 'after the flood' });\n'done'");
    await runCells(nb, 0);
    const cell = nb.cellAt(0);
    assert.equal((await waitForEnd(cell)).success, true);
    assert.equal(stdout(cell), 'y'.repeat(99).concat('\n').repeat(20) + 'y'.repeat(48), 'the first 2048 bytes');
    const plain = itemsOf(cell, 'text/plain');
    assert.deepEqual(plain.slice(0, 2), [
      `output truncated: ${1000 * 100 - 2048} more bytes not shown (backprop.output.maxBytesPerCell: a cell keeps 2048 bytes of text; backprop-nb: --max-output-mb)`,
      'after the flood',
    ]);
    assert.equal(resultText(cell), "'done'");
  });
});
