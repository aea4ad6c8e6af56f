// Names from the code (kernel/cells/names.ts): a tensor bound to a top-level name of a cell takes that name,
// in the real kernel process (dist/kernel.js).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellOutput, KernelClient } from '../../kernel/client/client';
import { GRAPH_MIME } from '../../kernel/client/protocol';
import type { GraphSnapshot } from '../../kernel/engine';
import { startKernel } from './helpers/kernelProcess';
import { errorOf, result } from './helpers/cellOutputs';

const graphOf = (outputs: CellOutput[]): GraphSnapshot | undefined => {
  const o = outputs.find((x) => x.kind === 'display' && GRAPH_MIME in x.data);
  return o && 'data' in o ? o.data[GRAPH_MIME] as GraphSnapshot : undefined;
};

describe('kernel: tensors take the names of the code', () => {
  let kernel: KernelClient;
  before(async () => { kernel = await startKernel(); });
  after(async () => { await kernel.shutdown(); });

  test('top-level const and let name the tensors of the graph; an intermediate result keeps its op', async () => {
    const r = await kernel.run([
      'const w2 = tensor([1, 2], { requiresGrad: true });',
      'let h = w2.mul(2);',
      'const loss = h.exp().sum();',
      'loss.backward();',
    ].join('\n'));
    assert.equal(r.status, 'ok');
    const g = graphOf(r.outputs);
    assert.ok(g);
    const byOp = (op: string | undefined) => g.nodes.find((n) => n.op === op);
    assert.equal(g.nodes.find((n) => n.kind === 'leaf')?.name, 'w2');
    assert.equal(byOp('mul')?.name, 'h');
    assert.equal(byOp('sum')?.name, 'loss');
    assert.equal(byOp('exp')?.name, undefined, 'an intermediate result is named by its op');
  });

  test('destructuring names every tensor it binds, arrays and objects, nested and with defaults', async () => {
    const r = await kernel.run([
      'const [a, b] = [tensor(1), tensor(2)];',
      'const { c, d: { e }, f = tensor(6) } = { c: tensor(3), d: { e: tensor(5) } };',
      'JSON.stringify([a.name, b.name, c.name, e.name, f.name])',
    ].join('\n'));
    assert.equal(r.status, 'ok');
    assert.equal(result(r), `'["a","b","c","e","f"]'`);
  });

  test('explicit names win, a second name keeps the first, module parameters keep their paths', async () => {
    const r = await kernel.run([
      'const p = tensor(1, { name: "explicit" });',
      'const r = tensor(2);',
      'const s = r;',
      'const model = new nn.Linear(2, 1);',
      'model.namedParameters();',
      'const wt = model.weight;',
      'JSON.stringify([p.name, s.name, wt.name])',
    ].join('\n'));
    assert.equal(r.status, 'ok');
    assert.equal(result(r), `'["explicit","r","weight"]'`);
  });

  test('assignments at the top level name too, for names declared in earlier cells; loops do not', async () => {
    assert.equal((await kernel.run('let z = tensor([-1, 2], { requiresGrad: true });')).status, 'ok');
    const r = await kernel.run([
      'z = z.relu();',
      'let kept;',
      'for (let i = 0; i < 2; i++) { const inner = tensor(i); kept = inner; }',
      'JSON.stringify([z.gradFn, z.name, kept.name ?? null])',
    ].join('\n'));
    assert.equal(r.status, 'ok');
    assert.equal(result(r), `'["relu","z",null]'`);
    // the last statement is an assignment: its value is shown, and it is named
    const last = await kernel.run('z = z.mul(3)');
    assert.match(result(last) ?? '', /6/);
    assert.equal(result(await kernel.run('[z.gradFn, z.name]')), `[ 'mul', 'z' ]`);
  });

  test('re-running a cell names the tensors it makes anew', async () => {
    const cell = 'const fresh = tensor([1, 2]);\nfresh.name';
    assert.equal(result(await kernel.run(cell)), `'fresh'`);
    assert.equal(result(await kernel.run('const before = fresh; before.name')), `'fresh'`);
    assert.equal(result(await kernel.run(cell)), `'fresh'`);
    assert.equal(result(await kernel.run('fresh === before')), 'false');
  });

  test('errors still point at the cell line and column', async () => {
    const r = await kernel.run([
      'const m = tensor([1, 2]);',
      'const bad = m.matmul(tensor([[1, 2, 3]])), other = 1;',
    ].join('\n'));
    const err = errorOf(r);
    assert.ok(err);
    assert.equal(err.line, 2);
    assert.equal(err.column, 15);
  });
});
