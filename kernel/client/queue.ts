/*
 * The run queue of one kernel: cell runs go one at a time in call order, and when one fails (an error, an
 * interrupt, a dead kernel) the runs queued behind it are cancelled, as in Jupyter. Tool turns (a gradient check
 * asked for while cells are queued) wait for the runs before them but are never cancelled and cancel nothing.
 *
 *   const result = await queue.run((signal) => runCell(signal), { cancelled: () => 'cancelled', failed: (r) => r !== 'ok' });
 */

export interface QueuedRunOptions<T> {
  /** What the run resolves to when it is cancelled before its turn (a failure before it, an interrupt, its signal). */
  cancelled: () => T;
  /** Whether a result counts as a failure, cancelling the runs queued behind it (a thrown error always does). */
  failed?: (result: T) => boolean;
  /** Aborting cancels the run while it waits, and aborts the signal its job gets once it runs. */
  signal?: AbortSignal;
}

interface Entry {
  /** Runs the job; resolves with what delivers its outcome, called once the queue has moved past it. */
  start(): Promise<() => void>;
  /** Aborted to stop the entry's job once it runs. */
  stop: AbortController;
  /** Undefined for a tool turn, which is never cancelled. */
  cancel?: () => void;
}

export class RunQueue {
  private readonly waiting: Entry[] = [];
  private current: Entry | undefined;

  /** True when nothing runs or waits. */
  get idle(): boolean { return !this.current && this.waiting.length === 0; }

  /** Number of runs and turns waiting (not counting the one running). */
  get queued(): number { return this.waiting.length; }

  /**
   * Queues a run: `job` starts when everything queued before it has ended (at once when the queue is idle). Its
   * signal is aborted by `interrupt()` or the run's own signal. Resolves with the job's result, or `cancelled()`.
   */
  run<T>(job: (signal: AbortSignal) => Promise<T>, options: QueuedRunOptions<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const abort = () => {
        if (this.current === entry) entry.stop.abort();
        else if (this.remove(entry)) entry.cancel?.();
      };
      const entry: Entry = {
        stop: new AbortController(),
        cancel: () => {
          options.signal?.removeEventListener('abort', abort);
          try { resolve(options.cancelled()); } catch (e) { reject(e); }
        },
        start: async () => {
          let deliver: () => void;
          let failed = true;
          try {
            const result = await job(entry.stop.signal);
            failed = options.failed?.(result) ?? false;
            deliver = () => resolve(result);
          } catch (e) {
            deliver = () => reject(e);
          }
          options.signal?.removeEventListener('abort', abort);
          if (failed) this.cancelQueued();
          return deliver;
        },
      };
      if (options.signal?.aborted) { entry.cancel?.(); return; }
      options.signal?.addEventListener('abort', abort, { once: true });
      this.enqueue(entry);
    });
  }

  /** Runs `fn` once everything queued before it has ended; it is never cancelled, and its failure cancels nothing. */
  turn<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => fn().then((r) => () => resolve(r), (e: unknown) => () => reject(e));
      this.enqueue({ start, stop: new AbortController() });
    });
  }

  /** Cancels every queued run (not tool turns, and not the running one). */
  cancelQueued(): void {
    for (const entry of [...this.waiting]) {
      if (entry.cancel && this.remove(entry)) entry.cancel();
    }
  }

  /** Cancels the queued runs and aborts the running one's signal. */
  interrupt(): void {
    this.cancelQueued();
    this.current?.stop.abort();
  }

  private enqueue(entry: Entry): void {
    this.waiting.push(entry);
    this.pump();
  }

  private pump(): void {
    if (this.current) return;
    const entry = this.waiting.shift();
    if (!entry) return;
    this.current = entry;
    void entry.start().then((deliver) => {
      this.current = undefined;
      deliver();
      this.pump();
    });
  }

  private remove(entry: Entry): boolean {
    const i = this.waiting.indexOf(entry);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    return true;
  }
}
