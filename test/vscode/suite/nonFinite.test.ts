// A cell whose graph holds a NaN shows a warning naming the op, its input and the cell line, and its graph output
// carries the mark of that node (the renderer outlines it).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { decode, graphMime, runCells, stderr, waitForEnd } from './helpers';
import { closeNotebooks, fileNotebook } from './toolsHelpers';

suite('Backprop non-finite values', () => {
  suiteTeardown(closeNotebooks);

  test('log of a negative: the cell passes with a warning that points at the line of the log() call', async () => {
    const nb = await fileNotebook([
      'const p = tensor([0.5, -1], { requiresGrad: true });',
      'const q = p.mul(2);',
      'const loss = q.log().mean();',
      'loss.backward();',
    ].join('\n'));
    await runCells(nb, 0);
    const summary = await waitForEnd(nb.cellAt(0));
    assert.equal(summary.success, true);
    const text = stderr(nb.cellAt(0));
    assert.match(text, /Warning: NaN in this cell's graph: it was first made by log, called at cell\[\d+\] line 3\./);
    assert.match(text, /log\(-2\) = NaN/);
    const graph = nb.cellAt(0).outputs.flatMap((o) => o.items).find((i: vscode.NotebookCellOutputItem) => i.mime === graphMime);
    assert.ok(graph, 'the graph is shown');
    const mark = (JSON.parse(decode(graph)) as { nonFinite?: { line?: number; op?: string } }).nonFinite;
    assert.equal(mark?.op, 'log');
    assert.equal(mark?.line, 3);
  });
});
