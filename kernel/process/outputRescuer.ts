/*
 * The output rescuer thread (bundled as dist/outputRescuer.js; started by outbox.ts, which explains why). Told
 * the number of each batch of text the main thread starts holding back, it checks `flushMs` later: a batch still
 * pending means the main thread is busy, so it has the main thread send it through an inspector
 * `Runtime.evaluate`, which V8 runs at the busy loop's next interrupt check.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mainThreadSession } from './mainThreadSession';

/** What the rescuer is started with: [0] of `shared` is the number of the batch pending (0: none). */
export interface RescuerData {
  shared: SharedArrayBuffer;
  flushMs: number;
  /** The expression the main thread runs to send its pending text. */
  flushExpression: string;
}

const { shared, flushMs, flushExpression } = workerData as RescuerData;
const pendingBatch = new Int32Array(shared);

parentPort!.on('message', (batch: number) => setTimeout(() => {
  // Sent meanwhile: the main thread was free.
  if (Atomics.load(pendingBatch, 0) !== batch) return;
  const session = mainThreadSession();
  session.post('Runtime.evaluate', { expression: flushExpression }, () => session.disconnect());
}, flushMs));
