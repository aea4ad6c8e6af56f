/*
 * The kernel's one way out: every message to the client goes through `send`. Text the cells write
 * (console.*, process.stdout/stderr.write) is captured here and sent as `stream` messages of the cell that is
 * running, coalesced so that a loop printing 10,000 lines sends a few hundred messages, yet in order with the
 * other outputs (any other message flushes the pending text first). A cell that prints little has its text sent
 * at once, so a print before a long synchronous loop shows while the loop runs.
 */
import type { KernelToClient } from './protocol';

/** Pending text is sent when it reaches this size or this age, or before any other message. */
const FLUSH_BYTES = 16 * 1024;
const FLUSH_MS = 100;
const BURST = 20;

type StreamName = 'stdout' | 'stderr';

let pending: { name: StreamName; text: string; requestId: string } | null = null;
let pendingSince = 0;
let windowStart = 0;
let windowWrites = 0;
let timer: NodeJS.Timeout | null = null;
/** The request whose cell is running, or the last one: text written by timers after a cell ends goes there. */
let requestId = '';

/** Sends a message to the client, after any text still pending. */
export function send(message: KernelToClient): void {
  flush();
  post(message);
}

function post(message: KernelToClient): void {
  // Without a channel (run directly with node), print the messages: handy for debugging the kernel.
  if (process.send) process.send(message);
  else originalStderrWrite(JSON.stringify(message) + '\n');
}

/** Routes captured text to this request from now on. */
export function setRequest(id: string): void {
  flush();
  requestId = id;
}

export function currentRequest(): string {
  return requestId;
}

/** Sends the pending text now. */
export function flush(): void {
  if (timer) { clearTimeout(timer); timer = null; }
  if (!pending) return;
  const { name, text, requestId: id } = pending;
  pending = null;
  post({ type: 'stream', requestId: id, name, text });
}

function write(name: StreamName, text: string): void {
  if (pending && (pending.name !== name || pending.requestId !== requestId)) flush();
  const now = Date.now();
  // Text goes at once (a print before a long loop must show while it runs) unless the cell prints a lot:
  // beyond BURST writes in FLUSH_MS, it is coalesced.
  if (now - windowStart >= FLUSH_MS) { windowStart = now; windowWrites = 0; }
  if (!pending && ++windowWrites <= BURST) {
    post({ type: 'stream', requestId, name, text });
    return;
  }
  if (!pending) { pending = { name, text: '', requestId }; pendingSince = now; }
  pending.text += text;
  if (pending.text.length >= FLUSH_BYTES || now - pendingSince >= FLUSH_MS) flush();
  else if (!timer) { timer = setTimeout(flush, FLUSH_MS); timer.unref(); }
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
  process.stdout.write = capture('stdout') as typeof process.stdout.write;
  process.stderr.write = capture('stderr') as typeof process.stderr.write;
}
