/*
 * A client for one kernel process, used by the CLI and the tests (and usable from the extension host: it
 * imports only Node modules). It forks dist/kernel.js with an IPC channel and an interrupt pipe, runs cells
 * one at a time, collects their outputs (applying `updateOutput` in place), interrupts, restarts, and notices
 * when the process dies.
 *
 *   const kernel = await KernelClient.start({ kernelPath: 'dist/kernel.js' });
 *   const result = await kernel.run('const x = 1 + 1\nx');   // { status: 'ok', outputs: [executeResult 2] }
 *   kernel.interrupt();                                        // stops a running cell, keeps the variables
 *   await kernel.shutdown();
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import {
  INTERRUPT_FD_ENV, KERNEL_EXEC_ARGV, type CellLanguage, type CellOutputMessage, type ClientToKernel, type DoneStatus,
  type KernelToClient, type MimeBundle, type ReadyMessage, type VariableInfo,
  type GradientCheckReply, type GradientCheckRequest, type GraphReply, type GraphRequest,
} from './protocol';

/** The kernel's stdio: stdin, stdout, stderr, IPC, and the interrupt pipe (`<requestId>\n` interrupts that request). */
const INTERRUPT_FD = 4;

export interface KernelClientOptions {
  /** Path of the kernel script; defaults to kernel.js next to this file (dist/ when bundled). */
  kernelPath?: string;
  /** Working directory of the kernel process (the notebook's folder). */
  cwd?: string;
  /** Added to the environment. */
  env?: Record<string, string>;
  /** Extra Node flags for the kernel, e.g. ['--max-old-space-size=256']. */
  execArgv?: string[];
}

/** One output of a cell, as collected by the client. */
export type CellOutput =
  | { kind: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { kind: 'display'; outputId: string; data: MimeBundle }
  | { kind: 'executeResult'; executionCount: number; data: MimeBundle }
  | { kind: 'error'; ename: string; evalue: string; traceback: string[]; line?: number; column?: number };

export interface RunOptions {
  executionCount?: number;
  cellId?: string;
  language?: CellLanguage;
  notebookPath?: string;
  cwd?: string;
  /** Called with each output message as it arrives. */
  onMessage?: (message: CellOutputMessage) => void;
}

export interface CellResult {
  /**
   * 'died': the kernel process ended during the run (its state is gone; the next run starts a new one).
   * 'cancelled': the cell was queued behind one that failed, was interrupted or died, and did not run.
   */
  status: DoneStatus | 'died' | 'cancelled';
  outputs: CellOutput[];
  durationMs: number;
  /** How the process ended, when status is 'died'. */
  exit?: { code: number | null; signal: string | null; stderr: string };
}

interface Pending { outputs: CellOutput[]; started: number; onMessage?: (m: CellOutputMessage) => void; resolve: (r: CellResult) => void }

/** Text the kernel process wrote outside any cell (native crash messages, out-of-memory reports) is kept up to this size. */
const STDERR_TAIL = 4000;

/** The line that says why a process died (V8's "FATAL ERROR: ... heap out of memory", Node's "Error: ..."), not its native stack. */
function crashDetail(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const fatal = lines.find((l) => /FATAL ERROR|out of memory|^Error\b|Assertion failed/.test(l));
  return (fatal ?? lines.filter((l) => !/^\d+: 0x|^-+ Native stack/.test(l)).pop() ?? '').slice(0, 300);
}

export class KernelClient {
  private child!: ChildProcess;
  private ready!: Promise<ReadyMessage>;
  private pending = new Map<string, Pending>();
  private replies = new Map<string, (m: KernelToClient) => void>();
  private nextRequest = 1;
  private executionCount = 0;
  private stderrTail = '';
  private exited = false;
  /** Cells wait here for the ones before them; a failure bumps `generation`, which cancels those queued before it. */
  private queue: Promise<unknown> = Promise.resolve();
  private generation = 0;
  /** Called when the process ends by itself (not through shutdown/restart). */
  onDeath?: (exit: { code: number | null; signal: string | null }) => void;

  private constructor(private readonly options: KernelClientOptions) {}

  /** Forks a kernel and waits until it is ready. */
  static async start(options: KernelClientOptions = {}): Promise<KernelClient> {
    const client = new KernelClient(options);
    await client.spawn();
    return client;
  }

  get alive(): boolean { return !this.exited; }
  get pid(): number | undefined { return this.child.pid; }
  get busy(): boolean { return this.pending.size > 0; }

  private spawn(): Promise<ReadyMessage> {
    const kernelPath = this.options.kernelPath ?? join(__dirname, 'kernel.js');
    this.exited = false;
    this.stderrTail = '';
    const child = fork(kernelPath, [], {
      cwd: this.options.cwd,
      // Under VS Code, process.execPath is Electron: this makes it a plain Node.
      env: { ...process.env, ...this.options.env, ELECTRON_RUN_AS_NODE: '1', [INTERRUPT_FD_ENV]: String(INTERRUPT_FD) },
      execArgv: [...KERNEL_EXEC_ARGV, ...this.options.execArgv ?? []],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
      serialization: 'json',
    });
    this.child = child;
    const keep = (chunk: Buffer) => { this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_TAIL); };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    (child.stdio[INTERRUPT_FD] as Writable | null)?.on('error', () => undefined);
    this.ready = new Promise<ReadyMessage>((resolve, reject) => {
      child.on('message', (m: KernelToClient) => {
        if (m.type === 'ready') resolve(m);
        else this.dispatch(m);
      });
      child.on('exit', (code, signal) => {
        if (child !== this.child) return;
        const stopped = this.exited;
        this.exited = true;
        reject(new Error(`the kernel exited before it was ready (${signal ?? `code ${code}`}): ${this.stderrTail.trim()}`));
        if (!stopped) this.died(code, signal);
      });
      child.on('error', reject);
    });
    return this.ready;
  }

  private died(code: number | null, signal: string | null): void {
    const exit = { code, signal, stderr: this.stderrTail };
    for (const p of this.pending.values()) {
      const how = signal ? `was killed (${signal})` : `exited (code ${code})`;
      const detail = crashDetail(this.stderrTail);
      p.outputs.push({
        kind: 'error', ename: 'KernelDied',
        evalue: `The kernel process ${how}; its variables are lost. The next run starts a new kernel.${detail ? ` (${detail})` : ''}`,
        traceback: [],
      });
      p.resolve({ status: 'died', outputs: p.outputs, durationMs: Date.now() - p.started, exit });
    }
    this.pending.clear();
    this.onDeath?.({ code, signal });
  }

  private dispatch(m: KernelToClient): void {
    if (m.type === 'inspectReply' || m.type === 'variablesReply' || m.type === 'gradientCheckReply' || m.type === 'graphReply') {
      this.replies.get(m.requestId)?.(m);
      this.replies.delete(m.requestId);
      return;
    }
    if (m.type === 'log' || m.type === 'ready') return;
    const p = this.pending.get(m.requestId);
    if (!p) return;
    switch (m.type) {
      case 'done':
        this.pending.delete(m.requestId);
        p.resolve({ status: m.status, outputs: p.outputs, durationMs: m.durationMs });
        return;
      case 'stream': {
        const last = p.outputs[p.outputs.length - 1];
        if (last?.kind === 'stream' && last.name === m.name) last.text += m.text;
        else p.outputs.push({ kind: 'stream', name: m.name, text: m.text });
        break;
      }
      case 'display': p.outputs.push({ kind: 'display', outputId: m.outputId, data: m.data }); break;
      case 'updateOutput': {
        const target = p.outputs.find((o) => o.kind === 'display' && o.outputId === m.outputId);
        if (target && target.kind === 'display') target.data = m.data;
        break;
      }
      case 'executeResult': p.outputs.push({ kind: 'executeResult', executionCount: m.executionCount, data: m.data }); break;
      case 'error': p.outputs.push({ kind: 'error', ename: m.ename, evalue: m.evalue, traceback: m.traceback, line: m.line, column: m.column }); break;
    }
    p.onMessage?.(m);
  }

  private send(m: ClientToKernel): void {
    if (this.child.connected) this.child.send(m);
  }

  /**
   * Runs one cell and resolves when it is done (or the kernel died). Cells run one at a time in call order; when
   * one does not end 'ok', the cells queued behind it are cancelled. A dead kernel is replaced first.
   */
  run(code: string, options: RunOptions = {}): Promise<CellResult> {
    const generation = this.generation;
    const next = this.queue.then(async (): Promise<CellResult> => {
      if (generation !== this.generation) return { status: 'cancelled', outputs: [], durationMs: 0 };
      const result = await this.runNow(code, options);
      if (result.status !== 'ok') this.generation++;
      return result;
    });
    this.queue = next;
    return next;
  }

  private async runNow(code: string, options: RunOptions): Promise<CellResult> {
    if (this.exited) await this.spawn();
    await this.ready;
    const requestId = `r${this.nextRequest++}`;
    const executionCount = options.executionCount ?? ++this.executionCount;
    return new Promise<CellResult>((resolve) => {
      this.pending.set(requestId, { outputs: [], started: Date.now(), onMessage: options.onMessage, resolve });
      this.send({
        type: 'execute', requestId, code, executionCount, cellId: options.cellId ?? `cell-${executionCount}`,
        language: options.language, notebookPath: options.notebookPath, cwd: options.cwd,
      });
    });
  }

  /** Stops the running cell; the kernel keeps its variables. */
  interrupt(): void {
    if (this.exited) return;
    for (const requestId of this.pending.keys()) {
      const pipe = this.child.stdio[INTERRUPT_FD] as Writable | null;
      if (pipe && !pipe.destroyed) pipe.write(`${requestId}\n`);
      // An idle kernel (a cell awaiting forever) also takes the message.
      this.send({ type: 'interrupt', requestId });
    }
  }

  /** Looks up a variable path (`w.grad`) in the kernel. */
  inspect(expression: string): Promise<{ found: boolean; data?: MimeBundle }> {
    return this.request({ type: 'inspect', requestId: `q${this.nextRequest++}`, expression }) as Promise<{ found: boolean; data?: MimeBundle }>;
  }

  /** The user's top-level variables. */
  async variables(): Promise<VariableInfo[]> {
    const reply = await this.request({ type: 'variables', requestId: `q${this.nextRequest++}` });
    return (reply as { variables: VariableInfo[] }).variables;
  }

  /**
   * Checks the last backward() (or the graph behind a tensor path) against finite differences. Aborting `signal`
   * stops the check: the reply then has `cancelled` set.
   */
  async gradientCheck(options: Omit<GradientCheckRequest, 'type' | 'requestId'> = {}, signal?: AbortSignal): Promise<GradientCheckReply> {
    const requestId = `q${this.nextRequest++}`;
    const stop = () => this.stopRequest(requestId);
    signal?.addEventListener('abort', stop, { once: true });
    try {
      return await this.request({ type: 'gradientCheck', requestId, ...options }) as GradientCheckReply;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }

  /** Stops a request that holds the kernel's thread (a gradient check): its id on the interrupt pipe. */
  private stopRequest(requestId: string): void {
    const pipe = this.exited ? null : this.child.stdio[INTERRUPT_FD] as Writable | null;
    if (pipe && !pipe.destroyed) pipe.write(`${requestId}\n`);
  }

  /** The last backward()'s graph (or the one behind a tensor path), optionally as mermaid, DOT, JSON or SVG text. */
  async graph(options: Omit<GraphRequest, 'type' | 'requestId'> = {}): Promise<GraphReply> {
    return await this.request({ type: 'graph', requestId: `q${this.nextRequest++}`, ...options }) as GraphReply;
  }

  private async request(m: ClientToKernel & { requestId: string }): Promise<KernelToClient> {
    await this.ready;
    return new Promise((resolve) => {
      this.replies.set(m.requestId, resolve);
      this.send(m);
    });
  }

  /** A fresh kernel: the old process is killed and every variable is gone. */
  async restart(): Promise<void> {
    await this.stop();
    await this.spawn();
  }

  /** Ends the kernel process. */
  async shutdown(): Promise<void> {
    await this.stop();
  }

  private stop(): Promise<void> {
    this.generation++;
    if (this.exited) return Promise.resolve();
    const child = this.child;
    this.exited = true;
    return new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      this.send({ type: 'shutdown' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
      child.once('exit', () => clearTimeout(timer));
      for (const p of this.pending.values()) {
        p.outputs.push({ kind: 'error', ename: 'KernelRestarted', evalue: 'The kernel was stopped; its variables are lost.', traceback: [] });
        p.resolve({ status: 'died', outputs: p.outputs, durationMs: Date.now() - p.started });
      }
      this.pending.clear();
    });
  }
}
