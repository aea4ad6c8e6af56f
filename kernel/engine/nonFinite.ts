// Where a NaN or ±Infinity in a graph came from: the first op, in forward order, that made a non-finite value out
// of finite inputs (or a NaN out of inputs without one: 0·Inf, Inf − Inf); failing that, the first node, in
// backward order, whose gradient for an input went non-finite from a finite upstream gradient (sqrt at 0). Tensor
// ids grow with creation, so sorting a graph's tensors by id gives the order the ops ran in.
import { tensorsBehind } from './graphWalk';
import { Tensor } from './tensor';

/** A bad value's origin, as findNonFinite reports it. */
export interface NonFiniteOrigin {
  /** 'forward': the op made the value; 'backward': its gradient rule did; 'leaf': the value came in as data. */
  phase: 'forward' | 'backward' | 'leaf';
  /** The op ('log', 'div', ...), or undefined for a leaf. */
  op?: string;
  /** The op's result (forward, backward) or the leaf. */
  tensor: Tensor;
  /** Backward: which input's gradient went bad. */
  inputIndex?: number;
  /** Flat index of the first bad element (in the result, or in the input's gradient). */
  index: number;
  /** The bad value. */
  value: number;
  /** The inputs' values at that element, where the op is elementwise (undefined entries elsewhere). */
  inputValues: (number | undefined)[];
  /** Backward: the upstream gradient at that element, where the op is elementwise. */
  upstream?: number;
  /** The op's call site, captured under detectAnomaly(true). */
  site: Error | null;
  /** One line that says it, e.g. `log(-1) = NaN` or `the gradient of sqrt(0) for its input is Infinity`. */
  message: string;
}

const isBad = (x: number): boolean => x - x !== 0;

function firstBad(data: ArrayLike<number>, nanOnly = false): number {
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (nanOnly ? x !== x : x - x !== 0) return i;
  }
  return -1;
}

/** The flat index in `inShape` of element `k` of `outShape` when `inShape` broadcasts to it; -1 otherwise. */
function broadcastIndex(k: number, outShape: readonly number[], inShape: readonly number[]): number {
  const lead = outShape.length - inShape.length;
  if (lead < 0) return -1;
  for (let d = 0; d < inShape.length; d++) if (inShape[d] !== 1 && inShape[d] !== outShape[d + lead]) return -1;
  let index = 0, stride = 1, rest = k;
  for (let d = outShape.length - 1; d >= 0; d--) {
    const coord = rest % outShape[d];
    rest = Math.floor(rest / outShape[d]);
    const di = d - lead;
    if (di >= 0) { if (inShape[di] !== 1) index += coord * stride; stride *= inShape[di]; }
  }
  return index;
}

const show = (x: number): string => (Number.isNaN(x) ? 'NaN' : String(x));

/**
 * Finds where the first NaN or ±Infinity of the graphs behind `roots` was made (values, then gradients of the
 * latest backward()); undefined when every value and gradient is finite.
 * @example const y = tensor([-1, 1], { requiresGrad: true }).log(); findNonFinite([y])?.message // 'log(-1) = NaN'
 */
export function findNonFinite(roots: Tensor | readonly Tensor[]): NonFiniteOrigin | undefined {
  const list = roots instanceof Tensor ? [roots] : roots;
  const seen = new Set<Tensor>();
  for (const r of list) if (r instanceof Tensor) for (const t of tensorsBehind(r)) seen.add(t);
  const order = [...seen].sort((a, b) => a.id - b.id);
  return forwardOrigin(order) ?? backwardOrigin(order) ?? leafOrigin(order);
}

function forwardOrigin(order: Tensor[]): NonFiniteOrigin | undefined {
  for (const t of order) {
    const node = t.node;
    if (!node) continue;
    const k = firstBad(t.data);
    if (k < 0) continue;
    const inputs = node.inputs;
    // element by element where the op is elementwise (every input broadcasts to the result)
    const at = inputs.map((x) => broadcastIndex(k, t.shape, x.shape));
    let index = -1;
    if (at.every((i) => i >= 0)) {
      for (let j = k; j < t.size && index < 0; j++) {
        const v = t.data[j];
        if (!isBad(v)) continue;
        const xs = inputs.map((x) => x.data[broadcastIndex(j, t.shape, x.shape)]);
        if (xs.every((x) => !isBad(x)) || (v !== v && xs.every((x) => x === x))) index = j;
      }
    } else if (inputs.every((x) => firstBad(x.data) < 0)) index = k;
    else if (firstBad(t.data, true) >= 0 && inputs.every((x) => firstBad(x.data, true) < 0)) index = firstBad(t.data, true);
    if (index < 0) continue;
    const inputValues = inputs.map((x) => {
      const i = broadcastIndex(index, t.shape, x.shape);
      return i >= 0 ? x.data[i] : undefined;
    });
    const value = t.data[index];
    const args = inputValues.every((v) => v !== undefined) ? inputValues.map((v) => show(v)).join(', ') : 'finite inputs';
    return {
      phase: 'forward', op: node.op, tensor: t, index, value, inputValues, site: node.site,
      message: `${node.op}(${args}) = ${show(value)}`,
    };
  }
  return undefined;
}

function backwardOrigin(order: Tensor[]): NonFiniteOrigin | undefined {
  for (let n = order.length - 1; n >= 0; n--) {
    const t = order[n];
    const node = t.node;
    if (!node?.grad || !node.edgeGrads) continue;
    const g = node.grad;
    const upstreamBad = firstBad(g.data) >= 0;
    const upstreamNaN = upstreamBad && firstBad(g.data, true) >= 0;
    for (let i = 0; i < node.edgeGrads.length; i++) {
      const share = node.edgeGrads[i];
      if (!share) continue;
      const k = firstBad(share.data, upstreamBad);
      if (k < 0 || (upstreamBad && upstreamNaN)) continue;
      const x = node.inputs[i];
      // the upstream gradient and the inputs at that element, where the op is elementwise
      const elementwise = share.size === x.size && t.size === x.size;
      const inputValues = node.inputs.map((y) => (elementwise && y.size === x.size ? y.data[k] : undefined));
      const upstream = elementwise ? g.data[k] : undefined;
      const args = inputValues.every((v) => v !== undefined) ? inputValues.map((v) => show(v)).join(', ') : '…';
      const which = node.inputs.length > 1 ? ` for input ${i}` : ' for its input';
      const from = upstream !== undefined ? ` (upstream gradient ${show(upstream)})` : '';
      return {
        phase: 'backward', op: node.op, tensor: t, inputIndex: i, index: k, value: share.data[k], inputValues,
        upstream, site: node.site,
        message: `the gradient of ${node.op}(${args})${which} is ${show(share.data[k])}${from}`,
      };
    }
  }
  return undefined;
}

function leafOrigin(order: Tensor[]): NonFiniteOrigin | undefined {
  for (const t of order) {
    if (t.node) continue;
    const k = firstBad(t.data);
    if (k < 0) continue;
    return {
      phase: 'leaf', tensor: t, index: k, value: t.data[k], inputValues: [], site: null,
      message: `the leaf ${t.name ?? `t${t.id}`} holds ${show(t.data[k])} (element ${k})`,
    };
  }
  return undefined;
}
