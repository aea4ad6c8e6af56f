// Checking option objects of constructors a cell calls (nn, optim): a misspelt or unsupported option is an
// error that lists the supported ones, instead of being silently ignored.

/** Throws unless `opts` is undefined or an object whose keys are all in `allowed`. */
export function checkOptions(op: string, opts: unknown, allowed: readonly string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new Error(`${op}: options must be an object { ${allowed.join(', ')} }, got ${opts === null ? 'null' : Array.isArray(opts) ? 'an array' : typeof opts}`);
  }
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) throw new Error(`${op}: unknown option '${key}' (supported: ${allowed.join(', ')})`);
  }
}

/** `Array.isArray` that keeps a declared element type: the built-in narrows `readonly T[]` to `any[]`. */
export function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}
