// The connection file Jupyter writes for each kernel it starts: where to bind the five sockets, and the key.
import { readFileSync } from 'node:fs';

export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
}

/** Reads and checks a connection file; an Error names the file and what is wrong. */
export function readConnectionFile(path: string): ConnectionInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`connection file ${path}: ${(e as Error).message}`, { cause: e });
  }
  const c = raw as Partial<ConnectionInfo>;
  for (const port of ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'] as const) {
    if (!Number.isInteger(c[port])) throw new Error(`connection file ${path}: ${port} is missing or not a port number`);
  }
  return {
    ...c as ConnectionInfo, transport: c.transport ?? 'tcp', ip: c.ip ?? '127.0.0.1', key: c.key ?? '',
    signature_scheme: c.signature_scheme ?? 'hmac-sha256',
  };
}

/** The address of one socket, e.g. `tcp://127.0.0.1:5555` (ipc: `ipc://<ip>-<port>`, as jupyter_client makes them). */
export function endpoint(c: ConnectionInfo, port: number): string {
  return c.transport === 'ipc' ? `ipc://${c.ip}-${port}` : `tcp://${c.ip}:${port}`;
}
