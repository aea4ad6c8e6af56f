/*
 * The one kernel client, used by the extension host, the CLI and the tests (it imports only Node modules). One
 * client per notebook: it forks dist/kernel.js (in its own process group, with an IPC channel and an interrupt
 * pipe) when first needed and again after the process died or was restarted; runs cells one at a time through
 * its run queue; sends typed tool requests; interrupts, restarts and shuts down. When the process ends, everything
 * pending on it is rejected at once with a KernelDiedError.
 *
 *   const kernel = await KernelClient.start({ kernelPath: 'dist/kernel.js' });
 *   const result = await kernel.run('const x = 1 + 1\nx');          // { status: 'ok', outputs: [executeResult 2] }
 *   const reply = await kernel.request('inspect', { expression: 'x' }); // InspectReply
 *   kernel.interrupt();                                               // stops the running cell, keeps the variables
 *   await kernel.shutdown();
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import {
  INTERRUPT_FD_ENV, KERNEL_EXEC_ARGV, type CellLanguage, type CellOutputMessage, type DoneMessage, type ExecuteRequest,
  type ReadyMessage,
} from './protocol';
import {
  deathCause, KernelConnection, KernelDiedError, type ReplyTo, type RequestOptions, type RequestParams, type RequestType,
} from './connection';
import { OutputCollector, type CellOutput, type CellResult } from './cellResult';
import { endGroup, killGroupOnExit, OWN_PROCESS_GROUP, signalGroup } from './processGroup';
import { RunQueue } from './queue';

export { KernelDiedError, type KernelExit, type ReplyTo, type RequestOptions, type RequestParams, type RequestType } from './connection';
export { CLIENT_STREAM_LIMIT_CHARS, type CellOutput, type CellResult } from './cellResult';

/** The kernel's stdio: stdin, stdout, stderr, IPC, and the interrupt pipe (`<requestId>\n` interrupts that request). */
const INTERRUPT_FD = 4;

/** Text the kernel process wrote outside any cell (native crash messages, out-of-memory reports) is kept up to this size. */
const STDERR_TAIL = 4000;

export interface KernelClientOptions {
  /** Path of the kernel script; defaults to kernel.js next to this file (dist/ when bundled). */
  kernelPath?: string;
  /** Working directory of the kernel process (the notebook's folder); a function is asked at each start. */
  cwd?: string | (() => string);
  /** Added to the environment; a function is asked at each start (settings may have changed). */
  env?: Record<string, string> | (() => Record<string, string>);
  /** Extra Node flags for the kernel, e.g. ['--max-old-space-size=256']. */
  execArgv?: string[];
  /** Receives the kernel's own stdout/stderr lines, its `log` messages, and its starts and exits. */
  log?: (line: string) => void;
  /** How long the kernel (then what is left of its process group) gets to end before it is killed; default 1000 ms. */
  graceMs?: number;
  /** Stream characters `run()` keeps per cell (CLIENT_STREAM_LIMIT_CHARS by default). */
  streamLimit?: number;
}

/** A cell run as `execute` takes it: the request without its id, which the client assigns. */
export type CellRun = Omit<ExecuteRequest, 'type' | 'requestId'>;

export interface RunOptions {
  executionCount?: number;
  cellId?: string;
  language?: CellLanguage;
  notebookPath?: string;
  cwd?: string;
  /** Called with each output message as it arrives. */
  onMessage?: (message: CellOutputMessage) => void;
  /** Aborting cancels the run while it is queued, and interrupts it once it runs. */
  signal?: AbortSignal;
}

/** One forked kernel process and its connection. */
interface KernelProcess {
  child: ChildProcess;
  connection: KernelConnection;
  /** The client is ending it (shutdown, restart): its death is not a crash. */
  stopping: boolean;
  /** Resolves when the process, then the rest of its group, has ended. */
  ended: Promise<void>;
}

export class KernelClient {
  /** The cells of this kernel run one at a time through this queue; so do tool turns that must wait for them. */
  readonly queue = new RunQueue();
  private current: KernelProcess | undefined;
  /** A restart or shutdown in progress: starts wait for it. */
  private transition: Promise<unknown> | undefined;
  private closed = false;
  private nextId = 1;
  private executionCount = 0;
  private lastPid: number | undefined;
  private readonly exitListeners = new Set<(e: KernelDiedError) => void>();
  private readonly log: (line: string) => void;

  constructor(private readonly options: KernelClientOptions = {}) {
    this.log = options.log ?? (() => undefined);
  }

  /** A client with its kernel started and ready. */
  static async start(options: KernelClientOptions = {}): Promise<KernelClient> {
    const client = new KernelClient(options);
    await client.start();
    return client;
  }

  /** True while a kernel process is up (or starting). */
  get alive(): boolean { return !!this.current && !this.current.connection.closed; }
  /** The pid of the current kernel process, or of the last one once it has ended. */
  get pid(): number | undefined { return this.lastPid; }
  /** True while a cell runs or waits. */
  get busy(): boolean { return !this.queue.idle; }

  /** Called each time a kernel process ends, whatever the reason; returns the function that removes the listener. */
  onExit(listener: (e: KernelDiedError) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Starts a kernel process unless one is up or starting; resolves when it is ready. */
  async start(): Promise<ReadyMessage> {
    while (this.transition) await this.transition.catch(() => undefined);
    if (this.closed) throw new KernelDiedError({ exitCode: null, signal: null, stderr: '', byClient: true });
    return (this.alive ? this.current! : this.spawn()).connection.ready;
  }

  /**
   * Runs one cell and resolves with its outputs when it is done. Cells run one at a time in call order; when one
   * does not end 'ok', the cells queued behind it are cancelled. A dead kernel is replaced first; one that dies
   * during the run gives status 'died' and a KernelDied error output.
   */
  run(code: string, options: RunOptions = {}): Promise<CellResult> {
    return this.queue.run<CellResult>((signal) => this.collect(code, options, signal), {
      signal: options.signal,
      failed: (r) => r.status !== 'ok',
      cancelled: () => ({ status: 'cancelled', outputs: [], durationMs: 0 }),
    });
  }

  /**
   * Runs one cell now, outside the queue (for a caller that holds the queue's turn, like the extension's
   * controller). `onOutput` gets its outputs in order; resolves with the kernel's `done`; rejects with
   * KernelDiedError when the process ends first. Aborting `signal` interrupts the run.
   */
  async execute(cell: CellRun, onOutput: (m: CellOutputMessage) => void, signal?: AbortSignal): Promise<DoneMessage> {
    await this.start();
    const requestId = `r${this.nextId++}`;
    return this.current!.connection.execute({ type: 'execute', requestId, ...cell }, onOutput, signal);
  }

  /**
   * Sends a tool request and resolves with its reply; rejects with KernelDiedError if the process ends first. The
   * kernel answers only between cells (or while one awaits), so callers that must not wait give a `timeoutMs`.
   * @example const reply = await kernel.request('inspect', { expression: 'w.grad' }, { timeoutMs: 3000 });
   */
  async request<K extends RequestType>(type: K, params: RequestParams<K>, options: RequestOptions = {}): Promise<ReplyTo[K]> {
    while (this.transition) await this.transition.catch(() => undefined);
    // a kernel that died stays dead for requests: a fresh one would know nothing of what was asked about
    const kernel = this.current ?? (await this.start(), this.current!);
    return kernel.connection.request(type, params, `q${this.nextId++}`, options);
  }

  /** Stops the running cell (the kernel keeps its variables) and cancels the queued ones. */
  interrupt(): void {
    this.queue.interrupt();
    // runs sent with execute() outside the queue
    const kernel = this.current;
    if (kernel) for (const id of kernel.connection.runningIds) kernel.connection.interruptRun(id);
  }

  /** A fresh kernel: the queued cells are cancelled, the old process group ended, every variable is gone. */
  async restart(): Promise<ReadyMessage> {
    this.queue.cancelQueued();
    await this.stop();
    this.executionCount = 0;
    return this.start();
  }

  /** Ends the kernel process group; the client is done (later runs and requests are rejected). */
  async shutdown(): Promise<void> {
    this.closed = true;
    this.queue.cancelQueued();
    await this.stop();
  }

  private spawn(): KernelProcess {
    const { options } = this;
    const env = typeof options.env === 'function' ? options.env() : options.env;
    const child = fork(options.kernelPath ?? join(__dirname, 'kernel.js'), [], {
      cwd: typeof options.cwd === 'function' ? options.cwd() : options.cwd,
      // Under VS Code, process.execPath is Electron: this makes it a plain Node.
      env: { ...process.env, ...env, ELECTRON_RUN_AS_NODE: '1', [INTERRUPT_FD_ENV]: String(INTERRUPT_FD) },
      // the kernel's own flags, not the host's (a debugged extension host's --inspect-brk would stop the kernel too)
      execArgv: [...KERNEL_EXEC_ARGV, ...options.execArgv ?? []],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
      serialization: 'json',
      detached: OWN_PROCESS_GROUP,
    });
    const pid = child.pid;
    this.lastPid = pid;
    const connection = new KernelConnection(child, child.stdio[INTERRUPT_FD] as Writable | null, (l) => this.log(`[kernel ${pid}] ${l}`));
    let stderr = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => {
        stderr = (stderr + text).slice(-STDERR_TAIL);
        for (const l of text.split('\n')) if (l.trim()) this.log(`[kernel ${pid}] ${l}`);
      });
    }
    const forget = pid === undefined ? () => undefined : killGroupOnExit(pid);
    let ready = false;
    void connection.ready.then(() => { ready = true; }, () => undefined);
    const kernel: KernelProcess = {
      child, connection, stopping: false,
      ended: new Promise<void>((resolve) => {
        let reported = false;
        const died = (exitCode: number | null, signal: string | null) => {
          if (reported) return;
          reported = true;
          const error = new KernelDiedError({ exitCode, signal, stderr, byClient: kernel.stopping, beforeReady: !ready });
          this.log(`[kernel ${pid}] exited (${signal ?? `code ${exitCode}`})`);
          connection.close(error);
          for (const l of [...this.exitListeners]) l(error);
          // what its cells started goes with it (a crash included); its pipes then close, so nothing keeps us waiting
          const group = pid === undefined ? Promise.resolve() : endGroup(pid, this.graceMs);
          void group.finally(() => { forget(); resolve(); });
        };
        child.once('exit', died);
        child.on('error', (e) => {
          this.log(`[kernel] ${e.message}`);
          // the fork itself failed (too many processes): no 'exit' follows
          if (pid === undefined) died(null, null);
        });
      }),
    };
    this.current = kernel;
    return kernel;
  }

  private get graceMs(): number { return this.options.graceMs ?? 1000; }

  /** Ends the current process: asks it to exit, kills its group if it has not within the grace period. */
  private stop(): Promise<void> {
    const kernel = this.current;
    if (!kernel) return Promise.resolve();
    const stopping = (async () => {
      if (!kernel.connection.closed) {
        kernel.stopping = true;
        kernel.connection.shutdown();
        const timer = setTimeout(() => {
          if (kernel.child.pid !== undefined && OWN_PROCESS_GROUP) signalGroup(kernel.child.pid, 'SIGKILL');
          else kernel.child.kill('SIGKILL');
        }, this.graceMs);
        await kernel.ended;
        clearTimeout(timer);
      }
      await kernel.ended;
    })();
    const transition = stopping.finally(() => { if (this.transition === transition) this.transition = undefined; });
    this.transition = transition;
    return transition;
  }

  private async collect(code: string, options: RunOptions, signal: AbortSignal): Promise<CellResult> {
    const started = Date.now();
    const collector = new OutputCollector(this.options.streamLimit);
    const executionCount = options.executionCount ?? ++this.executionCount;
    try {
      const done = await this.execute({
        code, executionCount, cellId: options.cellId ?? `cell-${executionCount}`,
        language: options.language, notebookPath: options.notebookPath, cwd: options.cwd,
      }, (m) => { collector.add(m); options.onMessage?.(m); }, signal);
      return { status: done.status, outputs: collector.outputs, durationMs: done.durationMs };
    } catch (e) {
      if (!(e instanceof KernelDiedError)) throw e;
      collector.outputs.push(kernelDiedOutput(e));
      return {
        status: 'died', outputs: collector.outputs, durationMs: Date.now() - started,
        exit: { code: e.exitCode, signal: e.signal, stderr: e.stderr },
      };
    }
  }
}

/** The error output of a run whose kernel ended under it. */
export function kernelDiedOutput(e: KernelDiedError): CellOutput {
  if (e.byClient) return { kind: 'error', ename: 'KernelRestarted', evalue: 'The kernel was stopped; its variables are lost.', traceback: [] };
  const how = e.signal ? `was killed (${e.signal})` : `exited (code ${e.exitCode})`, cause = deathCause(e);
  return {
    kind: 'error', ename: 'KernelDied',
    evalue: `The kernel process ${how}; its variables are lost. The next run starts a new kernel.${cause ? ` (${cause})` : ''}`,
    traceback: [],
  };
}
