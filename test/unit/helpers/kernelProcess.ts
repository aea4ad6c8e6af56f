// The built kernel the kernel tests drive: dist/kernel.js, built on first use when missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KernelClient } from '../../../kernel/client/client';

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

/** Builds the bundles when dist/kernel.js is missing (a fresh clone running one test file). */
export function ensureBuilt(): void {
  if (!existsSync(kernelPath)) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
}

/** Starts a kernel process on dist/kernel.js (built first if needed), with these extra start options. */
export function startKernel(options: Omit<Parameters<typeof KernelClient.start>[0], 'kernelPath'> = {}): Promise<KernelClient> {
  ensureBuilt();
  return KernelClient.start({ kernelPath, ...options });
}
