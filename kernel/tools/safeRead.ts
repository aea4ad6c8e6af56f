/*
 * Reading the kernel's values for the tools (hover, variables view) without running user code. A getter that
 * never returns, or a Proxy trap that loops, would otherwise hang the kernel for good: a tool request is not a
 * cell, and Interrupt does not reach it. So, as a debugger's variables pane does:
 *   - properties are read from their descriptors (own, then up the prototype chain); a getter is reported, never
 *     called;
 *   - a Proxy (util.types.isProxy) is reported before anything touches it: no trap runs, not even
 *     getPrototypeOf (which `instanceof` and `in` call);
 *   - previews use util.inspect without custom inspect functions and getters, and only once a walk over what it
 *     will visit found nothing that would run code (a toStringTag getter, an error's name getter, a proxy).
 * Display of a cell's own result may run user code (toString, ...): only these tool paths promise not to.
 */
import { inspect, types, type InspectOptions } from 'node:util';
import { nn, Tensor } from '../engine';

/** What reading a property reached: nothing, a value, or a getter/proxy that was left alone. */
export type Read =
  | { found: false; value?: undefined; blocked?: undefined }
  | { found: true; value: unknown; blocked?: undefined }
  | { found: true; blocked: 'getter' | 'proxy'; value?: undefined };

/** What the tools say instead of a value they did not read. */
export const BLOCKED_TEXT = { getter: 'getter, not called', proxy: 'Proxy, not inspected (its traps would run)' } as const;

const { getPrototypeOf, getOwnPropertyDescriptor } = Object;
// Captured before any cell runs, so a cell that replaces them cannot make a walk run its code; each is called
// with `.call(receiver)`, never unbound.
/* eslint-disable @typescript-eslint/unbound-method */
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const functionText = Function.prototype.toString;
/* eslint-enable @typescript-eslint/unbound-method */

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** The objects a property lookup visits (the value, then its prototypes), or 'proxy' when one of them is a Proxy. */
export function prototypeChain(value: object): object[] | 'proxy' {
  const chain: object[] = [];
  for (let o: object | null = value; o !== null; o = getPrototypeOf(o) as object | null) {
    if (types.isProxy(o)) return 'proxy';
    chain.push(o);
  }
  return chain;
}

/** The descriptor `value[key]` would use, and the object that holds it; 'proxy' when the lookup would reach a Proxy. */
function lookup(value: object, key: PropertyKey): { descriptor: PropertyDescriptor; owner: object } | 'proxy' | undefined {
  const chain = prototypeChain(value);
  if (chain === 'proxy') return 'proxy';
  for (const owner of chain) {
    const descriptor = getOwnPropertyDescriptor(owner, key);
    if (descriptor) return { descriptor, owner };
  }
  return undefined;
}

/**
 * `value[key]` without running code: a data property's value, or which getter or proxy stopped the read.
 * @example readProperty({ get x() { return 1; } }, 'x') // { found: true, blocked: 'getter' }
 */
export function readProperty(value: unknown, key: PropertyKey): Read {
  if (value === null || value === undefined) return { found: false };
  const hit = lookup(Object(value) as object, key);
  if (hit === undefined) return { found: false };
  if (hit === 'proxy') return { found: true, blocked: 'proxy' };
  return 'value' in hit.descriptor ? { found: true, value: hit.descriptor.value } : { found: true, blocked: 'getter' };
}

/** `value instanceof cls`, except that a value behind a proxy is no instance (its getPrototypeOf trap would run). */
export function isInstance(value: unknown, cls: abstract new (...args: never[]) => unknown): boolean {
  if (!isObject(value)) return false;
  const chain = prototypeChain(value);
  return chain !== 'proxy' && chain.includes(cls.prototype as object);
}

function hasOwnAccessor(o: object): boolean {
  return Reflect.ownKeys(o).some((k) => !('value' in getOwnPropertyDescriptor(o, k)!));
}

/** An engine tensor whose fields are plain data: describing it runs engine code only. */
export function isPlainTensor(value: unknown): value is Tensor {
  return isObject(value) && !types.isProxy(value) && getPrototypeOf(value) === Tensor.prototype && !hasOwnAccessor(value);
}

let enginePrototypes: Set<object> | undefined;

/** The prototypes of the engine's module classes (Module, Linear, MLP, ...): their methods are not user code. */
function engineModulePrototypes(): Set<object> {
  enginePrototypes ??= new Set(Object.values(nn).filter((v): v is typeof nn.Module => typeof v === 'function' &&
    (v === nn.Module || v.prototype instanceof nn.Module)).map((v) => v.prototype as object));
  return enginePrototypes;
}

/** The methods listing parameters call on every module of a tree. */
const PARAMETER_METHODS = ['namedParameters', 'ownParameters', 'namedChildren', 'parameters'];

/**
 * Why listing a module's parameters would run user code (a getter or proxy among its fields, a parameter method
 * of its own), or undefined when it would not: the engine walks only fields that hold data.
 */
export function moduleUnsafe(root: nn.Module): string | undefined {
  const engine = engineModulePrototypes();
  const seen = new Set<object>();
  const stack: object[] = [root];
  while (stack.length) {
    const m = stack.pop()!;
    if (seen.has(m)) continue;
    seen.add(m);
    for (const name of PARAMETER_METHODS) {
      const hit = lookup(m, name);
      if (hit === 'proxy') return 'a proxy among its modules';
      if (!hit || !engine.has(hit.owner)) return `its own ${name}()`;
    }
    for (const key of Object.keys(m)) {
      const d = getOwnPropertyDescriptor(m, key)!;
      if (!('value' in d)) return `a getter (${key})`;
      const values: unknown[] = [d.value];
      if (Array.isArray(d.value) && !types.isProxy(d.value)) {
        if (hasOwnAccessor(d.value)) return `a getter in ${key}`;
        values.push(...(d.value as unknown[]));
      }
      for (const v of values) {
        if (isObject(v) && types.isProxy(v)) return `a proxy in ${key}`;
        if (isInstance(v, nn.Module)) stack.push(v as object);
        else if (isInstance(v, Tensor) && !isPlainTensor(v)) return `a tensor with getters in ${key}`;
      }
    }
  }
  return undefined;
}

function nativeFunction(f: unknown): boolean {
  return typeof f === 'function' && !types.isProxy(f) && /\{\s*\[native code\]\s*\}$/.test(functionText.call(f));
}

/** True when util.inspect reading this property of `o` (with getters off) would call user code. */
function userAccessor(o: object, key: PropertyKey): boolean {
  const hit = lookup(o, key);
  // the getter is only looked at (is it native?), never called
  // eslint-disable-next-line @typescript-eslint/unbound-method
  return hit === 'proxy' || (hit !== undefined && !('value' in hit.descriptor) && !nativeFunction(hit.descriptor.get));
}

/** Values util.inspect formats below `o` (fields, elements, map and set entries), read without running code. */
function children(o: object): unknown[] {
  const out: unknown[] = [];
  for (const k of Reflect.ownKeys(o)) {
    const d = getOwnPropertyDescriptor(o, k)!;
    if ('value' in d) out.push(d.value);
  }
  if (types.isMap(o)) for (const [k, v] of mapEntries.call(o)) out.push(k, v);
  if (types.isSet(o)) for (const v of setValues.call(o)) out.push(v);
  return out;
}

/** Objects a preview would visit, at most; beyond, it is not attempted. */
const MAX_WALK = 2000;

/** Whether util.inspect (customInspect and getters off) down to `depth` would run user code on `value`. */
function previewRunsCode(value: unknown, depth: number): boolean {
  let level: unknown[] = [value];
  const seen = new Set<object>();
  // inspect reads each object's toStringTag one level past `depth` too (to print `[Foo]`)
  for (let d = 0; d <= depth + 1 && level.length; d++) {
    const next: unknown[] = [];
    for (const v of level) {
      if (!isObject(v) || seen.has(v)) continue;
      if (types.isProxy(v) || seen.size >= MAX_WALK) return true;
      seen.add(v);
      if (userAccessor(v, Symbol.toStringTag)) return true;
      if (isInstance(v, Error) && ['name', 'message', 'stack', 'cause', 'errors'].some((k) => userAccessor(v, k))) return true;
      if (d < depth + 1) next.push(...children(v));
    }
    level = next;
  }
  return false;
}

/** The name of the class a value was made by, read without running code ('Object' when it cannot be told). */
export function constructorName(value: object): string {
  const ctor = readProperty(value, 'constructor');
  const name = ctor.found && typeof ctor.value === 'function' ? readProperty(ctor.value, 'name') : undefined;
  return name?.found && typeof name.value === 'string' && name.value ? name.value : 'Object';
}

/**
 * A value as util.inspect shows it, without custom inspect functions or getters (shown as `[Getter]`), or a short
 * stand-in when even that would run code.
 */
export function safePreview(value: unknown, options: InspectOptions = {}): string {
  const depth = typeof options.depth === 'number' ? options.depth : 2;
  if (isObject(value) && types.isProxy(value)) return `Proxy (${BLOCKED_TEXT.proxy.replace(/^Proxy, /, '')})`;
  if (previewRunsCode(value, depth)) return `${constructorName(value as object)} { … } (not previewed: showing it would run its code)`;
  return inspect(value, { ...options, depth, customInspect: false, getters: false, showProxy: false });
}
