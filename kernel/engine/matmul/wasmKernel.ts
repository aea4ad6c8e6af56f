// Picks the best matmul kernel this runtime can run, once: WebAssembly with relaxed SIMD (fused multiply-add),
// else plain WebAssembly SIMD, else none (the caller falls back to JavaScript). Node 20 keeps relaxed SIMD behind a
// V8 flag; setting it before the first compile is enough (V8 flags are process-wide, workers included).
import { setFlagsFromString } from 'node:v8';
import { relaxedSimdWasm, simdWasm } from './wasmBinary';

export type KernelKind = 'wasm-relaxed-simd' | 'wasm-simd' | 'js';

export interface CompiledKernel {
  kind: KernelKind;
  module: WebAssembly.Module | null;
}

let compiled: CompiledKernel | undefined;

/** Enables relaxed SIMD where V8 still hides it behind a flag (a no-op where it ships by default). */
function enableRelaxedSimd(): void {
  try { setFlagsFromString('--experimental-wasm-relaxed-simd'); } catch { /* not a V8 with this flag */ }
}

function tryCompile(base64: string): WebAssembly.Module | null {
  try {
    const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    return null;
  }
}

/** The compiled kernel module, detected on first use. BACKPROP_MATMUL_KERNEL=simd|js forces a lesser one. */
export function compiledKernel(): CompiledKernel {
  if (compiled) return compiled;
  const forced = process.env.BACKPROP_MATMUL_KERNEL;
  let module: WebAssembly.Module | null;
  if (typeof WebAssembly === 'object' && forced !== 'js') {
    if (forced !== 'simd') {
      // Ask for the flag only where relaxed SIMD is missing: a V8 that ships it may no longer know the flag.
      module = tryCompile(relaxedSimdWasm);
      if (!module) { enableRelaxedSimd(); module = tryCompile(relaxedSimdWasm); }
      if (module) return (compiled = { kind: 'wasm-relaxed-simd', module });
    }
    module = tryCompile(simdWasm);
    if (module) return (compiled = { kind: 'wasm-simd', module });
  }
  return (compiled = { kind: 'js', module: null });
}
