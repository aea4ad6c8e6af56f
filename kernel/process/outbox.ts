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
 *
 * Text is bounded per cell: past `maxBytesPerCell` bytes (stdout and stderr together) a cell's text is dropped,
 * counted, and one note (a display output, updated in place when the cell ends) says how much. Its other outputs
 * (displays, graphs, its value, its errors) are not text and still flow. Text written while no cell runs (a timer
 * of a cell that ended, a stray error) is held, within the same bound, and goes out first in the next cell run.
 */
import { Worker } from 'node:worker_threads';
import type { KernelToClient } from '../client/protocol';
import type { RescuerData } from './outputRescuer';
import { newOutputId, runningCell } from './runContext';
import { threadFile } from './threadFile';

/** Pending text is sent when it reaches this size or this age, or before any other message. */
const FLUSH_BYTES = 16 * 1024;
const FLUSH_MS = 100;
const BURST = 20;

type StreamName = 'stdout' | 'stderr';

/** Stream bytes a cell keeps when the kernel is not told otherwise (BACKPROP_MAX_OUTPUT_BYTES): 16 MB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 2 ** 20;
/** The largest bound the kernel takes: the client's own safety net (CLIENT_STREAM_LIMIT_CHARS) stays above it. */
export const MAX_OUTPUT_BYTES_LIMIT = 32 * 2 ** 20;
/** Stray error reports a cell shows even past its text bound (they are what went wrong); later ones count as dropped. */
const REPORTS_PAST_BOUND = 20;
/** Characters of one such report shown past the bound (an error's message can be any length). */
const REPORT_CHARS = 64 * 1024;
/** While a cell runs on past its bound, its note's count is updated at most this often. */
const NOTE_UPDATE_MS = 1000;

let maxBytesPerCell = DEFAULT_MAX_OUTPUT_BYTES;
/** The bound of the cell running, or of the next one while none runs (held text counts against it). */
let budget = freshBudget();
/** Text written while no cell ran, for the next cell. */
const held: { name: StreamName; text: string }[] = [];

interface Budget { bytes: number; dropped: number; reports: number; note?: { requestId: string; outputId: string; dropped: number; at: number } }

function freshBudget(): Budget {
  return { bytes: 0, dropped: 0, reports: 0 };
}

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

/**
 * Sets the stream bytes a cell keeps (from BACKPROP_MAX_OUTPUT_BYTES at start).
 * @throws RangeError unless 0 < bytes <= MAX_OUTPUT_BYTES_LIMIT
 */
export function setMaxBytesPerCell(bytes: number): void {
  if (!(Number.isInteger(bytes) && bytes > 0 && bytes <= MAX_OUTPUT_BYTES_LIMIT)) {
    throw new RangeError(`the output bound must be a whole number of bytes from 1 to ${MAX_OUTPUT_BYTES_LIMIT}, got ${bytes}`);
  }
  maxBytesPerCell = bytes;
}

/** A cell run starts: the text held since the last one goes out first, as its output. */
export function openCellOutput(requestId: string): void {
  for (const { name, text } of held.splice(0)) post({ type: 'stream', requestId, name, text });
  if (budget.dropped > 0) noteDropped(requestId);
}

/** A cell run ends (its `done` goes next): the note gets its final count, and the next cell a fresh bound. */
export function closeCellOutput(requestId: string): void {
  flush();
  if (budget.note?.requestId === requestId && budget.note.dropped !== budget.dropped) noteDropped(requestId);
  budget = freshBudget();
}

/**
 * Writes a report of something that went wrong outside a cell's own flow (an error thrown by a timer) as stderr:
 * to the running cell, else held for the next one. Shown past the text bound, up to REPORTS_PAST_BOUND per cell.
 */
export function writeReport(text: string): void {
  if (budget.reports++ < REPORTS_PAST_BOUND) write('stderr', text.length > REPORT_CHARS ? `${text.slice(0, REPORT_CHARS)}…\n` : text, true);
  else write('stderr', text);
}

function write(name: StreamName, text: string, unbounded = false): void {
  inOutbox = true;
  try {
    const kept = unbounded ? text : bound(text);
    const run = runningCell();
    if (kept && run) coalesce(name, kept, run.requestId);
    else if (kept) hold(name, kept);
    // the note follows the last text kept; while the cell runs on, its count is brought up to date now and then
    if (run && budget.dropped > 0 && (!budget.note || Date.now() - budget.note.at >= NOTE_UPDATE_MS)) noteDropped(run.requestId);
  } finally { inOutbox = false; }
}

/** The part of `text` within the cell's bound; the rest is counted as dropped. */
function bound(text: string): string {
  const room = maxBytesPerCell - budget.bytes;
  const bytes = Buffer.byteLength(text);
  if (bytes <= room) {
    budget.bytes += bytes;
    return text;
  }
  const kept = prefixWithin(text, room);
  const keptBytes = Buffer.byteLength(kept);
  budget.bytes += keptBytes;
  budget.dropped += bytes - keptBytes;
  return kept;
}

/** The longest prefix of `text` of at most `room` UTF-8 bytes, not splitting a surrogate pair. */
function prefixWithin(text: string, room: number): string {
  if (room <= 0) return '';
  let end = Math.min(text.length, room);
  let bytes = Buffer.byteLength(text.slice(0, end));
  // a UTF-16 unit is 1 to 3 bytes: each step removes at least the excess
  while (bytes > room) {
    end -= Math.ceil((bytes - room) / 3);
    bytes = Buffer.byteLength(text.slice(0, end));
  }
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

/** Sends the truncation note of the cell, or updates it with the count so far. */
function noteDropped(requestId: string): void {
  const mb = maxBytesPerCell / 2 ** 20;
  const limit = Number.isInteger(mb) ? `${mb} MB` : `${maxBytesPerCell} bytes`;
  const text = `output truncated: ${budget.dropped} more bytes not shown (backprop.output.maxBytesPerCell: a cell keeps `
    + `${limit} of text; backprop-nb: --max-output-mb)`;
  const data = { 'text/plain': text };
  flush();
  if (budget.note?.requestId === requestId) post({ type: 'updateOutput', requestId, outputId: budget.note.outputId, data });
  else {
    budget.note = { requestId, outputId: newOutputId('display'), dropped: budget.dropped, at: 0 };
    post({ type: 'display', requestId, outputId: budget.note.outputId, data });
  }
  budget.note.dropped = budget.dropped;
  budget.note.at = Date.now();
}

function hold(name: StreamName, text: string): void {
  const last = held[held.length - 1];
  if (last?.name === name) last.text += text;
  else held.push({ name, text });
}

function coalesce(name: StreamName, text: string, requestId: string): void {
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
