// The tensor memory limit: the engine refuses storage over it with an error naming the op, shape, dtype and bytes;
// freed storage is counted back even inside a synchronous loop; the kernel takes the limit from its environment
// (the VS Code setting, the CLI flag) and survives an op over it; a kernel killed for memory says so.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { KernelClient, KernelDiedError } from '../../kernel/client/client';
import { TENSOR_MEMORY_ENV } from '../../kernel/client/protocol';
import { getTensorMemoryLimit, matmul, ones, randn, setTensorMemoryLimit, tensorMemoryInUse, zeros } from '../../kernel/engine';
import { TensorMemoryError } from '../../kernel/engine/memory';
import { installTensorMemoryLimit, tensorMemoryLimit } from '../../kernel/process/tensorMemory';
import { startKernel } from './helpers/kernelProcess';
import { errorOf, result } from './helpers/cellOutputs';

const MB = 2 ** 20;

/** The kernel's `gc` (it runs with --expose-gc), here borrowed from a context made after setting the flag. */
function exposeGc(): void {
  setFlagsFromString('--expose-gc');
  (globalThis as { gc?: unknown }).gc = runInNewContext('gc');
}

describe('engine: the tensor memory limit', () => {
  // as in the kernel: gc, and FinalizationRegistry.prototype.cleanupSome
  before(() => { exposeGc(); installTensorMemoryLimit(); setTensorMemoryLimit(null, { hint: '' }); });
  afterEach(() => setTensorMemoryLimit(null));

  test('an allocation over the limit throws, naming the op, shape, dtype, bytes and limit', () => {
    setTensorMemoryLimit(MB);
    assert.throws(() => zeros([512, 512]), (e: unknown) => e instanceof TensorMemoryError && e.op === 'zeros' && e.bytes === 2 * MB &&
      /^zeros: a float64 tensor of shape \[512,512\] needs 2 MB, over the tensor memory limit of 1 MB \(.* in use by other tensors\)\. Raise it with setTensorMemoryLimit\(bytes\)\.$/.test(e.message));
    const a = randn([600, 1], { dtype: 'float32' }), b = randn([1, 600], { dtype: 'float32' });
    assert.throws(() => matmul(a, b), /^TensorMemoryError: matmul: a float32 tensor of shape \[600,600\] needs 1\.4 MB/);
    assert.equal(a.sum().size, 1, 'smaller ops still run');
    setTensorMemoryLimit(MB, { hint: 'Ask the admin.' });
    assert.throws(() => zeros([600, 600], { dtype: 'float32' }), /needs 1.4 MB, over the tensor memory limit of 1 MB .*\. Ask the admin\.$/);
  });

  test('a gradient rule over the limit is named as such', () => {
    const x = randn([300, 300], { requiresGrad: true });
    const y = x.relu().sum();
    // sum's rule broadcasts the seed to [300,300] (703 KB, kept for relu's rule), then relu's rule needs as much
    setTensorMemoryLimit(MB);
    assert.throws(() => y.backward(), /^TensorMemoryError: relu gradient: a float64 tensor of shape \[300,300\] needs 703\.1 KB, over the tensor memory limit of 1 MB \(703\.1 KB in use/);
    assert.equal(x.grad, null, 'no gradient half-written');
  });

  test('the limit is validated, read back and removed with null', () => {
    assert.throws(() => setTensorMemoryLimit(-1), /setTensorMemoryLimit: expected a positive number of bytes or null, got -1/);
    assert.throws(() => setTensorMemoryLimit(Number.NaN), /got NaN/);
    setTensorMemoryLimit(3 * MB);
    assert.equal(getTensorMemoryLimit(), 3 * MB);
    setTensorMemoryLimit(null);
    assert.equal(getTensorMemoryLimit(), null);
    assert.equal(zeros([1024, 1024]).size, 1024 * 1024);
  });

  test('live tensors count against the limit; freed ones are counted back inside one synchronous loop', () => {
    setTensorMemoryLimit(16 * MB);
    const kept = [ones([256, 1024]), ones([256, 1024])];
    assert.ok(tensorMemoryInUse() >= 4 * MB);
    // 2,000 short-lived 1 MB tensors, 125 times the limit, in one synchronous run
    let total = 0;
    for (let i = 0; i < 2000; i++) total += zeros([128, 1024]).add(1).size;
    assert.equal(total, 2000 * 128 * 1024);
    // never over the limit: an allocation that would go over first collects the freed ones (it may end right at it)
    assert.ok(tensorMemoryInUse() <= 16 * MB, `${tensorMemoryInUse()} bytes counted`);
    const held = [];
    assert.throws(() => { for (;;) held.push(zeros([128, 1024])); }, TensorMemoryError);
    assert.ok(held.length >= 11 && held.length <= 12, `${held.length} tensors of 1 MB held under 16 MB besides 4 MB`);
    assert.equal(kept[0].size, 256 * 1024);
  });
});

describe('kernel: the tensor memory limit from its environment', () => {
  test('a positive number of MB is the limit; otherwise half of the memory', () => {
    assert.equal(tensorMemoryLimit('512'), 512 * MB);
    assert.equal(tensorMemoryLimit('0.5'), MB / 2);
    for (const none of [undefined, '', '0', '-3', 'lots']) {
      const limit = tensorMemoryLimit(none);
      assert.ok(limit > 0 && limit <= totalmem() / 2, `${none}: ${limit}`);
    }
  });
});

describe('kernel: an op over the limit through the kernel client', () => {
  let kernel: KernelClient;
  before(async () => { kernel = await startKernel({ env: { [TENSOR_MEMORY_ENV]: '64' } }); });
  after(async () => { await kernel.shutdown(); });

  test('fails its cell with the op, shape, bytes, limit and how to raise it; the variables survive', async () => {
    assert.equal((await kernel.run('const kept = ones([10]);')).status, 'ok');
    const r = await kernel.run('const big = zeros([5000, 5000]);');
    assert.equal(r.status, 'error');
    const e = errorOf(r)!;
    assert.equal(e.ename, 'TensorMemoryError');
    assert.match(e.evalue, /^zeros: a float64 tensor of shape \[5000,5000\] needs 190\.7 MB, over the tensor memory limit of 64 MB/);
    assert.match(e.evalue, /backprop\.kernel\.tensorMemoryLimitMB .*--tensor-memory-limit <MB>/);
    assert.equal(result(await kernel.run('kept.sum().item()')), '10');
  });

  test('a training loop of short-lived tensors never trips the limit; holding them does', async () => {
    const loop = await kernel.run([
      'const w = randn([256, 256], { requiresGrad: true, seed: 1 });',
      'for (let i = 0; i < 400; i++) { w.grad = null; w.matmul(randn([256, 512])).tanh().sum().backward(); }',
      'tensorMemoryInUse() < 64 * 2 ** 20',
    ].join('\n'));
    assert.equal(loop.status, 'ok', JSON.stringify(errorOf(loop)));
    assert.equal(result(loop), 'true');
    const hold = await kernel.run('const held: Tensor[] = [];\nfor (;;) held.push(zeros([1024, 1024]));');
    assert.equal(errorOf(hold)?.ename, 'TensorMemoryError');
    assert.equal(result(await kernel.run('held.length >= 5 && held.length < 8')), 'true');
  });

  test('a kernel killed by SIGKILL is reported as perhaps killed for memory', async () => {
    const r = await kernel.run('process.kill(process.pid, "SIGKILL");\nawait new Promise(() => {});');
    assert.equal(r.status, 'died');
    assert.match(errorOf(r)!.evalue, /was killed \(SIGKILL\); its variables are lost\..*it may have been killed for using too much memory/);
  });
});

describe('kernel: killed by V8 for its heap, seen through execute() (the extension path)', () => {
  test("the KernelDiedError's message carries V8's reason", async () => {
    const small = await startKernel({ execArgv: ['--max-old-space-size=64'] });
    try {
      const died = await small.execute({ cellId: 'c', executionCount: 1, code: 'const hog: number[][] = [];\nwhile (true) hog.push(new Array(100000).fill(1.5));' }, () => undefined)
        .then(() => assert.fail('the cell ended'), (e: unknown) => e);
      assert.ok(died instanceof KernelDiedError, String(died));
      assert.match(died.message, /^The kernel process died \(signal SIGABRT\): FATAL ERROR: .*heap out of memory\.$/);
    } finally {
      await small.shutdown();
    }
  });
});
