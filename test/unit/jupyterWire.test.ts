// The Jupyter kernel's pure parts: signed frames (wire.ts), outputs as broadcasts (outputs.ts), cursor positions in
// code points (language.ts) and the kernelspec (kernelspec.ts). The protocol end to end is test/jupyter/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, newHeader, SignatureError, Signer } from '../../jupyter/wire';
import { toBroadcast } from '../../jupyter/outputs';
import { toCodePoints, toUnits } from '../../jupyter/language';
import { kernelDir, kernelSpec } from '../../jupyter/kernelspec';
import { GRAPH_MIME } from '../../kernel/client/protocol';

const message = (content: Record<string, unknown>) => ({
  identities: [Buffer.from('peer')], header: newHeader('execute_request', 's1'), parent_header: {}, metadata: {}, content,
});

test('a signed message decodes to what was encoded, routing identity included', () => {
  const signer = new Signer('secret');
  const frames = encode(signer, message({ code: '1 + 1' }));
  const m = decode(signer, frames);
  assert.deepEqual(m.identities.map(String), ['peer']);
  assert.deepEqual(m.content, { code: '1 + 1' });
  assert.equal(m.header.msg_type, 'execute_request');
  assert.equal(m.header.version, '5.3');
  // HMAC-SHA256 in hex, as jupyter_client computes it
  assert.match(frames[2].toString(), /^[0-9a-f]{64}$/);
});

test('a message signed with another key, or tampered with, is rejected', () => {
  const frames = encode(new Signer('other key'), message({ code: 'x' }));
  assert.throws(() => decode(new Signer('secret'), frames), SignatureError);
  const good = encode(new Signer('secret'), message({ code: 'x' }));
  good[good.length - 1] = Buffer.from(JSON.stringify({ code: 'process.exit()' }));
  assert.throws(() => decode(new Signer('secret'), good), SignatureError);
});

test('an empty key means unsigned messages; a malformed message or an unknown scheme is an error naming it', () => {
  const frames = encode(new Signer(''), message({}));
  assert.equal(frames[2].toString(), '');
  assert.deepEqual(decode(new Signer(''), frames).content, {});
  assert.throws(() => decode(new Signer(''), [Buffer.from('no delimiter')]), /malformed message: 1 frames/);
  assert.throws(() => new Signer('k', 'rot13'), /signature_scheme 'rot13'/);
});

test('outputs map to broadcasts: in-place updates share a display_id, any mime bundle passes through', () => {
  const graph = { [GRAPH_MIME]: { nodes: [] }, 'image/svg+xml': '<svg/>', 'text/plain': 'graph' };
  assert.deepEqual(toBroadcast({ type: 'display', requestId: 'r', outputId: 'graph-1', data: graph }),
    { msg_type: 'display_data', content: { data: graph, metadata: {}, transient: { display_id: 'graph-1' } } });
  assert.deepEqual(toBroadcast({ type: 'updateOutput', requestId: 'r', outputId: 'graph-1', data: graph }),
    { msg_type: 'update_display_data', content: { data: graph, metadata: {}, transient: { display_id: 'graph-1' } } });
  // a plot (or any display) without text/plain gets one, so every front end shows something
  const plot = toBroadcast({ type: 'display', requestId: 'r', outputId: 'display-2', data: { 'image/svg+xml': '<svg/>' } });
  assert.deepEqual(plot.content, { data: { 'image/svg+xml': '<svg/>', 'text/plain': '[image/svg+xml]' }, metadata: {}, transient: { display_id: 'display-2' } });
  assert.deepEqual(toBroadcast({ type: 'stream', requestId: 'r', name: 'stderr', text: 'warn\n' }), { msg_type: 'stream', content: { name: 'stderr', text: 'warn\n' } });
  assert.deepEqual(toBroadcast({ type: 'executeResult', requestId: 'r', executionCount: 3, data: { 'text/plain': '2' } }),
    { msg_type: 'execute_result', content: { execution_count: 3, data: { 'text/plain': '2' }, metadata: {} } });
  assert.deepEqual(toBroadcast({ type: 'error', requestId: 'r', ename: 'TypeError', evalue: 'x', traceback: ['TypeError: x'], line: 4, column: 2 }),
    { msg_type: 'error', content: { ename: 'TypeError', evalue: 'x', traceback: ['TypeError: x', '(line 4, column 2 of the cell)'] } });
});

test('cursor positions: Jupyter counts code points, JavaScript UTF-16 units', () => {
  const code = 'const 𝑥 = 1; 𝑥.';
  assert.equal(toUnits(code, 7), 8);             // after `const 𝑥`: the astral 𝑥 is two units
  assert.equal(toCodePoints(code, code.length), [...code].length);
  assert.equal(toUnits('abc', 2), 2);
  assert.equal(toCodePoints(code, toUnits(code, 12)), 12);
});

test('the kernelspec runs this Node and the CLI by absolute path, interrupts by message', () => {
  const spec = kernelSpec('/opt/backprop/dist/cli.js');
  assert.deepEqual(spec.argv, [process.execPath, '/opt/backprop/dist/cli.js', 'kernel', '-f', '{connection_file}']);
  assert.equal(spec.language, 'typescript');
  assert.equal(spec.display_name, 'Backprop (TypeScript)');
  assert.equal(kernelDir({ kind: 'prefix', dir: '/opt/env' }), '/opt/env/share/jupyter/kernels/backprop-ts');
});
