/*
 * Interrupting a cell without losing the kernel's variables.
 *
 * A cell can be stuck in two ways: busy (a synchronous loop, before or after an `await`: the main thread never
 * returns to the event loop, so it cannot read a message) or idle (awaiting a promise that never settles).
 * A watcher thread (interruptWatcher.ts) tells them apart and acts:
 *   1. the client writes the request's id and a newline to the interrupt pipe, which the watcher thread reads;
 *      it acts if that request is the one running, and keeps it for later if that request has not started yet
 *      (the pipe can overtake the `execute` message), so one interrupt is enough;
 *   2. the watcher asks the main thread, by message, to abandon its cell, and waits up to ASK_MS for the answer;
 *   3. no answer means the main thread is busy: the watcher opens an inspector session on the main thread and
 *      sends `Runtime.terminateExecution`, which unwinds the running JavaScript (the cell's frames and ours) back
 *      to the event loop and leaves the heap, so the globals, as they were; then it tells the main thread, which
 *      reports the cell as interrupted.
 * Node checks its async id stack when a callback returns; a timer callback terminated half-way leaves it
 * unbalanced, and the check aborts the process. So the kernel runs with `--no-force-async-hooks-checks` (see
 * KERNEL_EXEC_ARGV in kernel/client/protocol.ts), and the stack is reset right after each termination.
 * `vm`'s `breakOnSigint` only covers code inside the `runInThisContext` call, not what runs after an `await`;
 * termination covers both. Without the pipe (a client that does not open it), SIGINT and the `interrupt`
 * message still stop a cell that awaits, and `breakOnSigint` one that loops before its first `await`.
 */
import { Worker } from 'node:worker_threads';
import type { StartedMessage, WatcherData, WatcherMessage } from './interruptWatcher';
import { threadFile } from './threadFile';

/** Thrown after a termination to reset Node's async id stack; the uncaught-exception handler must ignore it. */
export const ASYNC_STACK_RESET = new Error('backprop: async stack reset after interrupt');

/** Shared with the watcher: int32 [0] 1 while it waits for the main thread's answer, [1] byte length of the running request's id; bytes from 8: that id. */
const MAX_ID_BYTES = 120;
const shared = new SharedArrayBuffer(8 + MAX_ID_BYTES);
const state = new Int32Array(shared, 0, 2);
const idBytes = new Uint8Array(shared, 8);

let watcher: Worker | undefined;

/**
 * Tells the watcher which request is running ('' for none); a request that starts may have been interrupted
 * already. Called by runContext.ts, which knows.
 */
export function noteRun(requestId: string): void {
  const bytes = Buffer.from(requestId, 'utf8').subarray(0, MAX_ID_BYTES);
  Atomics.store(state, 1, 0);
  idBytes.set(bytes);
  Atomics.store(state, 1, bytes.length);
  // After the id is in shared memory: the watcher either saw it running or gets this message later.
  if (requestId) watcher?.postMessage({ kind: 'started', requestId } satisfies StartedMessage);
}

/**
 * Starts the watcher on the interrupt pipe `fd`, on which the client writes the id of the request to stop and a
 * newline. `onInterrupt(requestId)` runs on the main thread once it is free again (at once if it was idle, after
 * termination if it was busy).
 */
export function watchInterrupts(fd: number, onInterrupt: (requestId: string) => void): void {
  let worker: Worker;
  try {
    worker = new Worker(threadFile('interruptWatcher'), { workerData: { shared, fd } satisfies WatcherData });
  } catch (e) {
    // SIGINT and the `interrupt` message still stop cells, only not busy ones after an `await`
    process.emitWarning(`interrupt watcher: ${(e as Error).message}`);
    return;
  }
  watcher = worker;
  worker.on('message', (m: WatcherMessage) => {
    if (m.kind === 'ask') {
      Atomics.store(state, 0, 0);
      Atomics.notify(state, 0);
    }
    onInterrupt(m.requestId);
    // Terminated callbacks (a timer's, a nextTick's) leave their entries on Node's async id stack; Node's
    // uncaught-exception path clears that stack, so take it once, on purpose (main.ts ignores this value).
    if (m.kind === 'terminated') throw ASYNC_STACK_RESET;
  });
  worker.on('error', (e) => process.emitWarning(`interrupt watcher: ${e.message}`));
  worker.unref();
}
