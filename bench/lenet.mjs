// The LeNet-5-sized training step of `npm run bench`: batch 64 of 1×28×28, conv(1→6, 5×5, padding 2)–relu–maxPool 2
// –conv(6→16, 5×5)–relu–maxPool 2–fc(400→120)–relu–fc(120→10), cross-entropy, SGD, float32. Peers: this engine,
// tfjs-backend-wasm (XNNPACK) and PyTorch (bench/lenetTorch.py, when Debian's /usr/bin/python3 has torch), all
// timed the same way (forward+loss, then backward, then the update) in the same run. run.mjs passes its timing
// helpers in, so every peer of every table is measured alike.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LENET = { batch: 64, classes: 10, lr: 0.01 };
const here = dirname(fileURLToPath(import.meta.url));

/** The engine as a user writes it: nn.Conv2d, maxPool2d, nn.Linear. */
export function lenetEngine({ bp, randomData, timeSteps }) {
  const dtype = 'float32', { batch, classes, lr } = LENET;
  const conv1 = new bp.nn.Conv2d(1, 6, 5, { padding: 2, seed: 1, dtype }), conv2 = new bp.nn.Conv2d(6, 16, 5, { seed: 2, dtype });
  const fc1 = new bp.nn.Linear(400, 120, { seed: 3, dtype }), fc2 = new bp.nn.Linear(120, classes, { seed: 4, dtype });
  const x = bp.tensor(randomData(Float32Array, batch * 28 * 28, 5), { shape: [batch, 1, 28, 28], dtype });
  const targets = Array.from({ length: batch }, (_, i) => (i * 7) % classes);
  const params = [conv1, conv2, fc1, fc2].flatMap((m) => m.parameters());
  const loss = () => {
    const h = conv2.forward(conv1.forward(x).relu().maxPool2d(2)).relu().maxPool2d(2);
    return bp.crossEntropy(fc2.forward(fc1.forward(h.reshape([batch, 400])).relu()), targets);
  };
  return timeSteps(loss, new bp.optim.SGD(params, { lr }));
}

/**
 * The same network in TensorFlow.js on the wasm backend, NHWC (the layout its XNNPACK kernels take). The wasm
 * backend has no Conv2DBackpropFilter kernel, so each conv layer's gradient is written by hand, as a tfjs user
 * must: dX by conv2dTranspose (XNNPACK's deconvolution) and dW as a convolution of the input by dY, batch and
 * channels swapped (dW[kh,kw,c,o] = Σ x[n,h+kh,w+kw,c]·dY[n,h,w,o]).
 */
export function lenetTfjs({ tf, useTf, randomData, timeTfjsStep, iters }) {
  useTf('wasm');
  const { batch, classes, lr } = LENET;
  const conv = (pad) => tf.customGrad((x, w, b, save) => {
    save([x, w]);
    return {
      value: tf.add(tf.conv2d(x, w, 1, pad), b),
      gradFunc: (dy, [xs, ws]) => {
        const dx = tf.conv2dTranspose(dy, ws, xs.shape, 1, pad);
        const dw = tf.transpose(tf.conv2d(tf.transpose(xs, [3, 1, 2, 0]), tf.transpose(dy, [1, 2, 0, 3]), 1, pad), [1, 2, 0, 3]);
        return [dx, dw, tf.sum(dy, [0, 1, 2])];
      },
    };
  });
  const conv1 = conv(2), conv2 = conv(0);
  const dense = tf.customGrad((h, w, b, save) => {
    save([h, w]);
    return {
      value: tf.add(tf.matMul(h, w), b),
      gradFunc: (dy, [hs, ws]) => [tf.matMul(dy, tf.transpose(ws)), tf.matMul(tf.transpose(hs), dy), tf.sum(dy, 0)],
    };
  });
  const u = (shape, fanIn, seed) => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), 'float32', seed));
  const vars = [u([5, 5, 1, 6], 25, 1), u([6], 25, 2), u([5, 5, 6, 16], 150, 3), u([16], 150, 4),
    u([400, 120], 400, 5), u([120], 400, 6), u([120, classes], 120, 7), u([classes], 120, 8)];
  const x = tf.tensor4d(randomData(Float32Array, batch * 28 * 28, 5), [batch, 28, 28, 1]);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => (i * 7) % classes), 'int32'), classes);
  const loss = () => {
    let h = tf.maxPool(tf.relu(conv1(x, vars[0], vars[1])), 2, 2, 'valid');
    h = tf.maxPool(tf.relu(conv2(h, vars[2], vars[3])), 2, 2, 'valid');
    h = tf.relu(dense(tf.reshape(h, [batch, 400]), vars[4], vars[5]));
    return tf.losses.softmaxCrossEntropy(labels, dense(h, vars[6], vars[7]));
  };
  const r = timeTfjsStep(loss, vars, lr, iters);
  vars.forEach((v) => v.dispose());
  tf.dispose([x, labels]);
  return r;
}

/** PyTorch's step on this machine (bench/lenetTorch.py), or null with the reason when it cannot run here. */
export function lenetTorch({ threads, iters }) {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return { skipped: `${python} not found` };
  const r = spawnSync(python, [join(here, 'lenetTorch.py'), String(threads), String(iters)], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return { skipped: (r.stderr || r.error?.message || 'failed').trim().split('\n').at(-1) };
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}
