// Hover in a Backprop notebook cell: the kernel inspects the property path under the cursor and the hover shows
// the value and the gradient, with the cell and step of the backward() that produced it; while a cell runs the
// hover says the kernel is busy, at once.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, runCells, waitFor, waitForEnd } from './helpers';
import { closeNotebooks, fileNotebook } from './toolsHelpers';

/** The markdown of every hover VS Code's providers give at that place. */
async function hoverText(cell: vscode.NotebookCell, line: number, character: number): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', cell.document.uri, new vscode.Position(line, character));
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n---\n');
}

suite('Backprop hover', () => {
  let nb: vscode.NotebookDocument;
  suiteSetup(async () => {
    nb = await fileNotebook(
      'const model = new nn.Linear(2, 1, { seed: 1 });\nconst w = tensor([1, 2, 3], { requiresGrad: true });',
      'w.square().sum().backward();\nmodel.forward(tensor([[1, 1]])).sum().backward();',
      'model.weight.grad',
      'const until = Date.now() + 4000;\nwhile (Date.now() < until) {}',
    );
  });
  suiteTeardown(closeNotebooks);

  test('after backward(), hovering a tensor shows its gradient and where it came from', async () => {
    await runCells(nb, 0, 2);
    await waitForEnd(nb.cellAt(1));
    const onW = await hoverText(nb.cellAt(1), 0, 0);
    assert.match(onW, /`Tensor` \[3\] float64/);
    assert.match(onW, /\*\*grad\*\* ‖g‖ = 7\.483: `\[2, 4, 6\]`/);
    assert.match(onW, /from `backward\(\)` in cell \[\d+\], step 1/);
    // a member chain: hovering `weight` inspects `model.weight`
    const cell = nb.cellAt(2);
    const onWeight = await hoverText(cell, 0, 8);
    assert.match(onWeight, /model\\?\.weight/);
    assert.match(onWeight, /\*\*grad\*\* ‖g‖ = 1\.414/);
    const onModel = await hoverText(cell, 0, 2);
    assert.match(onModel, /`Linear` · 2 parameters/);
  });

  test('while a cell runs, the hover says the kernel is busy instead of waiting', async () => {
    const { kernelState } = await api();
    const run = runCells(nb, 3);
    await waitFor('the cell to run', () => kernelState(nb) === 'busy');
    const started = Date.now();
    const text = await hoverText(nb.cellAt(1), 0, 0);
    assert.match(text, /kernel is running a cell/);
    assert.ok(Date.now() - started < 3000, 'answered before the cell ended');
    await run;
    await waitForEnd(nb.cellAt(3));
    await waitFor('the kernel to be idle', () => kernelState(nb) === 'idle');
    assert.match(await hoverText(nb.cellAt(1), 0, 0), /`Tensor` \[3\]/);
  });
});
