// The kernel's life seen from VS Code: interrupt, death, restart, settings, and the New Notebook command.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  api, closeActiveEditorWithoutSaving, errorMime, graphMime, itemsOf, kernelspec, resultText, runCells, stdout,
  untitledNotebook, waitFor, waitForEnd,
} from './helpers';

suite('Backprop kernel lifecycle', () => {
  teardown(async () => {
    await vscode.workspace.getConfiguration('backprop').update('matmulThreads', undefined, vscode.ConfigurationTarget.Global);
    while (vscode.window.activeNotebookEditor) await closeActiveEditorWithoutSaving();
  });

  test('interrupt stops a looping cell, cancels the queued one, and the variables survive', async () => {
    const { kernelPid, kernelState } = await api();
    const nb = await untitledNotebook("const kept = 'set before the loop';", 'let spins = 0;\nwhile (true) spins++;', 'kept');
    await runCells(nb, 0);
    assert.equal((await waitForEnd(nb.cellAt(0))).success, true);
    const pid = kernelPid(nb);
    const run = runCells(nb, 1, 3);
    await waitFor('the loop to run', () => kernelState(nb) === 'busy');
    await new Promise((r) => setTimeout(r, 500));
    await vscode.commands.executeCommand('notebook.cancelExecution');
    await run;
    assert.equal((await waitForEnd(nb.cellAt(1))).success, false, 'the loop cell ended unsuccessfully');
    assert.deepEqual(itemsOf(nb.cellAt(1), errorMime).map((t) => (JSON.parse(t) as { name: string }).name), ['Interrupted']);
    assert.notEqual(nb.cellAt(2).executionSummary?.success, true, 'the queued cell did not run');
    assert.equal(nb.cellAt(2).outputs.length, 0);
    assert.equal(kernelPid(nb), pid, 'same kernel process');
    await runCells(nb, 2);
    await waitForEnd(nb.cellAt(2));
    assert.match(resultText(nb.cellAt(2)) ?? '', /set before the loop/);
  });

  test('Backprop: Interrupt Kernel stops a running cell too', async () => {
    const { kernelState } = await api();
    const nb = await untitledNotebook('for (;;) {}', '6 * 7');
    const run = runCells(nb, 0);
    await waitFor('the loop to run', () => kernelState(nb) === 'busy');
    await new Promise((r) => setTimeout(r, 500));
    await vscode.commands.executeCommand('backprop.interruptKernel');
    await run;
    assert.equal((await waitForEnd(nb.cellAt(0))).success, false);
    await runCells(nb, 1);
    await waitForEnd(nb.cellAt(1));
    assert.equal(resultText(nb.cellAt(1)), '42');
  });

  test('a kernel that dies is reported on the running cell; the next run starts a new one', async () => {
    const { kernelPid } = await api();
    const nb = await untitledNotebook("process.kill(process.pid, 'SIGKILL');", '1 + 1');
    await runCells(nb, 0);
    const cell = nb.cellAt(0);
    assert.equal((await waitForEnd(cell)).success, false);
    const died = itemsOf(cell, errorMime).map((t) => JSON.parse(t) as { message: string });
    assert.equal(died.length, 1);
    assert.match(died[0].message, /kernel process died \(signal SIGKILL\)/);
    const deadPid = kernelPid(nb);
    await runCells(nb, 1);
    await waitForEnd(nb.cellAt(1));
    assert.equal(resultText(nb.cellAt(1)), '2');
    assert.notEqual(kernelPid(nb), deadPid);
  });

  test('a cell queued behind a failing one is cancelled: it ends unrun, and waiting for it returns', async () => {
    const { cellRunState } = await api();
    const nb = await untitledNotebook('throw new Error("first fails")', 'const neverSet = 1;', 'typeof neverSet');
    await runCells(nb, 0, 2);
    assert.equal((await waitForEnd(nb.cellAt(0))).success, false);
    const cancelled = await waitForEnd(nb.cellAt(1));
    assert.equal(cellRunState(nb.cellAt(1)), 'cancelled');
    assert.equal(cancelled.success, undefined, 'neither passed nor failed');
    assert.equal(nb.cellAt(1).outputs.length, 0);
    await runCells(nb, 2);
    await waitForEnd(nb.cellAt(2));
    assert.equal(resultText(nb.cellAt(2)), "'undefined'");
  });

  test('a kernel that dies between runs is reported in a warning; the next run starts a new one', async () => {
    const { kernelPid, warnings } = await api();
    const nb = await untitledNotebook("setTimeout(() => process.kill(process.pid, 'SIGKILL'), 300);\n'scheduled'", '1 + 2');
    const seen = warnings.length;
    await runCells(nb, 0);
    assert.equal((await waitForEnd(nb.cellAt(0))).success, true);
    const deadPid = kernelPid(nb);
    const warning = await waitFor('the warning', () => warnings.slice(seen).find((w) => /died \(signal SIGKILL\)/.test(w)));
    assert.match(warning, /variables are gone/);
    await runCells(nb, 1);
    await waitForEnd(nb.cellAt(1));
    assert.equal(resultText(nb.cellAt(1)), '3');
    assert.notEqual(kernelPid(nb), deadPid);
  });

  test('Backprop: Restart Kernel gives a fresh process: variables gone, execution count from 1', async () => {
    const { kernelPid } = await api();
    const nb = await untitledNotebook('const r = 5;\nr', 'typeof r');
    await runCells(nb, 0);
    await waitForEnd(nb.cellAt(0));
    assert.equal(resultText(nb.cellAt(0)), '5');
    const before = kernelPid(nb);
    const after = await vscode.commands.executeCommand<number>('backprop.restartKernel');
    assert.ok(after && after !== before && kernelPid(nb) === after);
    await runCells(nb, 1);
    const summary = await waitForEnd(nb.cellAt(1));
    assert.equal(summary.executionOrder, 1);
    assert.match(resultText(nb.cellAt(1)) ?? '', /undefined/);
  });

  test('the backprop.matmulThreads setting reaches a new kernel as BACKPROP_THREADS', async () => {
    await vscode.workspace.getConfiguration('backprop').update('matmulThreads', 3, vscode.ConfigurationTarget.Global);
    const nb = await untitledNotebook('process.env.BACKPROP_THREADS');
    await runCells(nb, 0);
    await waitForEnd(nb.cellAt(0));
    assert.match(resultText(nb.cellAt(0)) ?? '', /^'?3'?$/);
  });

  test('the backprop.kernel.tensorMemoryLimitMB setting caps a new kernel\'s tensors; an op over it fails its cell only', async () => {
    const config = vscode.workspace.getConfiguration('backprop');
    await config.update('kernel.tensorMemoryLimitMB', 64, vscode.ConfigurationTarget.Global);
    try {
      const nb = await untitledNotebook('const kept = ones([3]);\nconst big = zeros([5000, 5000]);', 'kept.sum().item() + getTensorMemoryLimit() / 2 ** 20');
      await runCells(nb, 0);
      await waitForEnd(nb.cellAt(0));
      const [error] = itemsOf(nb.cellAt(0), errorMime).map((t) => JSON.parse(t) as { name: string; message: string });
      assert.equal(error?.name, 'TensorMemoryError');
      assert.match(error.message, /zeros: a float64 tensor of shape \[5000,5000\] needs 190\.7 MB, over the tensor memory limit of 64 MB/);
      await runCells(nb, 1);
      await waitForEnd(nb.cellAt(1));
      assert.equal(resultText(nb.cellAt(1)), '67');
    } finally {
      await config.update('kernel.tensorMemoryLimitMB', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Backprop: New Notebook opens an untitled ipynb for the Backprop kernel whose first cell runs', async () => {
    const nb = await vscode.commands.executeCommand<vscode.NotebookDocument>('backprop.newNotebook');
    assert.ok(nb.isUntitled);
    assert.equal(nb.notebookType, 'jupyter-notebook');
    assert.deepEqual((nb.metadata as { metadata?: { kernelspec?: unknown } }).metadata?.kernelspec, kernelspec);
    assert.equal(vscode.window.activeNotebookEditor?.notebook, nb);
    await vscode.commands.executeCommand('notebook.execute');
    const code = nb.getCells().find((c) => c.kind === vscode.NotebookCellKind.Code);
    assert.ok(code);
    assert.equal((await waitForEnd(code)).success, true, JSON.stringify(itemsOf(code, errorMime)));
    assert.match(stdout(code), /y = 0\.70/);
    assert.equal(itemsOf(code, graphMime).length, 1);
  });
});
