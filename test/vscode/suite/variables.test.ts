// The Backprop Variables view lists the kernel's variables after each cell: tensors with shape and gradient norm,
// modules with their parameters, tensors expanding into statistics.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VariableNode } from '../../../extension/variablesView';
import { api, runCells, waitFor, waitForEnd } from './helpers';
import { closeNotebooks, fileNotebook } from './toolsHelpers';

suite('Backprop variables view', () => {
  suiteTeardown(closeNotebooks);

  test('lists the tensors after a cell runs, with their gradient norms, and refreshes after the next', async () => {
    const { tools } = await api();
    const view = tools.variables;
    const nb = await fileNotebook(
      'const w = tensor([3, 4], { requiresGrad: true });\nw.square().sum().backward();\nconst model = new nn.Linear(2, 1, { seed: 1 });\nconst note = "hi";',
      'const later = zeros([2, 2]);',
    );
    // the view lists variables while it is shown
    await vscode.commands.executeCommand('backprop.variables.focus');
    await vscode.window.showNotebookDocument(nb);
    await runCells(nb, 0);
    await waitForEnd(nb.cellAt(0));
    const names = () => view.getChildren().filter((n): n is Extract<VariableNode, { kind: 'variable' }> => n.kind === 'variable').map((n) => n.info.name);
    await waitFor('the view to list w', () => names().includes('w'));
    assert.deepEqual(names(), ['w', 'model', 'note']);
    const w = view.getChildren().find((n) => n.kind === 'variable' && n.info.name === 'w')!;
    const item = view.getTreeItem(w);
    assert.match(String(item.description), /Tensor \[2\] · ‖∇‖ 10/);
    assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const stats = view.getChildren(w).map((n) => (n.kind === 'stat' ? `${n.label}=${n.description}` : ''));
    assert.ok(stats.includes('norm=5'), stats.join(' '));
    assert.ok(stats.includes('grad norm=10'), stats.join(' '));
    const model = view.getChildren().find((n) => n.kind === 'variable' && n.info.name === 'model')!;
    assert.deepEqual(view.getChildren(model).map((n) => (n.kind === 'variable' ? n.info.name : '')), ['weight', 'bias']);
    // a click opens the variable's description beside the notebook
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const tab = await waitFor('the details panel', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Backprop: w'));
    await vscode.window.tabGroups.close(tab);
    await vscode.window.showNotebookDocument(nb);
    await runCells(nb, 1);
    await waitForEnd(nb.cellAt(1));
    await waitFor('the view to list the new tensor', () => names().includes('later'));
  });

  test('empties at once after Restart Kernel and on a New Notebook, without collapsing the view', async () => {
    const { tools } = await api();
    const view = tools.variables;
    const names = () => view.getChildren().filter((n): n is Extract<VariableNode, { kind: 'variable' }> => n.kind === 'variable').map((n) => n.info.name);
    const notes = () => view.getChildren().flatMap((n) => (n.kind === 'message' ? [n.text] : []));
    const nb = await fileNotebook('const kept = tensor([1, 2]);');
    await vscode.commands.executeCommand('backprop.variables.focus');
    await vscode.window.showNotebookDocument(nb);
    await runCells(nb, 0);
    await waitForEnd(nb.cellAt(0));
    await waitFor('the view to list kept', () => names().includes('kept'));
    await vscode.commands.executeCommand('backprop.restartKernel');
    await waitFor('the view to drop the variables of the old kernel', () => !names().includes('kept'), 10_000);
    await waitFor('the view to list the new kernel\'s (none yet)', () => notes().includes('No variables yet.'), 10_000);
    await runCells(nb, 0);
    await waitForEnd(nb.cellAt(0));
    await waitFor('the view to list kept again', () => names().includes('kept'));
    const fresh = await vscode.commands.executeCommand<vscode.NotebookDocument>('backprop.newNotebook');
    await waitFor('the view to show the new notebook (no kernel yet)', () => view.notebook === fresh && names().length === 0, 10_000);
    assert.match(notes().join(' '), /No running Backprop kernel/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
