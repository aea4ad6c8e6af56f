// Check Gradients from the palette: the report becomes an output of the cell that ran backward() (passing for a
// correct graph, failing and naming a wrong customGrad), and that cell's graph gets its failing edge marked.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, extensionId, graphMime, itemsOf, runCells, waitFor, waitForEnd } from './helpers';
import { closeNotebooks, fileNotebook } from './toolsHelpers';

const reportMime = 'application/vnd.backprop.gradcheck+json';

interface Report { ok: boolean; failingOps: string[]; params: { name: string; ok: boolean }[] }
interface Snapshot { nodes: { id: string; op?: string }[]; edges: { to: string; check?: 'pass' | 'fail' }[] }

suite('Backprop gradient check', () => {
  let nb: vscode.NotebookDocument;
  // one notebook for the suite: a correct graph, a wrong customGrad, two leaves
  suiteSetup(async () => {
    nb = await fileNotebook(
      'const model = new nn.MLP([2, 3, 1], { activation: "tanh", seed: 2 });',
      'const loss = model.forward(tensor([[1, -1], [0.5, 2]])).square().mean();\nloss.backward();',
      'const unrelated = 1;',
      [
        'const cube = customGrad(function cubeOp(x: Tensor) {',
        '  return { value: x.pow(3), gradFunc: (dy: Tensor) => dy.mul(x.square()) };',
        '});',
        'const p = tensor([0.5, -0.3], { requiresGrad: true });',
        'cube(p).sum().backward();',
      ].join('\n'),
      'const a = tensor([1, 2], { requiresGrad: true });\nconst b = tensor([3, 4], { requiresGrad: true });\na.mul(b).sum().backward();',
    );
  });
  suiteTeardown(closeNotebooks);

  test('a correct graph gets a passing report under the cell that ran backward()', async () => {
    await runCells(nb, 0, 3);
    await waitForEnd(nb.cellAt(2));
    const result = await vscode.commands.executeCommand<{ passed?: boolean; cellIndex?: number }>('backprop.checkGradients');
    assert.equal(result?.passed, true);
    assert.equal(result?.cellIndex, 1);
    const cell = nb.cellAt(1);
    const reports = itemsOf(cell, reportMime).map((t) => JSON.parse(t) as Report);
    assert.equal(reports.length, 1);
    assert.equal(reports[0].ok, true);
    assert.equal(reports[0].params.length, 4);
    assert.match(itemsOf(cell, 'text/markdown').join(''), /Gradient check: ✓ passed/);
    await waitFor('the cell to count as run successfully again', () => cell.executionSummary?.success === true);
    // a second check replaces the report rather than adding one
    await vscode.commands.executeCommand('backprop.checkGradients');
    assert.equal(itemsOf(cell, reportMime).length, 1);
  });

  test('a wrong customGrad fails, is named, and its edge in the cell\'s graph is marked failing', async () => {
    await runCells(nb, 3);
    await waitForEnd(nb.cellAt(3));
    const result = await vscode.commands.executeCommand<{ passed?: boolean }>('backprop.checkGradients');
    assert.equal(result?.passed, false);
    const cell = nb.cellAt(3);
    const [report] = itemsOf(cell, reportMime).map((t) => JSON.parse(t) as Report);
    assert.deepEqual(report.failingOps, ['cubeOp']);
    assert.match(itemsOf(cell, 'text/markdown').join(''), /wrong gradient rule/);
    const graphs = itemsOf(cell, graphMime).map((t) => JSON.parse(t) as Snapshot);
    assert.equal(graphs.length, 1, 'the graph output is replaced, not added');
    const failing = graphs[0].edges.filter((e) => e.check === 'fail');
    assert.equal(failing.length, 1);
    assert.equal(graphs[0].nodes.find((n) => n.id === failing[0].to)?.op, 'cubeOp');
    // the renderer draws that edge with a ✗ (and red)
    const renderers = (vscode.extensions.getExtension(extensionId)?.packageJSON as { contributes?: { notebookRenderer?: unknown[] } }).contributes?.notebookRenderer;
    if (renderers?.length) {
      const { rendererMessages } = await api();
      await vscode.window.showNotebookDocument(nb, { selections: [new vscode.NotebookRange(3, 4)] });
      await waitFor('the renderer to draw the failing edge', () => rendererMessages.some((m) => m.notebook === nb.uri.toString()
        && ((m.message as { edgeLabels?: string[] }).edgeLabels ?? []).some((l) => l.startsWith('✗'))), 30_000);
    }
  });

  test('Check Gradient of Variable… checks one parameter', async () => {
    await runCells(nb, 4);
    await waitForEnd(nb.cellAt(4));
    const result = await vscode.commands.executeCommand<{ passed?: boolean; report?: Report }>('backprop.checkVariableGradient', { expression: 'b' });
    assert.equal(result?.passed, true);
    assert.deepEqual(result?.report?.params.map((p) => p.name), ['b']);
  });

  test('Check Gradient of Variable… checks a parameter whose gradient came from an earlier backward(), naming cells by [n]', async () => {
    // p gets its gradient from cell 3's backward(), cell 4's comes after; run again, cell 3's execution count is
    // no longer its position
    await runCells(nb, 3);
    await waitForEnd(nb.cellAt(3));
    await runCells(nb, 4);
    await waitForEnd(nb.cellAt(4));
    const p = nb.cellAt(3);
    const result = await vscode.commands.executeCommand<{ passed?: boolean; error?: string; cellIndex?: number; message?: string; report?: Report }>(
      'backprop.checkVariableGradient', { expression: 'p' });
    assert.equal(result?.error, undefined);
    assert.equal(result?.passed, false, 'the wrong customGrad of that backward() is caught');
    assert.deepEqual(result?.report?.params.map((r) => r.name), ['p']);
    assert.equal(result?.cellIndex, 3, 'the report goes under the cell of that backward()');
    const order = p.executionSummary?.executionOrder;
    assert.ok(order !== undefined && order !== p.index + 1, `the execution count (${order}) differs from the position (${p.index + 1})`);
    assert.match(result?.message ?? '', new RegExp(`report under cell \\[${order}\\]`));
    assert.match(itemsOf(p, 'text/markdown').join(''), new RegExp(`backward\\(\\) of cell \\[${order}\\]`));
  });
});
