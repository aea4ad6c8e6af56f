// A gradient check's marks reach the drawing: the renderer keeps `check` on edges, draws a failing edge red with a
// ✗ in its label, and the exported SVG/DOT/mermaid show it too. The snapshot is the kernel's own (traceGraph +
// the check's marks), so the node ids of the check and of the graph are seen to agree.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { customGrad, Tensor, tensor } from '../../kernel/engine';
import { installBackwardLog, lastBackward } from '../../kernel/outputs/backwardLog';
import { answerGradientCheck } from '../../kernel/tools/answers';
import { exportGraph } from '../../kernel/tools/graphExport';
import { GRAPH_MIME } from '../../kernel/client/protocol';
import type { GraphSnapshot } from '../../kernel/engine/trace';
import { parseSnapshot } from '../../renderer/snapshot';
import { buildViewModel } from '../../renderer/viewModel';

installBackwardLog();

function failingGraph(): GraphSnapshot {
  const half = customGrad(function halfOp(x: Tensor) {
    return { value: x.mul(0.5), gradFunc: (dy: Tensor) => dy }; // should be dy·0.5
  });
  const w = tensor([1, 2], { requiresGrad: true, name: 'w' });
  half(w).square().sum().backward();
  assert.ok(lastBackward());
  const reply = answerGradientCheck({ type: 'gradientCheck', requestId: 'r' }, []);
  assert.equal(reply.passed, false);
  return reply.graph?.[GRAPH_MIME] as GraphSnapshot;
}

describe('failing edges in the drawing', () => {
  it('the renderer keeps the marks and draws the failing edge red with a ✗', () => {
    const snapshot = failingGraph();
    const parsed = parseSnapshot(JSON.parse(JSON.stringify(snapshot)));
    const view = buildViewModel(parsed.snapshot);
    const failing = view.edges.filter((e) => e.edge.check === 'fail');
    assert.equal(failing.length, 1);
    assert.equal(failing[0].mark.colour, '#d32f2f');
    assert.match(failing[0].label, /^✗ /);
    const passing = view.edges.filter((e) => e.edge.check === 'pass');
    assert.ok(passing.length >= 1 && passing.every((e) => e.mark.colour !== '#d32f2f'));
  });

  it('exports draw it red as well', () => {
    const snapshot = failingGraph();
    assert.match(exportGraph(snapshot, 'svg'), /class="edge fail"[^>]*stroke="#d32f2f"/);
    assert.match(exportGraph(snapshot, 'dot'), /\[label="✗ check failed · [^"]*", color=red, fontcolor=red, penwidth=2\.5\]/);
    assert.match(exportGraph(snapshot, 'mermaid'), /linkStyle \d+ stroke:#d32f2f/);
  });
});
