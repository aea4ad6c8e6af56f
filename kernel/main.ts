/*
 * The kernel process: forked by the extension host or the CLI (see kernel/client.ts), one per notebook. It runs
 * cells in its own realm and answers over IPC with the messages of kernel/protocol.ts.
 */
import { captureStdio, send } from './outbox';
import { installGlobals } from './globals';
import { installGraphOutput } from './graphOutput';
import { enqueue, interruptRunning, reportStrayError, declaredNames } from './execute';
import { watchInterrupts } from './interrupt';
import { toMimeBundle, describe } from './display';
import { ClientToKernel, INTERRUPT_FD_ENV, PROTOCOL_VERSION } from './protocol';

captureStdio();
installGlobals();
installGraphOutput();

/** Only plain property paths (`w.grad`) are inspected: a hover must not run the user's code. */
const PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

function lookup(expression: string): { found: boolean; value?: unknown } {
  if (!PATH.test(expression)) return { found: false };
  let value: unknown = globalThis;
  for (const key of expression.split('.')) {
    if (value === null || value === undefined || !(key in Object(value))) return { found: false };
    value = (value as Record<string, unknown>)[key];
  }
  return { found: true, value };
}

process.on('message', (message: ClientToKernel) => {
  switch (message.type) {
    case 'execute': enqueue(message); break;
    case 'interrupt': interruptRunning(); break;
    case 'inspect': {
      const { found, value } = lookup(message.expression);
      send({ type: 'inspectReply', requestId: message.requestId, found, data: found ? toMimeBundle(value, true) : undefined });
      break;
    }
    case 'variables': {
      const g = globalThis as Record<string, unknown>;
      const variables = [...declaredNames].filter((n) => n in g).map((name) => ({ name, ...describe(g[name]) }));
      send({ type: 'variablesReply', requestId: message.requestId, variables });
      break;
    }
    case 'shutdown': process.exit(0);
    default: send({ type: 'log', level: 'warn', text: `unknown message: ${JSON.stringify(message)}` });
  }
});

process.on('uncaughtException', reportStrayError);
process.on('unhandledRejection', reportStrayError);
process.on('SIGINT', interruptRunning);
// The client is gone: nobody will read our outputs.
process.on('disconnect', () => process.exit(0));

const fd = Number(process.env[INTERRUPT_FD_ENV]);
if (Number.isInteger(fd) && fd > 2) watchInterrupts(fd, interruptRunning);

send({ type: 'ready', protocolVersion: PROTOCOL_VERSION, pid: process.pid, nodeVersion: process.version });
