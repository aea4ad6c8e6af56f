// cli/writeFileAtomic.ts: a file the CLI writes is either the old one or the whole new one. A process killed in the
// middle of a large write leaves the old file as it was (what `--inplace` needs), a failed write leaves no
// temporary file behind, and every write of the CLI goes through it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputError, writeFileAtomic } from '../../cli/writeFileAtomic';

const root = join(__dirname, '..', '..');
const made: string[] = [];
const fresh = () => { const d = mkdtempSync(join(tmpdir(), 'bp-atomic-')); made.push(d); return d; };
// the killed write leaves a large temporary file behind
after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

test('writes the whole text, replaces an existing file and keeps its permissions, creates missing folders', () => {
  const dir = fresh();
  const target = join(dir, 'a', 'b', 'nb.ipynb');
  writeFileAtomic(target, 'first');
  assert.equal(readFileSync(target, 'utf8'), 'first');
  chmodSync(target, 0o600);
  writeFileAtomic(target, 'second ✓');
  assert.equal(readFileSync(target, 'utf8'), 'second ✓');
  assert.equal(statSync(target).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['nb.ipynb'], 'no temporary file is left');
});

test('a failed write leaves the old file and no temporary file, and says which file and why', () => {
  const dir = fresh();
  const target = join(dir, 'nb.ipynb');
  writeFileSync(target, 'old');
  mkdirSync(join(dir, 'folder.ipynb'));
  assert.throws(() => writeFileAtomic(join(dir, 'folder.ipynb'), 'new'), (e: unknown) =>
    e instanceof OutputError && /cannot write .*folder\.ipynb: /.test(e.message));
  assert.throws(() => writeFileAtomic(join(target, 'inside.html'), 'x'), (e: unknown) =>
    e instanceof OutputError && /nb\.ipynb is a file/.test(e.message));
  assert.equal(readFileSync(target, 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir).sort(), ['folder.ipynb', 'nb.ipynb']);
});

test('a pseudo-filesystem that takes no folders is an OutputError, not an endless loop', { skip: !existsSync('/proc/self') && 'no /proc' }, () => {
  assert.throws(() => writeFileAtomic('/proc/backprop-atomic-test/x.ipynb', '{}'), (e: unknown) =>
    e instanceof OutputError && /cannot create the folder \/proc\/backprop-atomic-test/.test(e.message));
});

test('killed in the middle of a large write, the old file is still whole', async () => {
  const dir = fresh();
  const target = join(dir, 'nb.ipynb');
  const old = JSON.stringify({ cells: ['the user\'s notebook'] });
  writeFileSync(target, old);
  // A child writes 400 MB over the notebook; it is killed as soon as the write shows on disk.
  const script = `require(${JSON.stringify(join(root, 'cli', 'writeFileAtomic.ts'))}).writeFileAtomic(${JSON.stringify(target)}, 'x'.repeat(400 << 20));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let seen = false;
  const deadline = Date.now() + 60_000;
  while (!seen && Date.now() < deadline && child.exitCode === null) {
    seen = readdirSync(dir).length > 1 || statSync(target).size !== old.length;
    if (!seen) await new Promise((r) => setTimeout(r, 2));
  }
  child.kill('SIGKILL');
  await exited;
  assert.ok(seen, 'the write was caught in progress');
  assert.equal(readFileSync(target, 'utf8'), old);
});

test('every file the CLI writes goes through writeFileAtomic', () => {
  const writers = readdirSync(join(root, 'cli')).filter((f) => f.endsWith('.ts') && f !== 'writeFileAtomic.ts')
    .filter((f) => /\b(writeFileSync|writeFile|createWriteStream|appendFileSync|renameSync)\b/.test(readFileSync(join(root, 'cli', f), 'utf8')));
  assert.deepEqual(writers, []);
});
