// The drawing settings a client sends (`graphDisplay`) come back in every graph output as the snapshot's
// `display`: after backward(), from display(traceGraph(...)), as a cell's value, and in tool replies; without
// them, outputs have no `display`. Drives dist/kernel.js over raw IPC: the settings are a field of the request.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { ensureBuilt, kernelPath } from './helpers/kernelProcess';
import {
  GRAPH_MIME, KERNEL_EXEC_ARGV, type ClientToKernel, type GraphDisplay, type GraphOutput, type KernelToClient, type MimeBundle,
} from '../../kernel/client/protocol';

describe('kernel: drawing settings in graph outputs', () => {
  let child: ChildProcess;
  const received: KernelToClient[] = [];
  let waiters: (() => void)[] = [];

  before(async () => {
    ensureBuilt();
    child = fork(kernelPath, [], { execArgv: [...KERNEL_EXEC_ARGV], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.on('message', (m: KernelToClient) => { received.push(m); for (const w of waiters) w(); });
    await until((m) => m.type === 'ready');
  });
  after(() => { child.kill(); });

  function until(pred: (m: KernelToClient) => boolean): Promise<KernelToClient> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such message from the kernel in 20 s')), 20_000);
      const check = () => {
        const m = received.find(pred);
        if (!m) return;
        clearTimeout(timer);
        waiters = waiters.filter((w) => w !== check);
        resolve(m);
      };
      waiters.push(check);
      check();
    });
  }

  let n = 0;
  /** Runs a cell and gives the GRAPH_MIME data of its outputs, in order. */
  async function graphsOf(code: string, graphDisplay?: GraphDisplay): Promise<GraphOutput[]> {
    const requestId = `d${++n}`;
    child.send({ type: 'execute', requestId, cellId: `c${n}`, code, executionCount: n, graphDisplay } satisfies ClientToKernel);
    const done = await until((m) => m.type === 'done' && m.requestId === requestId);
    assert.equal((done as { status: string }).status, 'ok');
    return received.filter((m): m is Extract<KernelToClient, { data: MimeBundle; requestId: string }> => 'data' in m && 'requestId' in m && m.requestId === requestId && !!m.data && GRAPH_MIME in m.data)
      .map((m) => m.data[GRAPH_MIME] as GraphOutput);
  }

  const CELL = 'const w = tensor([0.5, -1], { requiresGrad: true, name: "w" });\nconst loss = w.mul(w).sum();\nloss.backward();';

  test('each graph output of a run carries the settings sent with it', async () => {
    const display: GraphDisplay = { maxNodes: 12, edgeLabel: 'mean' };
    const [afterBackward] = await graphsOf(CELL, display);
    assert.deepEqual(afterBackward.display, display);
    assert.equal(afterBackward.step, 1);
    assert.ok(afterBackward.nodes.some((node) => node.name === 'w'), 'the snapshot itself is unchanged');
    const shown = await graphsOf('display(traceGraph(loss));\ntraceGraph(loss)', { edgeLabel: 'values' });
    assert.equal(shown.length, 2, 'display() and the value of the cell');
    for (const g of shown) assert.deepEqual(g.display, { edgeLabel: 'values' });
  });

  test('a run without settings makes outputs without them', async () => {
    const [g] = await graphsOf(CELL);
    assert.ok(g && !('display' in g), JSON.stringify(Object.keys(g ?? {})));
  });

  test('graph replies carry the settings of their request', async () => {
    child.send({ type: 'graph', requestId: 'g1', expression: 'loss', graphDisplay: { maxNodes: 5 } } satisfies ClientToKernel);
    const reply = await until((m) => m.type === 'graphReply' && m.requestId === 'g1');
    assert.deepEqual(((reply as { data: MimeBundle }).data[GRAPH_MIME] as GraphOutput).display, { maxNodes: 5 });
    child.send({ type: 'gradientCheck', requestId: 'c1', graphDisplay: { edgeLabel: 'norm' } } satisfies ClientToKernel);
    const check = await until((m) => m.type === 'gradientCheckReply' && m.requestId === 'c1');
    assert.deepEqual(((check as { graph: MimeBundle }).graph[GRAPH_MIME] as GraphOutput).display, { edgeLabel: 'norm' });
  });
});
