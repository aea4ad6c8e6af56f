// A cell's outputs keep the order the cell made them in: text printed before a backward() stays above its graph,
// text printed after it below.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { decode, graphMime, runCells, waitForEnd } from './helpers';
import { closeNotebooks, fileNotebook } from './toolsHelpers';

/** Each output as 'graph' or its text. */
function outline(cell: vscode.NotebookCell): string[] {
  return cell.outputs.map((o) => (o.items.some((i) => i.mime === graphMime) ? 'graph' : o.items.map(decode).join('')));
}

suite('Backprop output order', () => {
  suiteTeardown(closeNotebooks);

  test('a log before backward() stays above the graph, a log after it below', async () => {
    const nb = await fileNotebook(
      "console.log('first');\nconst w = tensor([1, 2], { requiresGrad: true });\nw.sum().backward();\nconsole.log('after');",
      "console.log('before the loop');\nfor (let i = 0; i < 3; i++) { console.log('step', i); w.sum().backward(); }",
    );
    await runCells(nb, 0, 2);
    await waitForEnd(nb.cellAt(1));
    assert.deepEqual(outline(nb.cellAt(0)), ['first\n', 'graph', 'after\n']);
    assert.deepEqual(outline(nb.cellAt(1)), ['before the loop\nstep 0\n', 'graph', 'step 1\nstep 2\n']);
  });
});
