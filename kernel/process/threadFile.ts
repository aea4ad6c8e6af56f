// Where a helper thread's bundle is: next to the kernel's bundle (dist/), or under the repository's dist/ when
// the kernel runs from its sources (tsx).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The path of `dist/<name>.js`. */
export function threadFile(name: string): string {
  const candidates = [join(__dirname, `${name}.js`), join(__dirname, '..', '..', 'dist', `${name}.js`)];
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new Error(`dist/${name}.js is missing: run node scripts/build.mjs`);
  return found;
}
