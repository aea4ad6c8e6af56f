/*
 * Interrupting a cell without losing the kernel's variables.
 *
 * A cell can be stuck in two ways: busy (a synchronous loop, before or after an `await`: the main thread never
 * returns to the event loop, so it cannot read a message) or idle (awaiting a promise that never settles).
 * A watcher thread tells them apart and acts:
 *   1. the client writes a byte to the interrupt pipe (fd INTERRUPT_FD), which the watcher thread reads;
 *   2. the watcher asks the main thread, by message, to abandon its cell, and waits up to ASK_MS for the answer;
 *   3. no answer means the main thread is busy: the watcher opens an inspector session on the main thread and
 *      sends `Runtime.terminateExecution`, which unwinds the running JavaScript (the cell's frames and ours) back
 *      to the event loop and leaves the heap, so the globals, as they were; then it tells the main thread, which
 *      reports the cell as interrupted.
 * Node checks its async id stack when a callback returns; a timer callback terminated half-way leaves it
 * unbalanced, and the check aborts the process. So the kernel runs with `--no-force-async-hooks-checks` (see
 * KERNEL_EXEC_ARGV in kernel/client.ts), and the stack is reset right after each termination.
 * `vm`'s `breakOnSigint` only covers code inside the `runInThisContext` call, not what runs after an `await`;
 * termination covers both. Without the pipe (a client that does not open it), SIGINT and the `interrupt`
 * message still stop a cell that awaits, and `breakOnSigint` one that loops before its first `await`.
 */
import { Worker } from 'node:worker_threads';

/** Thrown after a termination to reset Node's async id stack; the uncaught-exception handler must ignore it. */
export const ASYNC_STACK_RESET = Symbol('backprop: async stack reset after interrupt');

/** How long the watcher waits for an idle main thread to answer before it terminates the running code. */
const ASK_MS = 300;

const watcherSource = `
const { parentPort, workerData } = require('node:worker_threads');
const flag = new Int32Array(workerData.shared);
function interrupt() {
  Atomics.store(flag, 0, 1);
  parentPort.postMessage('ask');
  Atomics.wait(flag, 0, 1, ${ASK_MS});
  if (Atomics.load(flag, 0) === 0) return;
  // A session left connected would make the process print "Waiting for the debugger" when it exits.
  const session = new (require('node:inspector').Session)();
  session.connectToMainThread();
  session.post('Runtime.terminateExecution', () => {
    session.disconnect();
    Atomics.store(flag, 0, 0);
    parentPort.postMessage('terminated');
  });
}
const pipe = new (require('node:net').Socket)({ fd: workerData.fd, readable: true, writable: false });
pipe.on('data', interrupt);
pipe.on('error', () => {});
`;

/**
 * Starts the watcher on the interrupt pipe `fd`; `onInterrupt` runs on the main thread once it is free again
 * (immediately if it was idle, after termination if it was busy).
 */
export function watchInterrupts(fd: number, onInterrupt: () => void): void {
  const shared = new SharedArrayBuffer(4);
  const flag = new Int32Array(shared);
  const worker = new Worker(watcherSource, { eval: true, workerData: { shared, fd } });
  worker.on('message', (m) => {
    if (m === 'ask') {
      Atomics.store(flag, 0, 0);
      Atomics.notify(flag, 0);
    }
    onInterrupt();
    // Terminated callbacks (a timer's, a nextTick's) leave their entries on Node's async id stack; Node's
    // uncaught-exception path clears that stack, so take it once, on purpose (main.ts ignores this value).
    if (m === 'terminated') throw ASYNC_STACK_RESET;
  });
  worker.on('error', (e) => process.emitWarning(`interrupt watcher: ${e.message}`));
  worker.unref();
}
