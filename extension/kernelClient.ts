// One kernel process (dist/kernel.js) seen from the extension host: fork it, run cells through the typed
// protocol, interrupt, shut down, and notice when it dies. Knows nothing of VS Code, so node:test can drive it.
import { fork, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import {
  INTERRUPT_FD_ENV, KERNEL_EXEC_ARGV,
  type CellOutputMessage, type ClientToKernel, type DoneMessage, type ExecuteRequest, type KernelToClient, type ReadyMessage,
} from '../kernel/client/protocol';

/** The kernel's fd 4 is the interrupt pipe: a byte written there stops the running cell, even a busy loop. */
const interruptFd = 4;

/** Replies to the requests other than `execute`: one each, matched by requestId. */
type ReplyMessage = Extract<KernelToClient, { type: 'inspectReply' | 'variablesReply' | 'gradientCheckReply' | 'graphReply' }>;
/** The request that a reply type answers (without the requestId, which `request` assigns). */
type RequestFor<R extends ReplyMessage> = Omit<Extract<ClientToKernel, { type: R['type'] extends `${infer Q}Reply` ? Q : never }>, 'requestId'>;

export interface KernelStartOptions {
  /** Absolute path of dist/kernel.js. */
  kernelPath: string;
  /** The notebook's folder: relative paths and `require` of a cell resolve from there. */
  cwd: string;
  /** Added to the extension host's environment (e.g. BACKPROP_THREADS). */
  env?: Record<string, string>;
  /** Receives the kernel's own stdout/stderr lines and `log` messages. */
  log?: (line: string) => void;
}

/** What a cell run needs besides the code; `requestId` is the client's business. */
export type CellRun = Omit<ExecuteRequest, 'type' | 'requestId'>;

/** The kernel process ended while a cell ran or before it was ready; its variables are gone. */
export class KernelDiedError extends Error {
  constructor(readonly exitCode: number | null, readonly signal: string | null, readonly byClient: boolean) {
    super(byClient ? 'The kernel was shut down.'
      : `The kernel process died (${signal ? `signal ${signal}` : `exit code ${exitCode}`}).`);
    this.name = 'KernelDiedError';
  }
}

interface PendingRun {
  onOutput: (m: CellOutputMessage) => void;
  resolve: (done: DoneMessage) => void;
  reject: (e: Error) => void;
}

export class KernelClient {
  readonly ready: Promise<ReadyMessage>;
  private readonly child: ChildProcess;
  private readonly runs = new Map<string, PendingRun>();
  private readonly replies = new Map<string, { resolve: (m: ReplyMessage) => void; reject: (e: Error) => void }>();
  private readonly exitListeners = new Set<(e: KernelDiedError) => void>();
  private nextId = 1;
  private exitError: KernelDiedError | undefined;
  private shuttingDown = false;

  constructor(private readonly options: KernelStartOptions) {
    const log = options.log ?? (() => undefined);
    this.child = fork(options.kernelPath, [], {
      cwd: options.cwd,
      // the kernel's own flags, not the host's (a debugged extension host's --inspect-brk would stop the kernel too)
      execArgv: [...KERNEL_EXEC_ARGV],
      // In desktop VS Code process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it a plain Node.
      env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: '1', [INTERRUPT_FD_ENV]: String(interruptFd) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
      serialization: 'json',
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => { for (const l of text.split('\n')) if (l.trim()) log(`[kernel ${this.pid}] ${l}`); });
    }
    this.ready = new Promise<ReadyMessage>((resolve, reject) => {
      this.child.on('message', (m: KernelToClient) => {
        if (m.type === 'ready') resolve(m);
        else if (m.type === 'log') log(`[kernel ${this.pid}] ${m.level}: ${m.text}`);
        else this.dispatch(m);
      });
      this.onExit(reject);
    });
    // A kernel that never becomes ready is reported by whoever awaits `ready`; avoid an unhandled rejection here.
    this.ready.catch(() => undefined);
    this.child.on('error', (e) => log(`[kernel] ${e.message}`));
    // writing to the pipe of a kernel that just died fails with EPIPE: the exit handler reports the death
    this.child.stdio[interruptFd]?.on('error', () => undefined);
    this.child.on('exit', (code, signal) => {
      this.exitError = new KernelDiedError(code, signal, this.shuttingDown);
      log(`[kernel ${this.pid}] exited (${signal ?? `code ${code}`})`);
      for (const run of this.runs.values()) run.reject(this.exitError);
      this.runs.clear();
      for (const r of this.replies.values()) r.reject(this.exitError);
      this.replies.clear();
      for (const l of this.exitListeners) l(this.exitError);
    });
  }

  get pid(): number | undefined { return this.child.pid; }
  get alive(): boolean { return !this.exitError; }
  get busy(): boolean { return this.runs.size > 0; }

  /** Called once when the process ends, whatever the reason. */
  onExit(listener: (e: KernelDiedError) => void): () => void {
    if (this.exitError) { listener(this.exitError); return () => undefined; }
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /**
   * Runs one cell. `onOutput` gets its outputs in order; resolves with the kernel's `done`, rejects with
   * KernelDiedError when the process ends first.
   */
  execute(run: CellRun, onOutput: (m: CellOutputMessage) => void): Promise<DoneMessage> {
    const requestId = `r${this.nextId++}`;
    return new Promise<DoneMessage>((resolve, reject) => {
      if (this.exitError) { reject(this.exitError); return; }
      // registered at once, so an interrupt that comes before the kernel is ready still finds the run
      this.runs.set(requestId, { onOutput, resolve, reject });
      this.ready.then(() => {
        if (!this.runs.has(requestId)) return;
        this.send({ type: 'execute', requestId, ...run });
      }, () => undefined);   // the exit handler rejects the run
    });
  }

  /**
   * Stops the running cell, keeping the variables. A cell in a synchronous loop never reads the IPC channel, so
   * the request's id on the interrupt pipe (read by a watcher thread in the kernel) does that; the message covers
   * a cell that awaits forever. Once is enough: the kernel keeps an interrupt that overtakes the `execute` message
   * (or comes while it is still starting) until that request starts. Naming the request keeps an interrupt that
   * comes late from stopping the cell that runs next.
   */
  interrupt(): void {
    if (!this.alive) return;
    const pipe = this.child.stdio[interruptFd] as Writable | null;
    for (const requestId of this.runs.keys()) {
      if (pipe && !pipe.destroyed) pipe.write(`${requestId}\n`);
      this.send({ type: 'interrupt', requestId });
    }
  }

  /** Asks the kernel to exit; kills it if it has not within `graceMs`. */
  async shutdown(graceMs = 2000): Promise<void> {
    if (!this.alive) return;
    this.shuttingDown = true;
    const exited = new Promise<void>((resolve) => this.onExit(() => resolve()));
    this.send({ type: 'shutdown' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Sends a request that the kernel answers with one reply (inspect, variables, gradientCheck, graph). The kernel
   * reads requests only when no cell holds its thread, so callers that must not wait give a `timeoutMs`. Aborting
   * `signal` stops a request that holds the kernel's thread (a gradient check: its reply then says `cancelled`).
   * @example const reply = await kernel.request<InspectReply>({ type: 'inspect', expression: 'w' }, 2000);
   */
  async request<R extends ReplyMessage>(message: RequestFor<R>, timeoutMs?: number, signal?: AbortSignal): Promise<R> {
    await this.ready;
    const requestId = `q${this.nextId++}`;
    return new Promise<R>((resolve, reject) => {
      if (this.exitError) { reject(this.exitError); return; }
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        this.replies.delete(requestId);
        reject(new Error(`the kernel did not answer within ${timeoutMs} ms (busy running a cell?)`));
      }, timeoutMs);
      // the id on the interrupt pipe: the kernel's watcher thread stops the request even while it computes
      const stop = () => {
        const pipe = this.alive ? this.child.stdio[interruptFd] as Writable | null : null;
        if (pipe && !pipe.destroyed) pipe.write(`${requestId}\n`);
      };
      signal?.addEventListener('abort', stop, { once: true });
      const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', stop); };
      this.replies.set(requestId, {
        resolve: (m) => { done(); resolve(m as R); },
        reject: (e) => { done(); reject(e); },
      });
      this.send({ ...message, requestId } as ClientToKernel);
    });
  }

  private dispatch(m: KernelToClient): void {
    if (!('requestId' in m)) return;
    if (m.type === 'inspectReply' || m.type === 'variablesReply' || m.type === 'gradientCheckReply' || m.type === 'graphReply') {
      const waiting = this.replies.get(m.requestId);
      this.replies.delete(m.requestId);
      waiting?.resolve(m);
      return;
    }
    const run = this.runs.get(m.requestId);
    if (!run) return;
    if (m.type === 'done') {
      this.runs.delete(m.requestId);
      run.resolve(m);
    } else {
      run.onOutput(m);
    }
  }

  private send(m: ClientToKernel): void {
    if (this.child.connected) this.child.send(m);
  }
}
