// The built kernel the kernel tests drive: dist/kernel.js (a test fails, saying how to build it, when it is missing).
import { join } from 'node:path';
import { KernelClient } from '../../../kernel/client/client';
import { bundle, requireArtefacts } from '../../artefacts';

export const root = join(__dirname, '..', '..', '..');
export const kernelPath = join(root, 'dist', 'kernel.js');

/**
 * A cell whose last backward() takes a gradient check seconds (30 products of 300×300 float64 per replay, 64
 * sampled elements of W nudged twice): for stopping a check half-way. Defines W.
 */
export const SLOW_TO_CHECK_CELL = [
  'const W = randn([300, 300], { seed: 3 }).mul(0.05).requiresGrad_();',
  'let h = randn([300, 300], { seed: 4 });',
  'for (let i = 0; i < 30; i++) h = h.matmul(W).tanh();',
  'h.sum().backward();',
].join('\n');

/** A cell whose custom op `cube` has a wrong gradient (x² for 3x²), then backward() through it: for gradient checks. */
export const WRONG_CUBE_CELL = [
  'const cube = customGrad(function cubeOp(x: Tensor) {',
  '  return { value: x.pow(3), gradFunc: (dy: Tensor) => dy.mul(x.square()) }; // should be 3x²',
  '});',
  'const w = tensor([0.5, -0.2], { requiresGrad: true });',
  'cube(w).sum().backward();',
].join('\n');

/** Fails, naming the build command, when dist/kernel.js (and the helper threads it loads) are missing. */
export function ensureBuilt(): void {
  requireArtefacts(bundle('kernel.js'), bundle('interruptWatcher.js'), bundle('outputRescuer.js'));
}

/** Starts a kernel process on dist/kernel.js (built first if needed), with these extra start options. */
export function startKernel(options: Omit<Parameters<typeof KernelClient.start>[0], 'kernelPath'> = {}): Promise<KernelClient> {
  ensureBuilt();
  return KernelClient.start({ kernelPath, ...options });
}
