// A kernel killed while the extension waits on it: a running cell, a hover (inspect), a gradient check and a graph
// export are each reported or rejected within a second, not left waiting for a reply that never comes.
import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, errorMime, itemsOf, runCells, stdout, waitFor, waitForEnd } from './helpers';
import { closeNotebooks, fileNotebook } from './toolsHelpers';

/** The kernel answers requests between cells: a loop in a timer callback, once its cell has ended, holds them. */
const HOLD_THE_THREAD = 'setTimeout(() => { for (;;) {} }, 0);';

/** Same as test/unit/helpers/kernelProcess.ts: a backward() whose gradient check takes seconds. */
const SLOW_TO_CHECK_CELL = [
  'const W = randn([300, 300], { seed: 3 }).mul(0.05).requiresGrad_();',
  'let h = randn([300, 300], { seed: 4 });',
  'for (let i = 0; i < 30; i++) h = h.matmul(W).tanh();',
  'h.sum().backward();',
].join('\n');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function hoverText(cell: vscode.NotebookCell, line: number, character: number): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', cell.document.uri, new vscode.Position(line, character));
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n---\n');
}

suite('Backprop kernel killed under a pending request', () => {
  let nb: vscode.NotebookDocument;
  suiteSetup(async () => {
    nb = await fileNotebook(
      'const w = tensor([1, 2, 3], { requiresGrad: true });\nw.square().sum().backward();',
      HOLD_THE_THREAD,
      SLOW_TO_CHECK_CELL,
      "console.log('looping');\nfor (;;) {}",
      // what V8 does when the heap is full, without filling 4 GB of it here (test/unit/tensorMemory.test.ts runs
      // the real thing under --max-old-space-size through the same client): its line on stderr, then abort
      "require('fs').writeSync(2, 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\\n');\nprocess.abort();",
    );
  });
  suiteTeardown(closeNotebooks);

  /** SIGKILLs the notebook's kernel once `pending` has waited a while; the time `pending` then takes to settle. */
  async function killDuring<T>(pending: Thenable<T>, waitMs = 400): Promise<{ ms: number; value?: T; error?: unknown }> {
    const { kernelPid } = await api();
    let settled = false;
    const outcome = Promise.resolve(pending).then((value) => ({ value }), (error: unknown) => ({ error }));
    void outcome.then(() => { settled = true; });
    await sleep(waitMs);
    assert.equal(settled, false, 'still waiting on the kernel');
    const killedAt = Date.now();
    process.kill(kernelPid(nb)!, 'SIGKILL');
    const result = await outcome;
    return { ms: Date.now() - killedAt, ...result };
  }

  test('a running cell ends with KernelDied within a second', async () => {
    void runCells(nb, 3);
    // its output says the loop runs in the kernel (`busy` alone could mean the kernel is still starting)
    await waitFor('the loop to run', () => stdout(nb.cellAt(3)).includes('looping'));
    const { ms } = await killDuring(waitForEnd(nb.cellAt(3)));
    assert.ok(ms < 1000, `reported ${ms} ms after the kill`);
    const [died] = itemsOf(nb.cellAt(3), errorMime).map((t) => JSON.parse(t) as { name: string; message: string });
    assert.equal(died?.name, 'KernelDied');
    assert.match(died.message, /kernel process died \(signal SIGKILL\): it may have been killed for using too much memory/);
  });

  test("a kernel that ran out of heap shows V8's reason on its cell", async () => {
    await runCells(nb, 4);
    await waitForEnd(nb.cellAt(4));
    const [died] = itemsOf(nb.cellAt(4), errorMime).map((t) => JSON.parse(t) as { name: string; message: string });
    assert.equal(died?.name, 'KernelDied');
    assert.match(died.message, /kernel process died \(signal SIGABRT\): FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory/);
  });

  test('a hover waiting on the kernel says it died within a second', async () => {
    await runCells(nb, 0);
    await waitForEnd(nb.cellAt(0));
    // a first hover while the kernel answers: VS Code's TypeScript hover, asked at the same time, is warm after it
    assert.match(await hoverText(nb.cellAt(0), 0, 6), /`Tensor` \[3\]/);
    await runCells(nb, 1);
    await waitForEnd(nb.cellAt(1));
    await sleep(200);
    const { ms, value } = await killDuring(hoverText(nb.cellAt(0), 0, 6));
    assert.ok(ms < 1000, `answered ${ms} ms after the kill`);
    assert.match(value ?? '', /no answer from the kernel \(The kernel process died \(signal SIGKILL\)/);
  });

  test('a gradient check is rejected within a second', async () => {
    await runCells(nb, 2);
    assert.equal((await waitForEnd(nb.cellAt(2), 60_000)).success, true);
    const { ms, error } = await killDuring(vscode.commands.executeCommand('backprop.checkGradients'), 600);
    assert.ok(ms < 1000, `rejected ${ms} ms after the kill`);
    assert.match(String(error), /kernel process died \(signal SIGKILL\)/);
  });

  test('a graph export is rejected within a second', async () => {
    await runCells(nb, 0, 2);
    await waitForEnd(nb.cellAt(1));
    await sleep(200);
    const target = join(mkdtempSync(join(tmpdir(), 'backprop-death-')), 'g.svg');
    const { ms, error } = await killDuring(vscode.commands.executeCommand('backprop.exportGraph', { target }));
    assert.ok(ms < 1000, `rejected ${ms} ms after the kill`);
    assert.match(String(error), /kernel process died \(signal SIGKILL\)/);
  });
});
