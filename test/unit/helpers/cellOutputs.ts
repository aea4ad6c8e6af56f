// Reading a cell run's outputs in the kernel tests: its value, its error, its text.
import type { CellOutput, CellResult } from '../../../kernel/client/client';

export type ErrorOutput = Extract<CellOutput, { kind: 'error' }>;

/** An output's `text/plain`, where it has data. */
export const plain = (o: CellOutput | undefined): string | undefined => (o && 'data' in o ? String(o.data['text/plain']) : undefined);
/** The `text/plain` of the cell's value, if it showed one. */
export const result = (r: CellResult): string | undefined => plain(r.outputs.find((o) => o.kind === 'executeResult'));
/** The cell's error output, if it failed. */
export const errorOf = (r: CellResult): ErrorOutput | undefined => r.outputs.find((o): o is ErrorOutput => o.kind === 'error');
/** All the text the cell printed, stdout and stderr in order. */
export const streamText = (r: CellResult): string => r.outputs.map((o) => (o.kind === 'stream' ? o.text : '')).join('');
