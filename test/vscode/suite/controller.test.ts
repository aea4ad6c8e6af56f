// The Backprop controller on a real .ipynb from the test workspace: preferred kernel, Run All, every kind of output.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { kernelspecName } from '../../../extension/controller';
import {
  api, closeActiveEditorWithoutSaving, errorMime, extensionId, graphMime, itemsOf, resultText, stderr, stdout, waitFor,
  waitForEnd, workspaceFile,
} from './helpers';

suite('Backprop controller on basics.ipynb', () => {
  let notebook: vscode.NotebookDocument;

  test('the extension activates in VS Code 1.100 and registers its commands', async () => {
    assert.match(vscode.version, /^1\.100\./);
    await api();
    assert.ok(vscode.extensions.getExtension(extensionId)?.isActive);
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['backprop.newNotebook', 'backprop.restartKernel', 'backprop.interruptKernel']) assert.ok(commands.includes(c), c);
  });

  test('the ipynb kernelspec is found where VS Code keeps it', async () => {
    notebook = await vscode.workspace.openNotebookDocument(workspaceFile('basics.ipynb'));
    assert.equal(notebook.notebookType, 'jupyter-notebook');
    assert.equal(kernelspecName(notebook), 'backprop-ts');
    assert.equal(notebook.cellAt(1).document.languageId, 'typescript');
  });

  test('shown, it gets the Backprop kernel selected over another one; Run All runs every cell there', async () => {
    // A second kernel for the same notebook type: without the preference VS Code would ask which one to use.
    const other = vscode.notebooks.createNotebookController('suite-other', 'jupyter-notebook', 'Some Other Kernel');
    let otherRuns = 0;
    other.executeHandler = () => { otherRuns++; };
    try {
      const { isSelected } = await api();
      await vscode.window.showNotebookDocument(notebook);
      await waitFor('the Backprop kernel to be selected', () => isSelected(notebook), 15_000);
      const ran = vscode.commands.executeCommand('notebook.execute');
      const finished = await Promise.race([ran.then(() => true), new Promise((r) => setTimeout(() => r(false), 45_000))]);
      if (!finished) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      assert.ok(finished, 'Run All finished without asking for a kernel');
      assert.equal(otherRuns, 0, 'the other kernel ran nothing');
      for (const i of [1, 2, 3]) await waitForEnd(notebook.cellAt(i));
    } finally {
      other.dispose();
    }
  });

  test('streams become one stdout output, the last expression an execute result', () => {
    const cell = notebook.cellAt(1);
    assert.equal(cell.executionSummary?.success, true);
    assert.equal(stdout(cell), 'hello from a cell\nanswer = 21\n');
    assert.equal(cell.outputs.filter((o) => o.metadata?.outputType === 'stream').length, 1);
    assert.equal(resultText(cell), '42');
    assert.equal(cell.outputs.at(-1)?.metadata?.outputType, 'execute_result');
  });

  test('execution order counts up and timing is recorded', () => {
    const [a, b] = [notebook.cellAt(1).executionSummary, notebook.cellAt(2).executionSummary];
    assert.ok(a?.executionOrder && b?.executionOrder && b.executionOrder === a.executionOrder + 1, JSON.stringify([a, b]));
    assert.ok(a.timing && a.timing.endTime >= a.timing.startTime);
  });

  test('two backward() calls in a cell leave one graph output, updated in place', () => {
    const cell = notebook.cellAt(2);
    assert.equal(cell.executionSummary?.success, true, JSON.stringify(cell.outputs.map((o) => o.items.map((i) => i.mime))));
    const graphs = itemsOf(cell, graphMime);
    assert.equal(graphs.length, 1, 'one graph output');
    const snapshot = JSON.parse(graphs[0]) as { version: number; step: number; nodes: unknown[]; edges: unknown[] };
    assert.equal(snapshot.version, 1);
    assert.equal(snapshot.step, 2, 'the graph of the second backward()');
    assert.ok(snapshot.nodes.length >= 3 && snapshot.edges.length >= 2);
    const graphOutput = cell.outputs.find((o) => o.items.some((i) => i.mime === graphMime));
    assert.ok(graphOutput?.items.some((i) => i.mime === 'text/plain'), 'the graph also carries text/plain');
    assert.equal(stdout(cell), 'dp = 13\n');
  });

  test('a throwing cell shows stderr and an error whose stack points into the cell', () => {
    const cell = notebook.cellAt(3);
    assert.equal(cell.executionSummary?.success, false);
    assert.equal(stderr(cell), 'about to fail\n');
    const errors = itemsOf(cell, errorMime).map((t) => JSON.parse(t) as { name: string; message: string; stack?: string });
    assert.equal(errors.length, 1);
    assert.equal(errors[0].name, 'Error');
    assert.equal(errors[0].message, 'boom');
    assert.match(errors[0].stack ?? '', /fail/);
    assert.doesNotMatch(errors[0].stack ?? '', /dist[\\/]kernel\.js|node:internal/, 'kernel frames are removed');
  });

  test('the graph renderer drew the graph in the notebook', async function () {
    const renderers = (vscode.extensions.getExtension(extensionId)?.packageJSON as { contributes?: { notebookRenderer?: { id: string }[] } })
      .contributes?.notebookRenderer ?? [];
    assert.ok(renderers.some((r) => r.id === 'backprop-graph'), 'package.json contributes the backprop-graph renderer');
    const { rendererMessages } = await api();
    const uri = notebook.uri.toString();
    await vscode.window.showNotebookDocument(notebook, { selections: [new vscode.NotebookRange(2, 3)] });
    // the renderer posts { type: 'rendered', step, nodes, edges, ... } after each draw (renderer/messages.ts)
    const drawn = await waitFor('the backprop-graph renderer to draw the second backward()', () => rendererMessages
      .map((m) => m.message as { type?: string; step?: number; nodes?: number; edges?: number })
      .find((m, i) => rendererMessages[i].notebook === uri && m.type === 'rendered' && m.step === 2), 30_000);
    assert.ok((drawn.nodes ?? 0) >= 2 && (drawn.edges ?? 0) >= 2, JSON.stringify(drawn));
  });
});

suite('Saved outputs', () => {
  test('a run notebook saves as nbformat: stream, execute_result, display_data with the graph, error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-saved-'));
    const file = join(dir, 'saved.ipynb');
    copyFileSync(workspaceFile('basics.ipynb').fsPath, file);
    const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
    await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('notebook.selectKernel', { id: 'backprop-ts', extension: extensionId });
    await vscode.commands.executeCommand('notebook.execute');
    for (const i of [1, 2, 3]) await waitForEnd(notebook.cellAt(i));
    assert.ok(await notebook.save(), 'saved');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { metadata: { kernelspec: { name: string } }; cells: { outputs?: Record<string, unknown>[]; execution_count?: number | null }[] };
    assert.equal(saved.metadata.kernelspec.name, 'backprop-ts');
    const [, streams, graph, error] = saved.cells;
    assert.deepEqual(streams.outputs?.map((o) => o.output_type), ['stream', 'execute_result']);
    assert.equal(streams.outputs?.[0].name, 'stdout');
    const text = (streams.outputs?.[1].data as Record<string, unknown>)['text/plain'];   // nbformat: a string or lines
    assert.equal(Array.isArray(text) ? text.join('') : text, '42');
    assert.equal(streams.outputs?.[1].execution_count, streams.execution_count);
    const display = graph.outputs?.find((o) => o.output_type === 'display_data');
    const data = display?.data as Record<string, unknown> | undefined;
    assert.ok(data?.[graphMime] && data['text/plain'], JSON.stringify(graph.outputs).slice(0, 300));
    const err = error.outputs?.find((o) => o.output_type === 'error');
    assert.equal(err?.ename, 'Error');
    assert.equal(err?.evalue, 'boom');
    await closeActiveEditorWithoutSaving();
    rmSync(dir, { recursive: true, force: true });
  });
});
