/*
 * The kernel process: forked by the extension host or the CLI (see kernel/client.ts), one per notebook. It runs
 * cells in its own realm and answers over IPC with the messages of kernel/protocol.ts.
 */
import { captureStdio, send } from './outbox';
import { installGlobals } from './globals';
import { installGraphOutput } from './graphOutput';
import { enqueue, interruptRunning, reportStrayError, declaredNames } from './execute';
import { ASYNC_STACK_RESET, watchInterrupts } from './interrupt';
import { ClientToKernel, INTERRUPT_FD_ENV, PROTOCOL_VERSION } from './protocol';
import { installBackwardLog, noteCell } from './backwardLog';
import { answerGradientCheck, answerGraph, answerInspect, answerVariables } from './tools';

// Deep call chains in cells keep their frames (kernel frames are dropped from tracebacks anyway).
Error.stackTraceLimit = 50;
captureStdio();
installGlobals();
installGraphOutput();
installBackwardLog();

process.on('message', (message: ClientToKernel) => {
  switch (message.type) {
    case 'execute': noteCell(message.requestId, message); enqueue(message); break;
    case 'interrupt': interruptRunning(message.requestId); break;
    case 'inspect': send(answerInspect(message)); break;
    case 'variables': send(answerVariables(message, declaredNames)); break;
    case 'gradientCheck': send(answerGradientCheck(message, declaredNames)); break;
    case 'graph': send(answerGraph(message)); break;
    case 'shutdown': process.exit(0);
    default: send({ type: 'log', level: 'warn', text: `unknown message: ${JSON.stringify(message)}` });
  }
});

process.on('uncaughtException', (e: unknown) => { if (e !== ASYNC_STACK_RESET) reportStrayError(e); });
process.on('unhandledRejection', reportStrayError);
process.on('SIGINT', () => interruptRunning());
// The client is gone: nobody will read our outputs.
process.on('disconnect', () => process.exit(0));

const fd = Number(process.env[INTERRUPT_FD_ENV]);
if (Number.isInteger(fd) && fd > 2) watchInterrupts(fd, interruptRunning);

send({ type: 'ready', protocolVersion: PROTOCOL_VERSION, pid: process.pid, nodeVersion: process.version });
