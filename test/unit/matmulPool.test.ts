// The matmul worker pool's robustness: a worker dying mid-job is replaced and the product is still right; a
// process using the pool exits by itself; BACKPROP_THREADS sets the default thread count.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { gemm, killNextWorkerMidJob, matmulInfo, prepareThreads } from '../../kernel/engine/matmul/index';
import { getNumThreads, setNumThreads } from '../../kernel/engine/matmul/threads';

const root = join(__dirname, '..', '..');
const matmulIndex = JSON.stringify(join(root, 'kernel/engine/matmul/index.ts'));
const matmulThreads = JSON.stringify(join(root, 'kernel/engine/matmul/threads.ts'));

function product(T: Float32ArrayConstructor | Float64ArrayConstructor, m: number, n: number, k: number): Float32Array | Float64Array {
  const a = new T(m * k), b = new T(k * n), out = new T(m * n);
  for (let i = 0; i < a.length; i++) a[i] = Math.sin(i);
  for (let i = 0; i < b.length; i++) b[i] = Math.cos(3 * i);
  gemm(false, true, m, n, k, a, 0, b, 0, out, 0);
  return out;
}

test('a worker killed mid-job is replaced and the product is still exact', () => {
  const saved = getNumThreads();
  try {
    for (const T of [Float64Array, Float32Array]) {
      setNumThreads(1);
      const want = product(T, 300, 200, 400);
      setNumThreads(2);
      assert.equal(prepareThreads(30000), 2);
      const replacedBefore = matmulInfo().workersReplaced;
      killNextWorkerMidJob();
      const got = product(T, 300, 200, 400);
      assert.equal(matmulInfo().workersReplaced, replacedBefore + 1, 'no worker died: the test did not test');
      assert.ok(got.every((v, i) => Object.is(v, want[i])), `${T.name}: wrong result after a worker died`);
      assert.equal(prepareThreads(30000), 2, 'the dead worker was not replaced');
      const again = product(T, 300, 200, 400);
      assert.ok(again.every((v, i) => Object.is(v, want[i])), `${T.name}: wrong result from the replacement worker`);
    }
    assert.equal(matmulInfo().workersReady, 1);
  } finally {
    setNumThreads(saved);
  }
});

test('a product terminated half-way (as an interrupt does) leaves the pool consistent', () => {
  const saved = getNumThreads();
  try {
    setNumThreads(1);
    const want = product(Float64Array, 300, 200, 400);
    setNumThreads(2);
    assert.equal(prepareThreads(30000), 2);
    let stopped = 0;
    for (let i = 0; i < 5; i++) {
      try {
        // vm's timeout terminates execution wherever it is: in the kernel, in Atomics.wait, in the copies.
        runInNewContext('for (;;) product(Float64Array, 600, 600, 600)', { product, Float64Array }, { timeout: 20 + 7 * i });
      } catch (e) {
        assert.match(String(e), /timed out/);
        stopped++;
      }
      const got = product(Float64Array, 300, 200, 400);
      assert.ok(got.every((v, j) => Object.is(v, want[j])), 'wrong result after a terminated product');
    }
    assert.equal(stopped, 5);
  } finally {
    setNumThreads(saved);
  }
});

test('a process with a running pool exits on its own', () => {
  const script = `
    const { gemm, prepareThreads } = require(${matmulIndex});
    const { setNumThreads } = require(${matmulThreads});
    setNumThreads(2);
    const threads = prepareThreads(30000);
    const n = 200, a = new Float64Array(n * n).fill(1), out = new Float64Array(n * n);
    gemm(false, false, n, n, n, a, 0, a, 0, out, 0);
    console.log(JSON.stringify({ threads, c: out[0] }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.signal, null, 'the child had to be killed: the pool kept it alive');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { threads: 2, c: 200 });
});

test('BACKPROP_THREADS sets the default thread count', () => {
  const script = `console.log(require(${matmulThreads}).getNumThreads())`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: root, encoding: 'utf8', env: { ...process.env, BACKPROP_THREADS: '3' }, timeout: 60000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '3');
});
