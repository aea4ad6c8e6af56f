// Anomaly mode's cost: the same training step with detectAnomaly off and on, measured in alternating rounds in one
// process (a slow spell of the machine then hits both alike), as a ratio. Two steps: the MLP of run.mjs (large
// ops: the stack capture per op is small next to them) and a small network on a batch of 4 (many tiny ops: the
// worst case). `node bench/anomaly.mjs` runs it alone; run.mjs calls measureAnomaly().
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median step time (ms) of `step` with anomaly mode off and on, over `rounds` alternating rounds of `iters` steps. */
function offOn(bp, step, { rounds, iters }) {
  const off = [], on = [];
  for (let r = 0; r < rounds; r++) {
    for (const [mode, into] of [[false, off], [true, on]]) {
      bp.detectAnomaly(mode);
      for (let i = 0; i < 10; i++) step();
      const t0 = performance.now();
      for (let i = 0; i < iters; i++) step();
      into.push((performance.now() - t0) / iters);
    }
  }
  bp.detectAnomaly(false);
  const offMs = median(off), onMs = median(on);
  return { offMs, onMs, ratio: onMs / offMs };
}

/** A training step of nn.MLP(sizes) on a float32 batch, SGD; counts the ops it records. */
function mlpStep(bp, sizes, batch) {
  const model = new bp.nn.MLP(sizes, { seed: 0, dtype: 'float32' });
  const x = bp.randn([batch, sizes[0]], { seed: 1, dtype: 'float32' });
  const targets = Array.from({ length: batch }, (_, i) => i % sizes.at(-1));
  const opt = new bp.optim.SGD(model.parameters(), { lr: 0.01 });
  return () => {
    const loss = bp.crossEntropy(model.forward(x), targets);
    loss.backward();
    opt.step();
    opt.zeroGrad();
  };
}

/**
 * Anomaly mode's overhead on two training steps.
 * @example measureAnomaly(bp, { quick: true }) // { mlp: { offMs, onMs, ratio, ... }, small: { ... } }
 */
export function measureAnomaly(bp, { quick = false, mlpSizes = [784, 256, 128, 10], mlpBatch = 64 } = {}) {
  const rounds = quick ? 3 : 9;
  return {
    mlp: { sizes: mlpSizes, batch: mlpBatch, ...offOn(bp, mlpStep(bp, mlpSizes, mlpBatch), { rounds, iters: quick ? 10 : 40 }) },
    small: { sizes: [4, 8, 8, 2], batch: 4, ...offOn(bp, mlpStep(bp, [4, 8, 8, 2], 4), { rounds, iters: quick ? 200 : 1000 }) },
  };
}

/** The table run.mjs prints. */
export function printAnomaly(r, fmt = (x) => x.toFixed(3)) {
  console.log('\nanomaly mode (detectAnomaly(true): a call-site stack per recorded op), training step, median ms; ratio = on / off');
  for (const [label, x] of [[`nn.MLP ${r.mlp.sizes.join('-')}, batch ${r.mlp.batch}`, r.mlp], [`nn.MLP ${r.small.sizes.join('-')}, batch ${r.small.batch}`, r.small]]) {
    console.log(`${label.padEnd(32)} off ${fmt(x.offMs).padStart(8)}  on ${fmt(x.onMs).padStart(8)}  ${x.ratio.toFixed(2)}×`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bp = createRequire(import.meta.url)(join(root, 'dist/engine.js'));
  printAnomaly(measureAnomaly(bp, { quick: process.argv.includes('--quick') }));
  process.exit(0);
}
