/*
 * The Jupyter kernel: speaks Jupyter's messaging protocol (5.3) over ZeroMQ to a front end (JupyterLab, Notebook,
 * VS Code's Jupyter extension, nbclient, papermill) and drives the same kernel process as VS Code, through the one
 * client of kernel/client/. This process only routes: cells run in the kernel process it forks, so it stays
 * responsive while a cell loops (heartbeat, interrupt, shutdown always answer).
 *
 * Channels: shell (requests, one at a time in arrival order, as ipykernel does, so `status` goes busy → idle once
 * per request and never flips to idle while a cell runs), control (interrupt and shutdown, answered at once), iopub
 * (broadcasts: status, execute_input, outputs), stdin (bound; cells do not ask for input), heartbeat (echo).
 * Every reply and broadcast carries the request's header as its parent: front ends match them by it.
 */
import { randomUUID } from 'node:crypto';
import * as zmq from 'zeromq';
import { KernelClient, KernelDiedError, kernelDiedOutput } from '../kernel/client/client';
import type { CellOutputMessage, DoneStatus } from '../kernel/client/protocol';
import { expressionAt } from '../kernel/language/expressionAt';
import { endpoint, type ConnectionInfo } from './connectionFile';
import { CellLanguage, lineAt } from './language';
import {
  PROTOCOL_VERSION, REPLY_TO, type Broadcast, type ErrorContent, type Message, type Replies, type Reply, type ReplyType,
  type Requests, type RequestType,
} from './messages';
import { errorContent, toBroadcast } from './outputs';
import { decode, encode, newHeader, SignatureError, Signer } from './wire';
import { devDependencies, version } from '../package.json';

/** How long inspect waits for the kernel's value (a cell awaiting something still answers). */
const INSPECT_TIMEOUT_MS = 3000;

type Channel = 'shell' | 'control';

/** One socket's sends, one at a time (a ZeroMQ socket takes one send in flight). */
class Sender {
  private last: Promise<void> = Promise.resolve();
  constructor(private readonly socket: zmq.Writable, private readonly log: (line: string) => void) {}
  send(frames: Buffer[]): Promise<void> {
    this.last = this.last.then(() => this.socket.send(frames)).catch((e: unknown) => this.log(`send failed: ${(e as Error).message}`));
    return this.last;
  }
}

export interface JupyterKernelOptions {
  /** The package's folder: dist/kernel.js, the declarations and TypeScript are under it. */
  root: string;
  kernelPath: string;
  log: (line: string) => void;
}

export class JupyterKernel {
  private readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly stdin = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly heartbeat = new zmq.Reply();
  private readonly senders: Record<Channel | 'iopub', Sender>;
  private readonly client: KernelClient;
  private readonly language: CellLanguage;
  /** Shell requests received and not yet handled (executes behind a failure or an interrupt are aborted from here). */
  private readonly pending: { message: Message; aborted: boolean }[] = [];
  private working = false;
  private executionCount = 0;
  private readonly history: { count: number; code: string; output: string | null }[] = [];
  private closing = false;
  private resolveClosed: () => void = () => undefined;
  /** Resolves when the kernel has shut down. */
  readonly closed = new Promise<void>((resolve) => { this.resolveClosed = resolve; });

  constructor(private readonly info: ConnectionInfo, private readonly options: JupyterKernelOptions) {
    this.signer = new Signer(info.key, info.signature_scheme);
    this.senders = {
      shell: new Sender(this.shell, options.log), control: new Sender(this.control, options.log), iopub: new Sender(this.iopub, options.log),
    };
    // The graph of every backward() also as a picture, for front ends without this project's renderer.
    this.client = new KernelClient({ kernelPath: options.kernelPath, cwd: process.cwd(), env: { BACKPROP_GRAPH_SVG: '1' }, log: options.log });
    this.language = new CellLanguage(options.root, process.cwd(), options.log);
  }

  /** Binds the five sockets, starts the kernel process and serves until shutdown. */
  async start(): Promise<void> {
    const { info } = this;
    await Promise.all([
      this.shell.bind(endpoint(info, info.shell_port)), this.control.bind(endpoint(info, info.control_port)),
      this.stdin.bind(endpoint(info, info.stdin_port)), this.iopub.bind(endpoint(info, info.iopub_port)),
      this.heartbeat.bind(endpoint(info, info.hb_port)),
    ]);
    void this.echoHeartbeats();
    void this.listen(this.shell, 'shell');
    void this.listen(this.control, 'control');
    // the kernel process starts now, so the first cell does not wait for it; kernel_info does not need it
    this.client.start().catch((e: unknown) => this.options.log(`the kernel process did not start: ${(e as Error).message}`));
  }

  private async echoHeartbeats(): Promise<void> {
    try {
      for await (const frames of this.heartbeat) await this.heartbeat.send(frames);
    } catch (e) {
      if (!this.closing) this.options.log(`heartbeat: ${(e as Error).message}`);
    }
  }

  private async listen(socket: zmq.Router, channel: Channel): Promise<void> {
    try {
      for await (const frames of socket) {
        let message: Message;
        try {
          message = decode(this.signer, frames);
        } catch (e) {
          // a message we cannot trust or read is dropped, never answered
          this.options.log(`${channel}: ${e instanceof SignatureError ? 'rejected' : 'dropped'} a message: ${(e as Error).message}`);
          continue;
        }
        if (channel === 'control') this.handleControl(message).catch((e: unknown) => this.options.log(`control: ${(e as Error).stack ?? String(e)}`));
        else { this.pending.push({ message, aborted: false }); void this.work(); }
      }
    } catch (e) {
      if (!this.closing) this.options.log(`${channel}: ${(e as Error).message}`);
    }
  }

  /** Handles the shell's requests one at a time, in arrival order. */
  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        const { message, aborted } = next;
        await this.publish(message, { msg_type: 'status', content: { execution_state: 'busy' } });
        try {
          if (aborted && message.header.msg_type === 'execute_request') {
            await this.reply(message, 'shell', 'execute_reply', { status: 'aborted', execution_count: this.executionCount });
          } else {
            await this.handleShell(message);
          }
        } catch (e) {
          this.options.log(`${message.header.msg_type}: ${(e as Error).stack ?? String(e)}`);
        }
        await this.publish(message, { msg_type: 'status', content: { execution_state: 'idle' } });
      }
    } finally {
      this.working = false;
    }
  }

  /** The execute requests received but not started are answered 'aborted' (after an error, or an interrupt). */
  private abortQueued(): void {
    for (const p of this.pending) if (p.message.header.msg_type === 'execute_request') p.aborted = true;
  }

  private async handleShell(message: Message): Promise<void> {
    const type = message.header.msg_type as RequestType;
    switch (type) {
      case 'execute_request': return this.execute(message as Message<Requests['execute_request']>);
      case 'kernel_info_request': return this.reply(message, 'shell', 'kernel_info_reply', this.kernelInfo());
      case 'complete_request': {
        const c = message.content as Requests['complete_request'];
        return this.reply(message, 'shell', 'complete_reply', this.language.complete(c.code, c.cursor_pos));
      }
      case 'inspect_request': return this.reply(message, 'shell', 'inspect_reply', await this.inspect(message.content as Requests['inspect_request']));
      case 'is_complete_request': return this.reply(message, 'shell', 'is_complete_reply', this.language.isComplete((message.content as Requests['is_complete_request']).code));
      case 'history_request': return this.reply(message, 'shell', 'history_reply', this.historyReply(message.content as Requests['history_request']));
      case 'comm_info_request': return this.reply(message, 'shell', 'comm_info_reply', { status: 'ok', comms: {} });
      // older front ends send these on shell
      case 'shutdown_request': case 'interrupt_request': return this.handleControl(message, 'shell');
      default:
        // comm_open and the like: this kernel has no comms, and such messages have no reply
        this.options.log(`shell: ignored ${String(type)}`);
    }
  }

  private async handleControl(message: Message, channel: Channel = 'control'): Promise<void> {
    const type = message.header.msg_type;
    if (type === 'interrupt_request') {
      // as in VS Code: the running cell stops, its variables stay; the cells queued behind it do not run
      this.abortQueued();
      this.client.interrupt();
      await this.reply(message, channel, 'interrupt_reply', { status: 'ok' });
    } else if (type === 'shutdown_request') {
      // with restart too: the kernel manager starts a new kernel once this one has exited
      const restart = Boolean((message.content as Requests['shutdown_request']).restart);
      this.abortQueued();
      await this.reply(message, channel, 'shutdown_reply', { status: 'ok', restart });
      await this.close();
    } else if (type === 'kernel_info_request') {
      await this.reply(message, channel, 'kernel_info_reply', this.kernelInfo());
    } else {
      this.options.log(`control: ignored ${type}`);
    }
  }

  private kernelInfo(): Reply<'kernel_info_reply'> {
    return {
      status: 'ok', protocol_version: PROTOCOL_VERSION, implementation: 'backprop-nb', implementation_version: version,
      language_info: {
        name: 'typescript', version: devDependencies.typescript, mimetype: 'text/typescript', file_extension: '.ts', pygments_lexer: 'typescript',
        codemirror_mode: { name: 'javascript', typescript: true },
      },
      banner: `Backprop (TypeScript) ${version}: TypeScript cells on a reverse-mode autodiff engine, Node ${process.version}`,
      help_links: [], debugger: false,
    };
  }

  private async execute(message: Message<Requests['execute_request']>): Promise<void> {
    const { code, silent = false } = message.content;
    const store = !silent && (message.content.store_history ?? true);
    const stopOnError = message.content.stop_on_error ?? true;
    if (store) this.executionCount++;
    const count = this.executionCount;
    if (!silent) await this.publish(message, { msg_type: 'execute_input', content: { code, execution_count: count } });
    let error: ErrorContent | undefined;
    let result: string | null = null;
    const show = (m: CellOutputMessage) => {
      if (m.type === 'error') error = errorContent(m);
      if (m.type === 'executeResult' && typeof m.data['text/plain'] === 'string') result = m.data['text/plain'];
      if (!silent) void this.publish(message, toBroadcast(m));
    };
    let status: DoneStatus | 'died';
    try {
      status = (await this.client.execute({ code, executionCount: count, cellId: `cell-${count}`, language: 'typescript', cwd: process.cwd() }, show)).status;
    } catch (e) {
      if (!(e instanceof KernelDiedError)) throw e;
      const died = kernelDiedOutput(e);
      if (died.kind === 'error') show({ type: 'error', requestId: '', ename: died.ename, evalue: died.evalue, traceback: died.traceback });
      status = 'died';
    }
    this.language.ran(code);
    if (store) this.history.push({ count, code, output: result });
    if (status === 'interrupted' && !error) {
      show({ type: 'error', requestId: '', ename: 'Interrupted', evalue: 'the cell was interrupted; the kernel keeps its variables', traceback: ['Interrupted: the cell was interrupted; the kernel keeps its variables'] });
    }
    if (status !== 'ok' && (stopOnError || status === 'interrupted')) this.abortQueued();
    await this.reply(message, 'shell', 'execute_reply', status === 'ok'
      ? { status: 'ok', execution_count: count, user_expressions: {}, payload: [] }
      : { status: 'error', execution_count: count, ...error ?? { ename: 'Error', evalue: status, traceback: [] } });
  }

  /** The hover's content: the name's static type and doc comment, then the kernel's description of its value. */
  private async inspect(request: Requests['inspect_request']): Promise<Reply<'inspect_reply'>> {
    const typed = this.language.quickInfo(request.code, request.cursor_pos);
    const { line, character } = lineAt(request.code, request.cursor_pos);
    const found = expressionAt(line, character) ?? (character > 0 ? expressionAt(line, character - 1) : undefined);
    let value: { markdown: string; plain: string } | undefined;
    if (found && this.client.alive && !this.client.busy) {
      try {
        const reply = await this.client.request('inspect', { expression: found.expression }, { timeoutMs: INSPECT_TIMEOUT_MS });
        const markdown = reply.data?.['text/markdown'], plain = reply.data?.['text/plain'];
        if (reply.found) {
          value = {
            plain: typeof plain === 'string' ? plain : '',
            markdown: typeof markdown === 'string' ? markdown : '```\n' + (typeof plain === 'string' ? plain : '') + '\n```',
          };
        }
      } catch (e) {
        this.options.log(`inspect ${found.expression}: ${(e as Error).message}`);
      }
    }
    if (!typed && !value) return { status: 'ok', found: false, data: {}, metadata: {} };
    const markdown = [typed && '```typescript\n' + typed.signature + '\n```', typed?.documentation, value?.markdown].filter(Boolean).join('\n\n');
    const plain = [typed?.signature, typed?.documentation, value?.plain].filter(Boolean).join('\n\n');
    return { status: 'ok', found: true, data: { 'text/markdown': markdown, 'text/plain': plain }, metadata: {} };
  }

  private historyReply(request: Requests['history_request']): Reply<'history_reply'> {
    const n = request.hist_access_type === 'tail' && request.n !== undefined ? request.n : this.history.length;
    return {
      status: 'ok',
      history: this.history.slice(-n || this.history.length).map((h) => [0, h.count, request.output ? [h.code, h.output] : h.code]),
    };
  }

  private reply<K extends ReplyType>(request: Message<unknown>, channel: Channel, type: K, content: Replies[K]): Promise<void> {
    if (REPLY_TO[request.header.msg_type as RequestType] !== type) this.options.log(`replying ${type} to ${request.header.msg_type}`);
    return this.senders[channel].send(encode(this.signer, {
      identities: request.identities, header: newHeader(type, this.session), parent_header: request.header, metadata: {},
      content,
    }));
  }

  private publish(parent: Message<unknown>, broadcast: Broadcast): Promise<void> {
    return this.senders.iopub.send(encode(this.signer, {
      identities: [Buffer.from(`kernel.${this.session}.${broadcast.msg_type}`)], header: newHeader(broadcast.msg_type, this.session),
      parent_header: parent.header, metadata: {}, content: broadcast.content,
    }));
  }

  /** Ends the kernel process, then closes the sockets. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.client.shutdown();
    for (const socket of [this.shell, this.control, this.stdin, this.iopub, this.heartbeat]) socket.close();
    this.resolveClosed();
  }
}
