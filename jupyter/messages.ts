/*
 * The Jupyter messages this kernel speaks (messaging protocol 5.3), typed: every request a front end sends, and
 * every reply and broadcast the kernel sends back, keyed by `msg_type`. The wire format (frames, signature) is in
 * wire.ts; what is sent when, in kernel.ts.
 *
 *   const reply: Reply<'kernel_info_reply'> = { status: 'ok', protocol_version: PROTOCOL_VERSION, ... };
 */
import type { MimeBundle } from '../kernel/client/protocol';

/** The protocol version this kernel implements, sent in every header and in kernel_info_reply. */
export const PROTOCOL_VERSION = '5.3';

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  /** ISO 8601. */
  date: string;
  msg_type: string;
  version: string;
}

/** A decoded message: `parent_header` is `{}` for messages that answer nothing. */
export interface Message<C = unknown> {
  /** The routing frames before the delimiter (a ROUTER's peer identity), echoed on the reply. */
  identities: Buffer[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

// --- requests (front end → kernel, on shell or control) ---

export interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: Record<string, string>;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}
export interface CompleteRequest { code: string; cursor_pos: number }
export interface InspectRequest { code: string; cursor_pos: number; detail_level?: 0 | 1 }
export interface IsCompleteRequest { code: string }
export interface ShutdownRequest { restart: boolean }
export interface HistoryRequest {
  output?: boolean;
  raw?: boolean;
  hist_access_type?: 'range' | 'tail' | 'search';
  n?: number;
  unique?: boolean;
}
export interface CommInfoRequest { target_name?: string }

export interface Requests {
  execute_request: ExecuteRequest;
  complete_request: CompleteRequest;
  inspect_request: InspectRequest;
  is_complete_request: IsCompleteRequest;
  kernel_info_request: Record<string, never>;
  shutdown_request: ShutdownRequest;
  interrupt_request: Record<string, never>;
  history_request: HistoryRequest;
  comm_info_request: CommInfoRequest;
}
export type RequestType = keyof Requests;

// --- replies (kernel → front end, on the channel the request came on) ---

export interface ErrorContent { ename: string; evalue: string; traceback: string[] }

export interface LanguageInfo {
  name: string;
  version: string;
  mimetype: string;
  file_extension: string;
  pygments_lexer: string;
  codemirror_mode: string | Record<string, unknown>;
}

export interface Replies {
  execute_reply:
    | { status: 'ok'; execution_count: number; user_expressions: Record<string, unknown>; payload: unknown[] }
    | ({ status: 'error'; execution_count: number } & ErrorContent)
    | { status: 'aborted'; execution_count: number };
  complete_reply: {
    status: 'ok'; matches: string[]; cursor_start: number; cursor_end: number;
    metadata: { _jupyter_types_experimental?: { start: number; end: number; text: string; type: string; signature: string }[] };
  };
  inspect_reply: { status: 'ok'; found: boolean; data: MimeBundle; metadata: Record<string, unknown> };
  is_complete_reply: { status: 'complete' | 'invalid' | 'unknown' } | { status: 'incomplete'; indent: string };
  kernel_info_reply: {
    status: 'ok'; protocol_version: string; implementation: string; implementation_version: string;
    language_info: LanguageInfo; banner: string; help_links: { text: string; url: string }[]; debugger: boolean;
  };
  shutdown_reply: { status: 'ok'; restart: boolean };
  interrupt_reply: { status: 'ok' };
  /** Each entry: session, line number, and the input (or [input, output] when output was asked for). */
  history_reply: { status: 'ok'; history: [number, number, string | [string, string | null]][] };
  comm_info_reply: { status: 'ok'; comms: Record<string, { target_name: string }> };
}
export type ReplyType = keyof Replies;
export type Reply<K extends ReplyType> = Replies[K];

/** Which reply answers which request. */
export const REPLY_TO: { [K in RequestType]: ReplyType } = {
  execute_request: 'execute_reply',
  complete_request: 'complete_reply',
  inspect_request: 'inspect_reply',
  is_complete_request: 'is_complete_reply',
  kernel_info_request: 'kernel_info_reply',
  shutdown_request: 'shutdown_reply',
  interrupt_request: 'interrupt_reply',
  history_request: 'history_reply',
  comm_info_request: 'comm_info_reply',
};

// --- broadcasts (kernel → every front end, on iopub) ---

/** An output's `transient` part: the id `update_display_data` replaces it by (never saved in the notebook). */
export interface Transient { display_id?: string }

export interface Broadcasts {
  status: { execution_state: 'busy' | 'idle' | 'starting' };
  execute_input: { code: string; execution_count: number };
  stream: { name: 'stdout' | 'stderr'; text: string };
  display_data: { data: MimeBundle; metadata: Record<string, unknown>; transient: Transient };
  update_display_data: { data: MimeBundle; metadata: Record<string, unknown>; transient: Transient };
  execute_result: { execution_count: number; data: MimeBundle; metadata: Record<string, unknown> };
  error: ErrorContent;
}
export type BroadcastType = keyof Broadcasts;

/** One iopub message to send: its type and content. */
export type Broadcast = { [K in BroadcastType]: { msg_type: K; content: Broadcasts[K] } }[BroadcastType];
