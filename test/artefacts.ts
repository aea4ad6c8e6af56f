// What the browser and VS Code tests need beyond `npm ci`: chromium, code-server and the built bundles. A test
// whose artefact is missing fails, naming it and how to make it; skipping would let `npm test` pass while
// checking nothing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..');

/** A file a test needs, and the command that provides it. */
export interface Artefact { path: string; how: string }

export const CHROMIUM: Artefact = {
  path: process.env.CHROMIUM ?? '/usr/bin/chromium',
  how: 'apt-get install chromium (npm test installs it when run as root)',
};
export const CODE_SERVER: Artefact = {
  path: join(repoRoot, 'tools', 'code-server', 'node_modules', '.bin', 'code-server'),
  how: 'node scripts/setupTools.mjs (npm test runs it)',
};
/** A bundle under dist/, made by the build. */
export const bundle = (file: string): Artefact => ({ path: join(repoRoot, 'dist', file), how: 'node scripts/build.mjs' });

/** Throws unless every artefact exists; the message names each missing one and how to make it. */
export function requireArtefacts(...needed: Artefact[]): void {
  const missing = needed.filter((a) => !existsSync(a.path));
  if (missing.length) throw new Error(missing.map((a) => `missing ${a.path}: ${a.how}`).join('\n'));
}
