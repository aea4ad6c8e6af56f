/*
 * One kernel process seen from the client: its IPC channel, its interrupt pipe, and the table of what waits on them
 * (cell runs and tool requests, by requestId). Modelled on vscode-jsonrpc's connection: requests are typed by a map
 * from request type to reply type, each one can be cancelled through an AbortSignal, and the moment the process
 * ends every pending one is rejected with a KernelDiedError (later ones are rejected at once).
 *
 *   const reply = await connection.request('inspect', { expression: 'w.grad' }, 'q7');   // Promise<InspectReply>
 */
import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { CellOutputMessage, ClientToKernel, DoneMessage, ExecuteRequest, KernelToClient, ReadyMessage } from './protocol';

/** A reply to a tool request: exactly one per request, matched by requestId. */
type ToolReply = Extract<KernelToClient, { type: `${string}Reply` }>;
type Unreply<T> = T extends `${infer Request}Reply` ? Request : never;

/** The tool requests: 'inspect' | 'variables' | 'gradientCheck' | 'graph' (each answered by its `…Reply`). */
export type RequestType = Unreply<ToolReply['type']>;

/** The reply each request type resolves to: `request('inspect', …)` gives an InspectReply. */
export type ReplyTo = { [K in RequestType]: Extract<ToolReply, { type: `${K}Reply` }> };

/** What a request of type K carries besides its type and id (the client assigns the id). */
export type RequestParams<K extends RequestType> = Omit<Extract<ClientToKernel, { type: K }>, 'type' | 'requestId'>;

export interface RequestOptions {
  /**
   * Aborting stops a request that holds the kernel's thread (a gradient check: its reply then has `cancelled` set);
   * a request still waiting for the kernel is answered when the kernel gets to it.
   */
  signal?: AbortSignal;
  /** Reject when the kernel has not answered in this time (it answers only between cells, or while one awaits). */
  timeoutMs?: number;
}

/** How a kernel process ended. */
export interface KernelExit {
  exitCode: number | null;
  signal: string | null;
  /** The tail of what the process wrote to stdout/stderr outside any cell. */
  stderr: string;
  /** True when the client ended it (shutdown, restart). */
  byClient: boolean;
  /** True when it ended before it sent `ready`. */
  beforeReady?: boolean;
}

/** The line that says why a process died (V8's "FATAL ERROR: ... heap out of memory", Node's "Error: ..."), not its native stack. */
export function crashDetail(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const fatal = lines.find((l) => /FATAL ERROR|out of memory|^Error\b|Assertion failed/.test(l));
  return (fatal ?? lines.filter((l) => !/^\d+: 0x|^-+ Native stack/.test(l)).pop() ?? '').slice(0, 300);
}

/**
 * Why a kernel the client did not stop may have ended: V8's or Node's crash line when it wrote one, else for a
 * SIGKILL the likeliest sender (the system's out-of-memory killer; a V8 heap exhaustion writes its own line).
 */
export function deathCause(exit: Pick<KernelExit, 'signal' | 'stderr'>): string {
  const detail = crashDetail(exit.stderr);
  if (detail) return detail;
  return exit.signal === 'SIGKILL' ? "it may have been killed for using too much memory (the system's out-of-memory killer sends SIGKILL)" : '';
}

/** The kernel process ended (crash, kill, exit, or the client's shutdown or restart); its variables are gone. */
export class KernelDiedError extends Error {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  readonly byClient: boolean;
  /** The crash message the process wrote, if any (e.g. "FATAL ERROR: ... JavaScript heap out of memory"). */
  readonly detail: string;

  constructor(exit: KernelExit) {
    const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.exitCode}`;
    const detail = crashDetail(exit.stderr), cause = deathCause(exit);
    super(exit.byClient ? 'The kernel was shut down.'
      : exit.beforeReady ? `The kernel process exited before it was ready (${how})${detail ? `: ${detail}` : ''}.`
        : `The kernel process died (${how})${cause ? `: ${cause}` : ''}.`);
    this.name = 'KernelDiedError';
    this.exitCode = exit.exitCode;
    this.signal = exit.signal;
    this.stderr = exit.stderr;
    this.byClient = exit.byClient;
    this.detail = detail;
  }
}

interface PendingRun {
  onOutput: (m: CellOutputMessage) => void;
  resolve: (done: DoneMessage) => void;
  reject: (e: Error) => void;
}

interface PendingRequest {
  resolve: (reply: ToolReply) => void;
  reject: (e: Error) => void;
}

export class KernelConnection {
  /** Resolves when the kernel can take requests; rejects if the process ends first. */
  readonly ready: Promise<ReadyMessage>;
  private readonly runs = new Map<string, PendingRun>();
  private readonly requests = new Map<string, PendingRequest>();
  private closedWith: KernelDiedError | undefined;
  private rejectReady!: (e: Error) => void;

  /**
   * @param child a forked kernel (IPC channel, JSON serialization)
   * @param interruptPipe the kernel's interrupt pipe: `<requestId>\n` stops that request even in a busy loop
   * @param log receives the kernel's `log` messages
   */
  constructor(private readonly child: ChildProcess, private readonly interruptPipe: Writable | null, log: (line: string) => void) {
    this.ready = new Promise<ReadyMessage>((resolve, reject) => {
      this.rejectReady = reject;
      child.on('message', (m: KernelToClient) => {
        if (m.type === 'ready') resolve(m);
        else if (m.type === 'log') log(`${m.level}: ${m.text}`);
        else this.dispatch(m);
      });
    });
    // Whoever awaits `ready` sees the rejection; this one only keeps it from counting as unhandled.
    this.ready.catch(() => undefined);
    // Writing to the pipe of a kernel that just died fails with EPIPE: the exit is reported by close().
    interruptPipe?.on('error', () => undefined);
  }

  /** Set once the process has ended: the error every request got. */
  get closed(): KernelDiedError | undefined { return this.closedWith; }

  /** The runs in flight, by requestId. */
  get runningIds(): string[] { return [...this.runs.keys()]; }

  /**
   * Sends one cell run (once the kernel is ready). `onOutput` gets its outputs in order; resolves with the kernel's
   * `done`, rejects with KernelDiedError when the process ends first. Aborting `signal` interrupts the run (also
   * before it started: the kernel keeps an interrupt for a request it has not seen yet).
   */
  execute(message: ExecuteRequest, onOutput: (m: CellOutputMessage) => void, signal?: AbortSignal): Promise<DoneMessage> {
    const { requestId } = message;
    return new Promise<DoneMessage>((resolve, reject) => {
      if (this.closedWith) { reject(this.closedWith); return; }
      const stop = () => this.interruptRun(requestId);
      const settle = () => { signal?.removeEventListener('abort', stop); this.runs.delete(requestId); };
      this.runs.set(requestId, {
        onOutput,
        resolve: (done) => { settle(); resolve(done); },
        reject: (e) => { settle(); reject(e); },
      });
      this.ready.then(() => { if (this.runs.has(requestId)) this.send(message); }, () => undefined);
      if (signal?.aborted) stop();
      else signal?.addEventListener('abort', stop, { once: true });
    });
  }

  /** Sends a tool request and resolves with its reply; rejects with KernelDiedError when the process ends first. */
  request<K extends RequestType>(type: K, params: RequestParams<K>, requestId: string, options: RequestOptions = {}): Promise<ReplyTo[K]> {
    const { signal, timeoutMs } = options;
    return new Promise<ReplyTo[K]>((resolve, reject) => {
      if (this.closedWith) { reject(this.closedWith); return; }
      // the id on the interrupt pipe: the kernel's watcher thread stops the request even while it computes
      const stop = () => this.writeInterrupt(requestId);
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        this.requests.get(requestId)?.reject(new Error(`the kernel did not answer within ${timeoutMs} ms (busy running a cell?)`));
      }, timeoutMs);
      const settle = () => { clearTimeout(timer); signal?.removeEventListener('abort', stop); this.requests.delete(requestId); };
      this.requests.set(requestId, {
        resolve: (reply) => { settle(); resolve(reply as ReplyTo[K]); },
        reject: (e) => { settle(); reject(e); },
      });
      signal?.addEventListener('abort', stop, { once: true });
      this.ready.then(() => { if (this.requests.has(requestId)) this.send({ ...params, type, requestId } as ClientToKernel); }, () => undefined);
    });
  }

  /**
   * Stops a running cell, keeping the variables. A cell in a synchronous loop never reads the IPC channel, so the
   * request's id on the interrupt pipe (read by a watcher thread in the kernel) does that; the message covers a cell
   * that awaits forever. Naming the request keeps a late interrupt from stopping the cell that runs next.
   */
  interruptRun(requestId: string): void {
    if (this.closedWith) return;
    this.writeInterrupt(requestId);
    this.send({ type: 'interrupt', requestId });
  }

  /** Asks the kernel to exit (it does not answer). */
  shutdown(): void {
    this.send({ type: 'shutdown' });
  }

  /** The process has ended: every pending run and request is rejected with `error`, and so is every later one. */
  close(error: KernelDiedError): void {
    if (this.closedWith) return;
    this.closedWith = error;
    this.rejectReady(error);
    for (const run of [...this.runs.values()]) run.reject(error);
    for (const request of [...this.requests.values()]) request.reject(error);
  }

  private dispatch(m: KernelToClient): void {
    if (!('requestId' in m)) return;
    if (m.type.endsWith('Reply')) {
      this.requests.get(m.requestId)?.resolve(m as ToolReply);
      return;
    }
    const run = this.runs.get(m.requestId);
    if (!run) return;
    if (m.type === 'done') run.resolve(m);
    else run.onOutput(m as CellOutputMessage);
  }

  private writeInterrupt(requestId: string): void {
    const pipe = this.interruptPipe;
    if (!this.closedWith && pipe && !pipe.destroyed) pipe.write(`${requestId}\n`);
  }

  private send(m: ClientToKernel): void {
    // a channel that closes between the check and the write reports through the callback, not by throwing
    if (!this.closedWith && this.child.connected) this.child.send(m, () => undefined);
  }
}
