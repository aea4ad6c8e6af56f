/*
 * The kernel runs as the leader of its own process group (forked with `detached: true`), so that ending it also
 * ends what its cells started (a `spawn('python', …)`, an `exec` of a server), as Jupyter does: SIGTERM to the
 * group, then SIGKILL to whatever is left after a grace period. Windows has no process groups: there only the
 * kernel itself is killed.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Whether kernels get their own process group here. */
export const OWN_PROCESS_GROUP = process.platform !== 'win32';

/** Sends `signal` to every process of the group led by `pgid`; false when the group has no process left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}

/**
 * Whether a process of the group is still running. A process that has ended stays in its group as a zombie until
 * its parent reaps it, and the kernel's orphans are reaped by init, sometimes seconds later: on Linux, /proc tells
 * the zombies apart; elsewhere they count as running.
 */
function groupRunning(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true;
  }
  return pids.some((pid) => {
    try {
      // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so read after its last ')'
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(pgrp) === pgid && state !== 'Z' && state !== 'X';
    } catch {
      return false;   // ended while we looked
    }
  });
}

/**
 * Ends the group led by `pgid`: SIGTERM, then SIGKILL after `graceMs` if a process still runs. Resolves when no
 * process of the group runs any more, or right after the SIGKILL.
 */
export async function endGroup(pgid: number, graceMs: number): Promise<void> {
  if (!OWN_PROCESS_GROUP || !signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (groupRunning(pgid)) {
    if (Date.now() >= deadline) { signalGroup(pgid, 'SIGKILL'); return; }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Groups of kernels still running, killed when this process exits (their IPC channel alone would end only the kernel). */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Keeps `pgid` on the list of groups to kill if this process exits first; returns the function that takes it off. */
export function killGroupOnExit(pgid: number): () => void {
  if (!OWN_PROCESS_GROUP) return () => undefined;
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => { for (const g of liveGroups) signalGroup(g, 'SIGKILL'); });
  }
  liveGroups.add(pgid);
  return () => liveGroups.delete(pgid);
}
