/**
 * The typed messages between a client (the VS Code extension host, or the CLI) and the kernel process.
 *
 * The client forks `dist/kernel.js` with an IPC channel (see `kernel/client/client.ts`) and the two sides exchange
 * plain JSON objects: `ClientToKernel` goes one way, `KernelToClient` the other. Every message says what it is
 * in `type`; every message that belongs to a cell run carries the `requestId` of the `execute` that caused it.
 *
 * Stability: this file is a contract between processes. Add fields (optional ones) and new message types;
 * never rename, remove or change the meaning of existing ones.
 *
 * Interrupting: a cell busy in a loop never reads its IPC channel, so the client also writes `<requestId>\n` to the
 * kernel's interrupt pipe (INTERRUPT_FD_ENV), read by a watcher thread; `kernel/client/client.ts` does both. Fork the
 * kernel with KERNEL_EXEC_ARGV.
 */

/** Version of this protocol, sent in `ready`. Bumped only by additions. */
export const PROTOCOL_VERSION = 1;

/** The language of a cell's source. */
export type CellLanguage = 'typescript' | 'javascript';

/** Output data keyed by mime type: text mimes carry strings, `+json` mimes carry JSON values. */
export type MimeBundle = Record<string, unknown>;

/** The graph output's types, defined by the engine that makes them (the GraphSnapshot of docs/graph-format.md). */
export type { GraphEdge, GraphNode, GraphSnapshot, JsonNumber, TensorSummary } from '../engine/trace';
import type { GraphSnapshot } from '../engine/trace';

/** The JSON of a GRAPH_MIME output: the engine's snapshot, and the settings to draw it with where the client sent them. */
export type GraphOutput = GraphSnapshot & { display?: GraphDisplay };

/** Mime type of the computation-graph output (a `GraphSnapshot`, see docs/graph-format.md). */
export const GRAPH_MIME = 'application/vnd.backprop.graph+json';

/** Mime type of a gradient-check report (a `GradientCheckReport`, see kernel/tools/gradientCheck.ts). */
export const GRADIENT_CHECK_MIME = 'application/vnd.backprop.gradcheck+json';


// ---------------------------------------------------------------------------------------------------------
// Client → kernel
// ---------------------------------------------------------------------------------------------------------

/** Sent by the client: run one cell. The kernel answers with outputs, then exactly one `done`. */
export interface ExecuteRequest {
  type: 'execute';
  /** Unique per request; echoed on every message the run produces. */
  requestId: string;
  /** The notebook cell's identity (document URI + index, or nbformat cell id); used in file names of stacks. */
  cellId: string;
  code: string;
  /** Shown as `[n]`; echoed in `executeResult`. */
  executionCount: number;
  /** Defaults to 'typescript' (JavaScript is valid TypeScript, so that also runs plain JS). */
  language?: CellLanguage;
  /** Absolute path of the notebook file: `require`/`import` of packages resolves from its folder. */
  notebookPath?: string;
  /** Working directory for the cell (defaults to the notebook's folder, else the kernel's cwd). */
  cwd?: string;
  /** How the renderer should draw this run's graph outputs: sent with each of them (the snapshot's `display`). */
  graphDisplay?: GraphDisplay;
}

/**
 * Sent by the client: stop the running cell. Variables survive. An interrupt naming a request that has not
 * started yet (sent, or written to the pipe, before its `execute`) is kept, and that request ends 'interrupted'
 * when its turn comes; one naming a request that already ended is ignored. Without `requestId`, when nothing
 * runs, it is a no-op. Queued cells are the client's business (it cancels them).
 */
export interface InterruptRequest {
  type: 'interrupt';
  /** The request to stop; without it, whatever runs when the message is read. */
  requestId?: string;
}

/** Sent by the client (hover): evaluate a side-effect-free expression and describe its value. */
export interface InspectRequest {
  type: 'inspect';
  requestId: string;
  expression: string;
}

/** Sent by the client (variables view): list the user's top-level variables. */
export interface VariablesRequest {
  type: 'variables';
  requestId: string;
}

/** Tolerances of a gradient check (see kernel/tools/gradientCheck.ts for the defaults). */
export interface GradientCheckSettings {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Elements checked per tensor; bigger tensors are sampled. */
  sampleSize?: number;
}

/**
 * Sent by the client (command "Check Gradients"): replay the last backward()'s graph with nudged leaves and
 * compare its gradients with finite differences. With `expression` (a tensor variable): only that parameter's
 * gradient from the last backward(), or for a non-leaf tensor the graph behind it.
 */
export interface GradientCheckRequest {
  type: 'gradientCheck';
  requestId: string;
  expression?: string;
  settings?: GradientCheckSettings;
  /** Largest graph in the reply's marked snapshot (default 300). */
  maxNodes?: number;
  /** How the renderer should draw the reply's graph (its snapshot's `display`). */
  graphDisplay?: GraphDisplay;
}

/** How a graph is exported: the snapshot JSON, mermaid flowchart text, Graphviz DOT, or a drawn SVG. */
export type GraphFormat = 'json' | 'mermaid' | 'dot' | 'svg';

/** What the gradient on each edge is labelled with, in exported drawings and in the renderer (its `options` message). */
export type EdgeLabel = 'norm' | 'mean' | 'values';

/**
 * The user's settings for drawing graphs (`backprop.graph.*`), which the kernel copies into each graph output's
 * snapshot as its `display` field, so the renderer's first draw is drawn with them. Missing: the renderer's default.
 */
export interface GraphDisplay {
  /** Most boxes drawn before modules are collapsed and the nodes farthest from the loss hidden (default 60). */
  maxNodes?: number;
  /** What each edge is labelled with (default 'norm'). */
  edgeLabel?: EdgeLabel;
}

/**
 * Sent by the client (commands "Show Computation Graph…", "Export Graph…"): the graph behind a tensor variable
 * (`expression`), or by default the last backward()'s, as a snapshot and, with `format`, as text.
 */
export interface GraphRequest {
  type: 'graph';
  requestId: string;
  expression?: string;
  format?: GraphFormat;
  maxNodes?: number;
  edgeLabel?: EdgeLabel;
  /** How the renderer should draw the reply's graph (its snapshot's `display`). */
  graphDisplay?: GraphDisplay;
}

/** Sent by the client: exit cleanly. The kernel exits without answering. */
export interface ShutdownRequest {
  type: 'shutdown';
}

/** Every message a client may send to the kernel. */
export type ClientToKernel = ExecuteRequest | InterruptRequest | InspectRequest | VariablesRequest | ShutdownRequest
  | GradientCheckRequest | GraphRequest;

// ---------------------------------------------------------------------------------------------------------
// Kernel → client
// ---------------------------------------------------------------------------------------------------------

/** Sent by the kernel once, when it can take `execute` requests. */
export interface ReadyMessage {
  type: 'ready';
  protocolVersion: number;
  pid: number;
  /** Node version of the kernel process, e.g. 'v20.20.0'. */
  nodeVersion: string;
}

/** Sent by the kernel: text written by the cell (console.log/info/debug → stdout, console.warn/error → stderr). */
export interface StreamMessage {
  type: 'stream';
  requestId: string;
  name: 'stdout' | 'stderr';
  text: string;
}

/** Sent by the kernel: a new output item (from `display(value)`, or a graph after `backward()`). */
export interface DisplayMessage {
  type: 'display';
  requestId: string;
  /** Unique within the kernel's life; `updateOutput` with the same id replaces this output in place. */
  outputId: string;
  data: MimeBundle;
}

/** Sent by the kernel: replace the data of an output it sent earlier with `display` (e.g. the graph of a later backward()). */
export interface UpdateOutputMessage {
  type: 'updateOutput';
  requestId: string;
  outputId: string;
  data: MimeBundle;
}

/** Sent by the kernel: the value of the cell's last expression (not sent when it is `undefined`). */
export interface ExecuteResultMessage {
  type: 'executeResult';
  requestId: string;
  executionCount: number;
  data: MimeBundle;
}

/** Sent by the kernel: the cell failed to compile or threw. Followed by `done` with status 'error'. */
export interface ErrorMessage {
  type: 'error';
  requestId: string;
  /** 'SyntaxError' for compile errors, else the thrown error's name ('TypeError', 'Error', ...). */
  ename: string;
  evalue: string;
  /** Lines as in nbformat: the first is `ename: evalue`, then `    at fn (cell:line:col)` with cell line numbers; kernel frames removed. */
  traceback: string[];
  /** 1-based line and column in the cell where it happened, when known. */
  line?: number;
  column?: number;
  /** True for errors found before the cell ran (compile errors). */
  compile?: boolean;
}

/** Outcome of a cell run. */
export type DoneStatus = 'ok' | 'error' | 'interrupted';

/** Sent by the kernel exactly once per `execute`, after all its outputs. */
export interface DoneMessage {
  type: 'done';
  requestId: string;
  status: DoneStatus;
  /** Wall-clock start and end (ms since the epoch) and duration of the run. */
  startTime: number;
  endTime: number;
  durationMs: number;
}

/** Sent by the kernel in reply to `inspect`. */
export interface InspectReply {
  type: 'inspectReply';
  requestId: string;
  found: boolean;
  /** Same shape as outputs (`text/plain` always, richer mimes for tensors). */
  data?: MimeBundle;
}

/** One user variable, for the variables view. */
export interface VariableInfo {
  name: string;
  /** 'Tensor', 'number', 'function', class name, ... */
  type: string;
  /** One line, e.g. 'Tensor [2,3] float64' or '3.14'. */
  summary: string;
  shape?: number[];
  dtype?: string;
  requiresGrad?: boolean;
  /** A tensor's statistics, and its gradient's. */
  stats?: TensorStats;
  grad?: TensorStats;
  /** Set when the gradient is stale or accumulated (e.g. 'stale, accumulated ×3'). */
  gradNote?: string;
  /** A module's parameters. */
  children?: VariableInfo[];
  /** The hover's description of the value. */
  markdown?: string;
}

/** Statistics of a tensor as in graph snapshots (numbers that are not finite are written as strings). */
export interface TensorStats {
  shape: number[];
  values?: (number | string)[];
  mean: number | string; std: number | string; min: number | string; max: number | string; norm: number | string;
  nan: number; inf: number;
}

/** Sent by the kernel in reply to `variables`. */
export interface VariablesReply {
  type: 'variablesReply';
  requestId: string;
  variables: VariableInfo[];
}

/** Sent by the kernel in reply to `gradientCheck`. */
export interface GradientCheckReply {
  type: 'gradientCheckReply';
  requestId: string;
  /** Why there is no report (e.g. no backward() yet). */
  error?: string;
  /** True when the client stopped the check (an interrupt of this request); `error` says so too. */
  cancelled?: boolean;
  /** The report as an output: markdown, `text/plain` and GRADIENT_CHECK_MIME (the report itself). */
  data?: MimeBundle;
  passed?: boolean;
  /** The cell run whose backward() was checked (the report belongs under that cell). */
  executionCount?: number;
  cellId?: string;
  /** That backward()'s graph with every checked edge marked `check: 'pass' | 'fail'` (GRAPH_MIME data). */
  graph?: MimeBundle;
}

/** Sent by the kernel in reply to `graph`. */
export interface GraphReply {
  type: 'graphReply';
  requestId: string;
  error?: string;
  /** GRAPH_MIME (the snapshot) and `text/plain`. */
  data?: MimeBundle;
  /** The graph in the requested format. */
  text?: string;
  /** The cell run of the last backward() (when the graph is the last backward()'s). */
  executionCount?: number;
}

/** Sent by the kernel when something goes wrong outside any cell (e.g. a malformed message). */
export interface KernelLogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  text: string;
}

/** Every message the kernel may send to its client. */
export type KernelToClient =
  | ReadyMessage
  | StreamMessage
  | DisplayMessage
  | UpdateOutputMessage
  | ExecuteResultMessage
  | ErrorMessage
  | DoneMessage
  | InspectReply
  | VariablesReply
  | GradientCheckReply
  | GraphReply
  | KernelLogMessage;

/** Messages that belong to a cell run (they carry its `requestId`). */
export type CellOutputMessage = StreamMessage | DisplayMessage | UpdateOutputMessage | ExecuteResultMessage | ErrorMessage;

/**
 * Environment variable naming the kernel's interrupt pipe: a file descriptor, opened by the client as an extra
 * stdio pipe, on which the client writes `<requestId>\n` to interrupt that request's cell even while it is busy
 * (a lone `!` interrupts whatever runs, racing with the end of that cell); see kernel/process/interrupt.ts and kernel/client/client.ts.
 */
export const INTERRUPT_FD_ENV = 'BACKPROP_INTERRUPT_FD';

/** Environment variable giving the stream bytes the kernel keeps per cell (see kernel/process/outbox.ts); 16 MB when unset. */
export const MAX_OUTPUT_ENV = 'BACKPROP_MAX_OUTPUT_BYTES';

/**
 * Node flags to fork the kernel with. `--no-force-async-hooks-checks`: interrupting a cell busy in a timer or
 * nextTick callback terminates that callback half-way, and Node's async-hooks stack check would then abort the
 * process (the kernel resets the stack itself right after; see kernel/process/interrupt.ts). `--expose-gc`: at the
 * tensor memory limit the engine collects garbage before it refuses an allocation (kernel/process/tensorMemory.ts).
 */
export const KERNEL_EXEC_ARGV: readonly string[] = ['--no-force-async-hooks-checks', '--expose-gc'];

/**
 * Environment variable giving the kernel's tensor memory limit in MB (a positive number; unset or 0: half the
 * memory of the machine or of the process's cgroup). See kernel/process/tensorMemory.ts.
 */
export const TENSOR_MEMORY_ENV = 'BACKPROP_TENSOR_MEMORY_MB';

/** Environment variable that starts the kernel in anomaly mode when '1' (the setting backprop.detectAnomaly). */
export const DETECT_ANOMALY_ENV = 'BACKPROP_DETECT_ANOMALY';

// --- plots ---
/** Mime type of a plot output (a `PlotSpec`, see kernel/client/plotSpec.ts and docs/plots.md). */
export const PLOT_MIME = 'application/vnd.backprop.plot+json';
export type { PlotSpec, PlotLayer, PlotAxis, LineLayer, DotLayer, BinsLayer, GridLayer } from './plotSpec';

// --- jupyter ---

/**
 * Environment variable: `1` makes every graph output also carry `image/svg+xml`, a drawing made in the kernel
 * (kernel/tools/graphExport.ts), so front ends without this project's renderer (Jupyter) show the graph. VS Code
 * does not set it: its renderer draws the graph.
 */
export const GRAPH_SVG_ENV = 'BACKPROP_GRAPH_SVG';
