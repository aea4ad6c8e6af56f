/*
 * A cell run's outputs as the CLI and the tests collect them: stream text joined into one output per stretch of
 * stdout or stderr, `updateOutput` applied in place, and the run's outcome.
 */
import type { CellOutputMessage, DoneStatus, MimeBundle } from './protocol';

/** One output of a cell, as collected by the client. */
export type CellOutput =
  | { kind: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { kind: 'display'; outputId: string; data: MimeBundle }
  | { kind: 'executeResult'; executionCount: number; data: MimeBundle }
  | { kind: 'error'; ename: string; evalue: string; traceback: string[]; line?: number; column?: number };

export interface CellResult {
  /**
   * 'died': the kernel process ended during the run (its state is gone; the next run starts a new one).
   * 'cancelled': the cell was queued behind one that failed, was interrupted or died, and did not run.
   */
  status: DoneStatus | 'died' | 'cancelled';
  outputs: CellOutput[];
  durationMs: number;
  /** How the process ended, when status is 'died'. */
  exit?: { code: number | null; signal: string | null; stderr: string };
}

/**
 * A client-side safety net, not an output policy: the stream text of one run kept by the collector, in characters.
 * Above the kernel's own bound (at most 32 MB of text per cell, kernel/process/outbox.ts), which is the one users meet.
 * Far below V8's longest string (about 2^29 characters, past which joining text throws "Invalid string length" and
 * the client would lose every cell's outputs), and small enough that a notebook of such cells can still be written.
 */
export const CLIENT_STREAM_LIMIT_CHARS = 40 * 2 ** 20;

/** Collects one run's output messages into CellOutputs. */
export class OutputCollector {
  readonly outputs: CellOutput[] = [];
  private streamChars = 0;
  private dropped = 0;
  private note: Extract<CellOutput, { kind: 'stream' }> | undefined;

  /** @param streamLimit stream characters kept per run; the rest is dropped and a note says how much */
  constructor(private readonly streamLimit = CLIENT_STREAM_LIMIT_CHARS) {
    if (!(streamLimit >= 0)) throw new RangeError(`the stream limit must be a number of characters >= 0, got ${streamLimit}`);
  }

  add(m: CellOutputMessage): void {
    switch (m.type) {
      case 'stream': this.addStream(m.name, m.text); return;
      case 'display': this.outputs.push({ kind: 'display', outputId: m.outputId, data: m.data }); return;
      case 'updateOutput': {
        const target = this.outputs.find((o) => o.kind === 'display' && o.outputId === m.outputId);
        if (target?.kind === 'display') target.data = m.data;
        return;
      }
      case 'executeResult': this.outputs.push({ kind: 'executeResult', executionCount: m.executionCount, data: m.data }); return;
      case 'error': this.outputs.push({ kind: 'error', ename: m.ename, evalue: m.evalue, traceback: m.traceback, line: m.line, column: m.column }); return;
    }
  }

  private addStream(name: 'stdout' | 'stderr', text: string): void {
    const room = this.streamLimit - this.streamChars;
    const kept = text.length <= room ? text : text.slice(0, Math.max(room, 0));
    this.streamChars += kept.length;
    this.dropped += text.length - kept.length;
    if (kept) {
      const last = this.outputs[this.outputs.length - 1];
      if (last?.kind === 'stream' && last.name === name && this.note !== last) last.text += kept;
      else this.outputs.push({ kind: 'stream', name, text: kept });
    }
    if (this.dropped > 0) this.noteTruncation(name);
  }

  /** One note at the end of the kept text, saying how much was dropped so far. */
  private noteTruncation(name: 'stdout' | 'stderr'): void {
    const text = `\n[output truncated by the Backprop client: this cell printed more than ${this.streamLimit} characters; ${this.dropped} more were dropped]\n`;
    if (!this.note) {
      this.note = { kind: 'stream', name, text };
      this.outputs.push(this.note);
    }
    this.note.text = text;
  }
}
