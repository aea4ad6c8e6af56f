// Export Graph… writes the last backward()'s graph to a file (SVG, mermaid, DOT, JSON; the path is passed as an
// argument so no dialog opens); Show Computation Graph… appends the graph behind a variable to the cell declaring it.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, extensionId, graphMime, itemsOf, runCells, waitFor, waitForEnd } from './helpers';
import { closeNotebooks, fileNotebook } from './toolsHelpers';

suite('Backprop graph export', () => {
  let nb: vscode.NotebookDocument;
  suiteSetup(async () => {
    nb = await fileNotebook(
      'const x = tensor([1, 2], { requiresGrad: true, name: "x" });\nconst y = x.mul(x).sum();\ny.backward();',
      'const a = tensor([1, 2], { requiresGrad: true });',
      'const b = a.mul(3).sum();',
      '1 + 1',
    );
    await runCells(nb, 0, 4);
    await waitForEnd(nb.cellAt(3));
  });
  suiteTeardown(closeNotebooks);

  test('exports the last graph as SVG, DOT, mermaid and JSON files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backprop-export-'));
    for (const [file, pattern] of [['g.svg', /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/], ['g.dot', /^digraph backprop \{/], ['g.mmd', /^flowchart RL/], ['g.json', /^\{\n {2}"version": 1/]] as const) {
      const target = join(dir, file);
      const result = await vscode.commands.executeCommand<{ path?: string; error?: string }>('backprop.exportGraph', { target });
      assert.equal(result?.error, undefined);
      assert.equal(result?.path, target);
      const text = readFileSync(target, 'utf8');
      assert.match(text, pattern, file);
      assert.match(text, /x/);
    }
    assert.match(readFileSync(join(dir, 'g.svg'), 'utf8'), /‖g‖ /, 'edges carry their gradient');
  });

  test('the edge label setting reaches the graph renderer', async function () {
    const renderers = (vscode.extensions.getExtension(extensionId)?.packageJSON as { contributes?: { notebookRenderer?: { id: string }[] } })
      .contributes?.notebookRenderer ?? [];
    assert.ok(renderers.some((r) => r.id === 'backprop-graph'), 'package.json contributes the backprop-graph renderer');
    const { rendererMessages } = await api();
    const uri = nb.uri.toString();
    const labels = () => rendererMessages.filter((m) => m.notebook === uri)
      .flatMap((m) => (m.message as { type?: string; edgeLabels?: string[] }).edgeLabels ?? []);
    await vscode.window.showNotebookDocument(nb, { selections: [new vscode.NotebookRange(0, 1)] });
    await waitFor('the graph to be drawn', () => labels().some((l) => l.includes('∇')), 30_000);
    const config = vscode.workspace.getConfiguration('backprop.graph');
    try {
      await config.update('edgeLabel', 'mean', vscode.ConfigurationTarget.Global);
      await waitFor('the graph to be redrawn with means on its edges', () => labels().some((l) => l.startsWith('mean ∇')), 30_000);
    } finally {
      await config.update('edgeLabel', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('a graph made under a non-default setting is drawn with it the first time, and only once', async () => {
    const renderers = (vscode.extensions.getExtension(extensionId)?.packageJSON as { contributes?: { notebookRenderer?: { id: string }[] } })
      .contributes?.notebookRenderer ?? [];
    assert.ok(renderers.some((r) => r.id === 'backprop-graph'), 'the extension contributes the graph renderer');
    const config = vscode.workspace.getConfiguration('backprop.graph');
    await config.update('edgeLabel', 'values', vscode.ConfigurationTarget.Global);
    try {
      const { rendererMessages } = await api();
      const since = rendererMessages.length;
      await runCells(nb, 0);
      await waitForEnd(nb.cellAt(0));
      const [g] = itemsOf(nb.cellAt(0), graphMime).map((t) => JSON.parse(t) as { id: string; display?: { edgeLabel?: string } });
      assert.equal(g.display?.edgeLabel, 'values', 'the output carries the setting');
      type Drawn = { type?: string; snapshotId?: string; display?: { edgeLabel?: string } };
      const draws = () => rendererMessages.slice(since).map((m) => m.message as Drawn).filter((m) => m.type === 'rendered' && m.snapshotId === g.id);
      await waitFor('the new graph to be drawn', () => draws().length > 0, 30_000);
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(draws().map((m) => m.display?.edgeLabel), ['values'], 'one draw, with the setting');
    } finally {
      await config.update('edgeLabel', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Show Computation Graph… appends the graph behind a variable to the cell that declares it, shows that cell and says so', async () => {
    const editor = vscode.window.activeNotebookEditor!;
    assert.equal(editor.notebook, nb);
    // look elsewhere first: the last cell, selected
    editor.selections = [new vscode.NotebookRange(3, 4)];
    const result = await vscode.commands.executeCommand<{ cellIndex?: number; message?: string }>('backprop.showGraph', { expression: 'b' });
    assert.equal(result?.cellIndex, 2);
    assert.deepEqual(editor.selections.map((r) => [r.start, r.end]), [[2, 3]], 'the cell with the new graph is selected');
    await waitFor('the cell to be in view', () => editor.visibleRanges.some((r) => r.start <= 2 && 2 < r.end));
    const order = nb.cellAt(2).executionSummary?.executionOrder;
    assert.match(result?.message ?? '', new RegExp(`graph behind b is shown under cell \\[${order}\\]`));
    const [g] = itemsOf(nb.cellAt(2), graphMime).map((t) => JSON.parse(t) as { nodes: { op?: string }[] });
    assert.deepEqual(g.nodes.map((n) => n.op).filter(Boolean), ['sum', 'mul']);
  });
});
