/*
 * Names from the code: a tensor bound to a top-level name of a cell (`const w2 = tensor(...)`, `let [a, b] = ...`,
 * `h = h.relu()`) takes that name for graphs, hovers, reports and exports. The compiled cell calls `name` right
 * after the binding runs (compile.ts), so a re-run cell names the tensors it makes anew. A tensor that has a name
 * keeps it: an explicit `name:`, a module parameter's path, or the first name it was bound to.
 */
import { types } from 'node:util';
import { Tensor } from '../engine';

/**
 * Whether a value a cell bound is an engine tensor, decided without running user code: a Proxy is never asked
 * (instanceof would call its getPrototypeOf trap, which may never return), and only the value's own prototype is
 * read. A subclass of Tensor is not named.
 */
export function isBoundTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && !types.isProxy(v) && Object.getPrototypeOf(v) === Tensor.prototype;
}

/**
 * Names each unnamed tensor among `bound` (variable name → value) after its variable, and returns `value`.
 * @example name((w2 = tensor([1, 2])), { w2 }) // w2.name === 'w2'
 */
export function name<T>(value: T, bound: Record<string, unknown>): T {
  for (const key of Object.keys(bound)) {
    const t = bound[key];
    if (isBoundTensor(t) && t.name === undefined) t.name = key;
  }
  return value;
}
