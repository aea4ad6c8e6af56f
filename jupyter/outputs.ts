/*
 * The kernel's outputs as Jupyter broadcasts. Generic by design: every output the kernel sends is a mime bundle
 * (graphs carry their own mime, `image/svg+xml` drawn in the kernel and `text/plain`; plots and `display(...)`
 * bring theirs), so each maps over as it is; an output the kernel later replaces in place (a graph after each
 * backward(), an updating plot) becomes `display_data` with a `display_id`, then `update_display_data` with it.
 */
import type { CellOutputMessage, MimeBundle } from '../kernel/client/protocol';
import type { Broadcast, ErrorContent } from './messages';

/** The broadcast of one kernel output. */
export function toBroadcast(m: CellOutputMessage): Broadcast {
  switch (m.type) {
    case 'stream': return { msg_type: 'stream', content: { name: m.name, text: m.text } };
    case 'display': return { msg_type: 'display_data', content: { data: bundle(m.data), metadata: {}, transient: { display_id: m.outputId } } };
    case 'updateOutput': return { msg_type: 'update_display_data', content: { data: bundle(m.data), metadata: {}, transient: { display_id: m.outputId } } };
    case 'executeResult': return { msg_type: 'execute_result', content: { execution_count: m.executionCount, data: bundle(m.data), metadata: {} } };
    case 'error': return { msg_type: 'error', content: errorContent(m) };
  }
}

/** An error as Jupyter shows it: the traceback ends with the cell line it happened on, when the kernel knows it. */
export function errorContent(m: { ename: string; evalue: string; traceback: string[]; line?: number; column?: number }): ErrorContent {
  const traceback = [...m.traceback];
  if (m.line !== undefined) traceback.push(`(line ${m.line}${m.column !== undefined ? `, column ${m.column}` : ''} of the cell)`);
  return { ename: m.ename, evalue: m.evalue, traceback };
}

/** Every bundle carries `text/plain`, which every front end can show. */
function bundle(data: MimeBundle): MimeBundle {
  return 'text/plain' in data ? data : { ...data, 'text/plain': `[${Object.keys(data).join(', ')}]` };
}
