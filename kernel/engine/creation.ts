// Creation functions. Every one takes the same options: { requiresGrad, name, dtype, shape, seed }.
import { alloc, checkDtype, copyAs, Dtype, FloatArray } from './dtype';
import { Generator, globalGenerator } from './random';
import { checkShape, fmt, sizeOf } from './shape';
import { NestedArray, Tensor, TensorLike } from './tensor';

/**
 * Options of every creation function (tensor, zeros, randn, ...).
 * @example randn([3, 2], { requiresGrad: true, name: 'w', dtype: 'float32', seed: 0 })
 */
export interface TensorOptions {
  /** Make a leaf whose gradient backward() computes (default false). */
  requiresGrad?: boolean;
  /** A label shown in graphs, hovers and gradient checks. */
  name?: string;
  /** 'float64' (default) or 'float32'. */
  dtype?: Dtype;
  /** For tensor(): the shape of flat data (nested arrays are reshaped when it is given). */
  shape?: readonly number[];
  /** For randn/rand: a private generator seeded with this, leaving the global one untouched. */
  seed?: number;
}

function finish(t: Tensor, opts: TensorOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  if (opts?.name !== undefined) t.name = opts.name;
  return t;
}

/** Shape and flat values of nested arrays, checked for raggedness and non-numbers. */
function flattenNested(op: string, data: NestedArray): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) { shape.push(probe.length); probe = probe[0]; }
  const values: number[] = [];
  const walk = (x: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof x !== 'number') throw new Error(`${op}: expected a number at depth ${dim}, got ${Array.isArray(x) ? 'an array' : typeof x} (ragged nested arrays?)`);
      values.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) throw new Error(`${op}: nested arrays are ragged: expected length ${shape[dim]} at depth ${dim}, inferred shape ${fmt(shape)}`);
    for (let i = 0; i < x.length; i++) walk(x[i], dim + 1);
  };
  walk(data, 0);
  return { shape, values };
}

/**
 * A tensor from a number, nested arrays, a typed array (give `opts.shape` for typed arrays; default 1-D) or a
 * tensor. The data is copied. dtype defaults to float64 (float32 for a Float32Array, a tensor's own dtype).
 * @example const x = tensor([[1, 2], [3, 4]], { requiresGrad: true, name: 'x' });
 */
export function tensor(data: NestedArray | Float64Array | Float32Array | Tensor, opts?: TensorOptions): Tensor {
  let shape: number[], out: FloatArray;
  if (data instanceof Float64Array || data instanceof Float32Array) {
    const dtype = opts?.dtype !== undefined ? checkDtype('tensor', opts.dtype) : data instanceof Float32Array ? 'float32' : 'float64';
    out = copyAs('tensor', dtype, [data.length], data);
    shape = [data.length];
  } else if (data instanceof Tensor) {
    // A copy cut from the graph, as torch.tensor(t).
    out = copyAs('tensor', opts?.dtype !== undefined ? checkDtype('tensor', opts.dtype) : data.dtype, data.shape, data.data);
    shape = data.shape.slice();
  } else {
    const dtype = checkDtype('tensor', opts?.dtype);
    if (typeof data === 'number') { shape = []; out = alloc('tensor', dtype, []); out[0] = data; } else {
      if (!Array.isArray(data)) throw new Error(`tensor: expected a number, nested arrays or a Float64Array/Float32Array, got ${typeof data}`);
      const f = flattenNested('tensor', data);
      shape = f.shape;
      out = alloc('tensor', dtype, f.shape);
      for (let i = 0; i < f.values.length; i++) out[i] = f.values[i];
    }
  }
  if (opts?.shape !== undefined) {
    const s = checkShape('tensor', opts.shape);
    if (sizeOf(s) !== out.length) throw new Error(`tensor: ${out.length} values do not fit shape ${fmt(s)} (${sizeOf(s)} elements)`);
    shape = s;
  }
  return finish(new Tensor(out, shape), opts);
}

/**
 * A tensor of shape [].
 * @example const b = scalar(0.5, { requiresGrad: true });
 */
export function scalar(value: number, opts?: TensorOptions): Tensor {
  if (typeof value !== 'number') throw new Error(`scalar: expected a number, got ${typeof value}`);
  const out = alloc('scalar', checkDtype('scalar', opts?.dtype), []);
  out[0] = value;
  return finish(new Tensor(out, []), opts);
}

/**
 * A tensor filled with `value`.
 * @example full([2, 3], 7)
 */
export function full(shape: readonly number[] | number, value: number, opts?: TensorOptions): Tensor {
  return filled('full', shape, value, opts);
}

function filled(op: string, shape: readonly number[] | number, value: number, opts?: TensorOptions): Tensor {
  const s = checkShape(op, shape);
  if (typeof value !== 'number') throw new Error(`${op}: value must be a number, got ${typeof value}`);
  const out = alloc(op, checkDtype(op, opts?.dtype), s);
  if (value !== 0) out.fill(value);
  return finish(new Tensor(out, s), opts);
}

/**
 * A tensor of zeros.
 * @example zeros([2, 3], { requiresGrad: true })
 */
export function zeros(shape: readonly number[] | number, opts?: TensorOptions): Tensor {
  return filled('zeros', shape, 0, opts);
}

/**
 * A tensor of ones.
 * @example ones([3])
 */
export function ones(shape: readonly number[] | number, opts?: TensorOptions): Tensor {
  return filled('ones', shape, 1, opts);
}

/**
 * The n×n identity matrix.
 * @example eye(3)
 */
export function eye(n: number, opts?: TensorOptions): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new Error(`eye: n must be a non-negative integer, got ${n}`);
  const out = alloc('eye', checkDtype('eye', opts?.dtype), [n, n]);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return finish(new Tensor(out, [n, n]), opts);
}

/**
 * Evenly spaced values in [start, stop) (one argument: [0, start)), as NumPy's arange.
 * @example arange(5) // [0, 1, 2, 3, 4]
 * @example arange(1, 2, 0.25)
 */
export function arange(start: number, stop?: number | TensorOptions, step?: number | TensorOptions, opts?: TensorOptions): Tensor {
  if (typeof stop === 'object') { opts = stop; stop = undefined; }
  if (typeof step === 'object') { opts = step; step = undefined; }
  let lo = start, hi = stop;
  if (hi === undefined) { lo = 0; hi = start; }
  const st = step ?? 1;
  if (![lo, hi, st].every(Number.isFinite)) throw new Error(`arange: start, stop and step must be finite numbers, got ${lo}, ${hi}, ${st}`);
  if (st === 0) throw new Error('arange: step must not be 0');
  if ((hi - lo) * st < 0) throw new Error(`arange: stop ${hi} cannot be reached from start ${lo} with step ${st} (as PyTorch, the sign of the step must lead from start to stop)`);
  const n = Math.max(0, Math.ceil((hi - lo) / st));
  const out = alloc('arange', checkDtype('arange', opts?.dtype), [n]);
  for (let i = 0; i < n; i++) out[i] = lo + i * st;
  return finish(new Tensor(out, [n]), opts);
}

/**
 * `count` evenly spaced values from start to stop, both included.
 * @example linspace(0, 1, 5) // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(start: number, stop: number, count: number, opts?: TensorOptions): Tensor {
  if (!Number.isInteger(count) || count < 0) throw new Error(`linspace: count must be a non-negative integer, got ${count}`);
  const out = alloc('linspace', checkDtype('linspace', opts?.dtype), [count]);
  const step = count > 1 ? (stop - start) / (count - 1) : 0;
  // Fill from both ends, as PyTorch does, so the last value is exactly `stop`.
  const half = Math.floor(count / 2);
  for (let i = 0; i < count; i++) out[i] = count === 1 ? start : i < half ? start + i * step : stop - (count - 1 - i) * step;
  return finish(new Tensor(out, [count]), opts);
}

function generatorFor(opts: TensorOptions | undefined): Generator {
  return opts?.seed !== undefined ? new Generator(opts.seed) : globalGenerator;
}

/**
 * Standard normal samples. Same seed, same numbers on every machine.
 * @example const w = randn([3, 2], { seed: 0, requiresGrad: true });
 */
export function randn(shape: readonly number[] | number, opts?: TensorOptions): Tensor {
  const s = checkShape('randn', shape);
  const gen = generatorFor(opts);
  const out = alloc('randn', checkDtype('randn', opts?.dtype), s);
  for (let i = 0; i < out.length; i++) out[i] = gen.normal();
  return finish(new Tensor(out, s), opts);
}

/**
 * Uniform samples in [0, 1).
 * @example rand([2, 2], { seed: 1 })
 */
export function rand(shape: readonly number[] | number, opts?: TensorOptions): Tensor {
  const s = checkShape('rand', shape);
  const gen = generatorFor(opts);
  const out = alloc('rand', checkDtype('rand', opts?.dtype), s);
  for (let i = 0; i < out.length; i++) out[i] = gen.uniform();
  return finish(new Tensor(out, s), opts);
}

/**
 * The one rule for an op's tensor arguments: the public function of every op passes each of them through
 * `operand` (or `asTensor` when a number should take another operand's dtype) before reading it, so a number or
 * nested arrays work wherever a tensor does. Tensors pass through untouched; the rest become float64 tensors.
 * @example export function exp(x: TensorLike): Tensor { x = operand('exp', x); ... }
 */
export function operand(op: string, x: TensorLike): Tensor { return asTensor(op, x, 'float64'); }

/** An op operand as a tensor: tensors pass through; numbers and nested arrays take `dtype`. */
export function asTensor(op: string, x: TensorLike, dtype: Dtype): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') { const d = alloc(op, dtype, []); d[0] = x; return new Tensor(d, []); }
  if (Array.isArray(x)) return tensor(x, { dtype });
  throw new Error(`${op}: expected a tensor, a number or nested arrays, got ${x === null ? 'null' : typeof x}`);
}
