/*
 * The kernel process: forked by the extension host or the CLI (see kernel/client/client.ts), one per notebook. It runs
 * cells in its own realm and answers over IPC with the messages of kernel/client/protocol.ts.
 */
import { captureStdio, outboxAfterTermination, send } from './outbox';
import { installGlobals } from '../cells/globals';
import { installGraphOutput } from '../outputs/graphOutput';
import { enqueue, interruptRunning, reportStrayError, declaredNames } from '../cells/execute';
import { ASYNC_STACK_RESET, currentRun, noteRun, watchInterrupts } from './interrupt';
import { ClientToKernel, INTERRUPT_FD_ENV, KernelToClient, PROTOCOL_VERSION } from '../client/protocol';
import { installBackwardLog, noteCell } from '../outputs/backwardLog';
import { resetGradMode } from '../engine/graph';
import { answerGradientCheck, answerGraph, answerInspect, answerVariables } from '../tools/answers';
import { installTensorMemoryLimit } from './tensorMemory';

// Deep call chains in cells keep their frames (kernel frames are dropped from tracebacks anyway).
Error.stackTraceLimit = 50;
captureStdio();
installGlobals();
installGraphOutput();
installBackwardLog();
installTensorMemoryLimit();

/**
 * A request that can take long (a gradient check replays the graph hundreds of times) runs as a run the interrupt
 * watcher can stop, as a cell's: the client writes its id on the interrupt pipe, the watcher terminates it, and
 * `stopped` answers it instead. Its work is on copies (the replays), so nothing of the user's is left half-done.
 */
let tool: { requestId: string; previous: string; stopped: () => KernelToClient } | undefined;

function runTool(requestId: string, answer: () => KernelToClient, stopped: () => KernelToClient): void {
  const previous = currentRun();
  tool = { requestId, previous, stopped };
  noteRun(requestId);
  try {
    send(answer());
  } finally {
    tool = undefined;
    noteRun(previous);
  }
}

/**
 * The watcher stopped `requestId` (or asked an idle thread to): a tool request is answered, a cell ends. Code
 * stopped from outside skipped its `finally` blocks: inside noGrad() (a cell's, or the check's replays) recording
 * stayed off, inside the outbox its guard stayed up; both are reset.
 */
function interrupted(requestId: string): void {
  resetGradMode();
  outboxAfterTermination();
  const t = tool;
  if (!t || t.requestId !== requestId) { interruptRunning(requestId); return; }
  tool = undefined;
  noteRun(t.previous);
  send(t.stopped());
}

process.on('message', (message: ClientToKernel) => {
  switch (message.type) {
    case 'execute': noteCell(message.requestId, message); enqueue(message); break;
    case 'interrupt': interruptRunning(message.requestId); break;
    case 'inspect': send(answerInspect(message)); break;
    case 'variables': send(answerVariables(message, declaredNames)); break;
    case 'gradientCheck':
      runTool(message.requestId, () => answerGradientCheck(message, declaredNames), () => ({
        type: 'gradientCheckReply', requestId: message.requestId, cancelled: true, error: 'the gradient check was stopped',
      }));
      break;
    case 'graph': send(answerGraph(message)); break;
    case 'shutdown': process.exit(0);
    default: send({ type: 'log', level: 'warn', text: `unknown message: ${JSON.stringify(message)}` });
  }
});

process.on('uncaughtException', (e: unknown) => { if (e !== ASYNC_STACK_RESET) reportStrayError(e); });
process.on('unhandledRejection', reportStrayError);
process.on('SIGINT', () => { resetGradMode(); interruptRunning(); });
// The client is gone: nobody will read our outputs.
process.on('disconnect', () => process.exit(0));

const fd = Number(process.env[INTERRUPT_FD_ENV]);
if (Number.isInteger(fd) && fd > 2) watchInterrupts(fd, interrupted);

send({ type: 'ready', protocolVersion: PROTOCOL_VERSION, pid: process.pid, nodeVersion: process.version });
