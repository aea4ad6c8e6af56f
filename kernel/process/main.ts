/*
 * The kernel process: forked by the extension host or the CLI (see kernel/client/client.ts), one per notebook. It runs
 * cells in its own realm and answers over IPC with the messages of kernel/client/protocol.ts.
 */
import { captureStdio, outboxAfterTermination, send, setMaxBytesPerCell } from './outbox';
import { installGlobals } from '../cells/globals';
import { installGraphOutput } from '../outputs/graphOutput';
import { enqueue, interruptRunning, reportStrayError, declaredNames } from '../cells/execute';
import { ASYNC_STACK_RESET, watchInterrupts } from './interrupt';
import { runTool, stopTool } from './runContext';
import { ClientToKernel, GRAPH_SVG_ENV, INTERRUPT_FD_ENV, MAX_OUTPUT_ENV, PROTOCOL_VERSION } from '../client/protocol';
import { installBackwardLog } from '../outputs/backwardLog';
import { installNonFiniteWarning } from '../cells/nonFiniteWarning';
import { DETECT_ANOMALY_ENV } from '../client/protocol';
import { detectAnomaly, resetGradMode } from '../engine/graph';
import { answerGradientCheck, answerGraph, answerInspect, answerVariables } from '../tools/answers';
import { installTensorMemoryLimit } from './tensorMemory';
import { drawGraphsWith } from '../outputs/display';
import { toSvg } from '../tools/graphExport';

// Deep call chains in cells keep their frames (kernel frames are dropped from tracebacks anyway).
Error.stackTraceLimit = 50;
captureStdio();
const maxOutput = process.env[MAX_OUTPUT_ENV];
if (maxOutput) {
  // a bad value keeps the default bound: the kernel still starts, and the client's log says why
  try { setMaxBytesPerCell(Number(maxOutput)); } catch (e) { send({ type: 'log', level: 'warn', text: `${MAX_OUTPUT_ENV}: ${(e as Error).message}` }); }
}
installGlobals();
installGraphOutput();
installBackwardLog();
installNonFiniteWarning();
if (process.env[DETECT_ANOMALY_ENV] === '1') detectAnomaly(true);
installTensorMemoryLimit();
// Jupyter front ends without this project's renderer show the graph as a picture drawn here.
if (process.env[GRAPH_SVG_ENV] === '1') drawGraphsWith((g, display) => toSvg(g, display?.edgeLabel));

/**
 * The watcher stopped `requestId` (or asked an idle thread to): a tool request is answered, a cell ends. Code
 * stopped from outside skipped its `finally` blocks: inside noGrad() (a cell's, or the check's replays) recording
 * stayed off, inside the outbox its guard stayed up; both are reset.
 */
function interrupted(requestId: string): void {
  resetGradMode();
  outboxAfterTermination();
  const tool = stopTool(requestId);
  if (tool) send(tool.stopped());
  else interruptRunning(requestId);
}

process.on('message', (message: ClientToKernel) => {
  switch (message.type) {
    case 'execute': enqueue(message); break;
    case 'interrupt': interruptRunning(message.requestId); break;
    case 'inspect': send(answerInspect(message)); break;
    case 'variables': send(answerVariables(message, declaredNames)); break;
    case 'gradientCheck':
      // A check can take long (it replays the graph hundreds of times): the watcher can stop it as it stops a
      // cell. Its work is on copies (the replays), so nothing of the user's is left half-done.
      runTool(message.requestId, () => ({
        type: 'gradientCheckReply', requestId: message.requestId, cancelled: true, error: 'the gradient check was stopped',
      }), () => send(answerGradientCheck(message, declaredNames)));
      break;
    case 'graph': send(answerGraph(message)); break;
    case 'shutdown': return process.exit(0);
    default: send({ type: 'log', level: 'warn', text: `unknown message: ${JSON.stringify(message)}` });
  }
});

// Errors nobody catches: the kernel keeps running, and they are shown (see reportStrayError in cells/execute.ts).
process.on('uncaughtException', (e: unknown) => { if (e !== ASYNC_STACK_RESET) reportStrayError(e); });
process.on('unhandledRejection', (reason: unknown) => reportStrayError(reason));
process.on('SIGINT', () => { resetGradMode(); interruptRunning(); });
// The client is gone: nobody will read our outputs.
process.on('disconnect', () => process.exit(0));

const fd = Number(process.env[INTERRUPT_FD_ENV]);
if (Number.isInteger(fd) && fd > 2) watchInterrupts(fd, interrupted);

send({ type: 'ready', protocolVersion: PROTOCOL_VERSION, pid: process.pid, nodeVersion: process.version });
