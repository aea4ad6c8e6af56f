// Every file the CLI writes (notebooks, HTML pages) goes through here: the data goes to a temporary file in the
// same folder, is flushed to disk, and only then renamed over the target. A CLI killed mid-write (or a full disk)
// leaves the old file whole, which matters most for `--inplace`, where the old file is the user's notebook.
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, parse, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A file the CLI could not write (exit status 2: the run itself went fine). */
export class OutputError extends Error {}

/** The reason of a failed file operation, in words, e.g. "permission denied". */
function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: 'permission denied', EPERM: 'not permitted', EROFS: 'read-only file system', ENOSPC: 'no space left on the device',
    ENOENT: 'no such file or folder', ENOTDIR: 'a part of the path is a file, not a folder', EISDIR: 'it is a folder',
    EEXIST: 'a file is in the way', EDQUOT: 'disk quota exceeded',
  };
  return (code && words[code]) ?? (e as Error).message;
}

/**
 * Creates `dir` and its missing parents one by one. (Node's recursive mkdir loops forever on some
 * pseudo-filesystems, e.g. under /proc, where mkdir answers ENOENT for a parent that exists.)
 */
function makeFolder(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  for (;;) {
    try {
      if (!statSync(d).isDirectory()) throw new OutputError(`cannot create the folder ${dir}: ${d} is a file`);
      break;
    } catch (e) {
      if (e instanceof OutputError) throw e;
      if (d === parse(d).root) break;
      missing.push(d);
      d = dirname(d);
    }
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOENT from mkdir with the parent in place: a pseudo-filesystem (/proc, /sys) that takes no new folders
      if (code === 'ENOENT') throw new OutputError(`cannot create the folder ${m}: this file system does not allow it`);
      if (code !== 'EEXIST') throw new OutputError(`cannot create the folder ${m}: ${reason(e)}`);
    }
  }
}

/** The permission bits of an existing file, which its replacement keeps. */
function existingMode(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o7777;
  } catch {
    return undefined;
  }
}

/**
 * Writes `data` to `path` atomically: the file is either the old one or the whole new one, never a part.
 * Creates missing folders. Throws an OutputError that names the file and the reason.
 * @example writeFileAtomic('out/nb.ipynb', JSON.stringify(nb))
 */
export function writeFileAtomic(path: string, data: string): void {
  const target = resolve(path);
  const dir = dirname(target);
  makeFolder(dir);
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o644);
    const mode = existingMode(target);
    if (mode !== undefined) fchmodSync(fd, mode);
    writeFileSync(fd, data, 'utf8');
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try { unlinkSync(temp); } catch { /* it was never created, or is gone already */ }
    throw new OutputError(`cannot write ${path}: ${reason(e)}`);
  }
  // The rename is durable once the folder is flushed; not every filesystem lets a folder be opened for that.
  try {
    const dirFd = openSync(dir, 'r');
    try { fsyncSync(dirFd); } finally { closeSync(dirFd); }
  } catch { /* best effort */ }
}
