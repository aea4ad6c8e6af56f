/*
 * The kernel's tensor memory limit: from BACKPROP_TENSOR_MEMORY_MB (the VS Code setting
 * backprop.kernel.tensorMemoryLimitMB, backprop-nb's --tensor-memory-limit), else half the memory of the machine
 * or of the process's cgroup, whichever is smaller. A cell over it gets an error naming the op and the bytes; the
 * kernel and its variables survive, where the operating system's out-of-memory killer would have ended both.
 *
 * The engine counts freed storage back through a FinalizationRegistry, which it can only do inside a synchronous
 * training loop with FinalizationRegistry.prototype.cleanupSome (see kernel/engine/memory.ts). V8 has it behind
 * --harmony-weak-refs-with-cleanup-some; a flag unknown to the Node or Electron that runs the kernel would stop the
 * process from starting, so it is not a fork flag: set at run time it takes effect in contexts created afterwards,
 * and the method is borrowed from one (it works on registries of any context).
 */
import { totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTensorMemoryLimit } from '../engine/memory';
import { TENSOR_MEMORY_ENV } from '../client/protocol';

const MB = 2 ** 20;

export const TENSOR_MEMORY_HINT = 'Raise the limit with the setting backprop.kernel.tensorMemoryLimitMB (VS Code) or ' +
  "backprop-nb's --tensor-memory-limit <MB> and restart the kernel, or call setTensorMemoryLimit(bytes) in a cell; " +
  'or let go of tensors you no longer need.';

/** The limit in bytes: the environment's MB when it is a positive number, else half the available memory. */
export function tensorMemoryLimit(env: string | undefined = process.env[TENSOR_MEMORY_ENV]): number {
  const mb = Number(env);
  if (env !== undefined && env.trim() !== '' && Number.isFinite(mb) && mb > 0) return Math.floor(mb * MB);
  // Node 20: 0 or 2⁶⁴ where there is no cgroup limit
  const cgroup = process.constrainedMemory?.() ?? 0;
  const available = cgroup > 0 && cgroup < totalmem() ? cgroup : totalmem();
  return Math.floor(available / 2);
}

/** Gives FinalizationRegistry.prototype a cleanupSome where V8 has one (see the top of this file). */
function provideCleanupSome(): void {
  const proto = FinalizationRegistry.prototype as { cleanupSome?: unknown };
  if (typeof proto.cleanupSome === 'function') return;
  setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
  const borrowed: unknown = runInNewContext('FinalizationRegistry.prototype.cleanupSome');
  if (typeof borrowed === 'function') Object.defineProperty(proto, 'cleanupSome', { value: borrowed, configurable: true, writable: true });
}

/** Sets the engine's limit for this kernel. */
export function installTensorMemoryLimit(): void {
  provideCleanupSome();
  setTensorMemoryLimit(tensorMemoryLimit(), { hint: TENSOR_MEMORY_HINT });
}
