/*
 * The kernel's one way out: every message to the client goes through `send`. Text the cells write
 * (console.*, process.stdout/stderr.write) is captured here and sent as `stream` messages of the cell that is
 * running, coalesced so that a loop printing 10,000 lines sends a few hundred messages, yet in order with the
 * other outputs (any other message flushes the pending text first). A cell that prints little has its text sent
 * at once, so a print before a long synchronous loop shows while the loop runs.
 *
 * Text held in a burst goes out at the next write once it is FLUSH_MS old, at the end of the current macrotask,
 * or before any other message; and if the cell keeps the thread busy without writing (a long loop right after
 * a burst of prints), a helper thread (outputRescuer.ts) notices the batch is FLUSH_MS old and has the main thread send it through
 * an inspector `Runtime.evaluate`, which V8 runs at the loop's next interrupt check. So text never waits behind
 * a long synchronous stretch.
 */
import { Worker } from 'node:worker_threads';
import type { KernelToClient } from '../client/protocol';
import type { RescuerData } from './outputRescuer';
import { outputRequestId } from './runContext';
import { threadFile } from './threadFile';

/** Pending text is sent when it reaches this size or this age, or before any other message. */
const FLUSH_BYTES = 16 * 1024;
const FLUSH_MS = 100;
const BURST = 20;

type StreamName = 'stdout' | 'stderr';

let pending: { name: StreamName; text: string; requestId: string } | null = null;
let pendingSince = 0;
let windowStart = 0;
let windowWrites = 0;
let timer: NodeJS.Immediate | null = null;

/** Shared with the rescuer thread: the number of the batch pending (0: none). */
const pendingBatch = new Int32Array(new SharedArrayBuffer(4));
let batches = 0;
let rescuer: Worker | undefined;
/** True while outbox code runs: a rescue that interrupts it must not touch the batch (the code will send it). */
let inOutbox = false;
/** What the rescuer evaluates on the main thread (a symbol: not a name cells see). */
const RESCUE = Symbol.for('backprop.flushOutput');
const RESCUE_EXPRESSION = 'globalThis[Symbol.for("backprop.flushOutput")]?.()';

/** Sends a message to the client, after any text still pending. */
export function send(message: KernelToClient): void {
  inOutbox = true;
  try {
    flush();
    post(message);
  } finally {
    inOutbox = false;
  }
}

function post(message: KernelToClient): void {
  // Without a channel (run directly with node), print the messages: handy for debugging the kernel.
  if (process.send) process.send(message);
  else originalStderrWrite(JSON.stringify(message) + '\n');
}

/** After running code was terminated from outside: it may have been inside the outbox, whose `finally` it skipped. */
export function outboxAfterTermination(): void {
  inOutbox = false;
}

/** Sends the pending text now. */
export function flush(): void {
  if (timer) { clearImmediate(timer); timer = null; }
  if (!pending) return;
  const { name, text, requestId: id } = pending;
  pending = null;
  Atomics.store(pendingBatch, 0, 0);
  post({ type: 'stream', requestId: id, name, text });
}

function write(name: StreamName, text: string): void {
  inOutbox = true;
  try { coalesce(name, text); } finally { inOutbox = false; }
}

function coalesce(name: StreamName, text: string): void {
  // the running cell's, or the last one's: text written by timers after a cell ends goes there
  const requestId = outputRequestId();
  if (pending && (pending.name !== name || pending.requestId !== requestId)) flush();
  const now = Date.now();
  // Text goes at once (a print before a long loop must show while it runs) unless the cell prints a lot:
  // beyond BURST writes in FLUSH_MS, it is coalesced.
  if (now - windowStart >= FLUSH_MS) { windowStart = now; windowWrites = 0; }
  if (!pending && ++windowWrites <= BURST) {
    post({ type: 'stream', requestId, name, text });
    return;
  }
  if (!pending) {
    pending = { name, text: '', requestId };
    pendingSince = now;
    Atomics.store(pendingBatch, 0, ++batches);
    rescuer?.postMessage(batches);
  }
  pending.text += text;
  if (pending.text.length >= FLUSH_BYTES || now - pendingSince >= FLUSH_MS) flush();
  else if (!timer) timer = setImmediate(flush);
}

const originalStderrWrite = process.stderr.write.bind(process.stderr);

/** Captures process.stdout/stderr (and so console.*: log/info/debug → stdout, warn/error → stderr). */
export function captureStdio(): void {
  const capture = (name: StreamName) => function (this: unknown, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8');
    write(name, text);
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (typeof cb === 'function') queueMicrotask(() => (cb as () => void)());
    return true;
  };
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  (globalThis as Record<symbol, unknown>)[RESCUE] = () => { if (!inOutbox) flush(); };
  const workerData: RescuerData = { shared: pendingBatch.buffer, flushMs: FLUSH_MS, flushExpression: RESCUE_EXPRESSION };
  try {
    rescuer = new Worker(threadFile('outputRescuer'), { workerData });
  } catch (e) {
    // text still goes out, only not during a long synchronous stretch after a burst of prints
    originalStderrWrite(`output rescuer: ${(e as Error).message}\n`);
    return;
  }
  rescuer.on('error', (e) => originalStderrWrite(`output rescuer: ${e.message}\n`));
  rescuer.unref();
}
