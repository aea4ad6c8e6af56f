// Export Graph… as SVG and DOT: edges coloured as the notebook colours them, a failed check's edge red with ✗ in
// SVG and DOT (also when exported after the check, through the kernel), and no edge drawn through a box.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, traceGraph } from '../../kernel/engine';
import type { GraphSnapshot } from '../../kernel/engine/trace';
import { toSvg } from '../../kernel/tools/graphExport';
import { classifyGrad } from '../../renderer/gradScale';
import { parseSnapshot } from '../../renderer/snapshot';
import type { KernelClient } from '../../kernel/client/client';
import { startKernel, WRONG_CUBE_CELL } from './helpers/kernelProcess';

/** x used near the loss and deep in the graph: the edge to the deep use skips columns. */
function skipGraph(): GraphSnapshot {
  const x = tensor([0.5, -1], { requiresGrad: true, name: 'x' }), w = tensor([2, 3], { requiresGrad: true, name: 'w' });
  const h = x.mul(w).tanh().mul(w).tanh().mul(w).tanh();
  const loss = h.add(x).sum();
  loss.backward();
  return traceGraph(loss);
}

interface Box { id: string; x: number; y: number; w: number; h: number }

function boxesOf(svg: string): Box[] {
  return [...svg.matchAll(/<g class="node" data-id="([^"]+)"><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)]
    .map((m) => ({ id: m[1], x: +m[2], y: +m[3], w: +m[4], h: +m[5] }));
}

/** Points along a path of M, L and C commands (absolute), a few pixels apart. */
function pointsOf(d: string): Array<[number, number]> {
  const tokens = [...d.matchAll(/([MLC])([^MLC]*)/g)].map((m) => ({ cmd: m[1], nums: m[2].trim().split(/[ ,]+/).map(Number) }));
  const pts: Array<[number, number]> = [];
  let cx = 0, cy = 0;
  for (const { cmd, nums } of tokens) {
    if (cmd === 'M') { [cx, cy] = nums; continue; }
    const steps = 200;
    for (let i = 1; i <= steps; i++) {
      const t = i / steps, u = 1 - t;
      if (cmd === 'L') pts.push([cx + (nums[0] - cx) * t, cy + (nums[1] - cy) * t]);
      else pts.push([u * u * u * cx + 3 * u * u * t * nums[0] + 3 * u * t * t * nums[2] + t * t * t * nums[4],
        u * u * u * cy + 3 * u * u * t * nums[1] + 3 * u * t * t * nums[3] + t * t * t * nums[5]]);
    }
    [cx, cy] = nums.slice(-2);
  }
  return pts;
}

/** The hue of a #rrggbb colour, in degrees. */
function hueOf(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const max = Math.max(r, g, b), d = max - Math.min(r, g, b);
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

describe('exported SVG', () => {
  test('no edge passes through a box, an edge that skips columns included', () => {
    const g = skipGraph(), svg = toSvg(g), boxes = boxesOf(svg);
    assert.equal(boxes.length, g.nodes.length);
    const paths = [...svg.matchAll(/<path class="edge[^"]*" d="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(paths.length, g.edges.length);
    for (const [k, d] of paths.entries()) {
      for (const [px, py] of pointsOf(d)) {
        const inside = boxes.find((b) => px > b.x + 1 && px < b.x + b.w - 1 && py > b.y + 1 && py < b.y + b.h - 1);
        assert.equal(inside, undefined, `edge ${g.edges[k].to} → ${g.edges[k].from} passes through ${inside?.id} at ${px.toFixed(1)},${py.toFixed(1)}`);
      }
    }
  });

  test("edges have the notebook's gradient colours (and widths)", () => {
    const g = skipGraph(), svg = toSvg(g);
    const strokes = [...svg.matchAll(/<path class="edge" d="[^"]+" fill="none" stroke="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
    const parsed = parseSnapshot(JSON.parse(JSON.stringify(g))).snapshot;
    assert.equal(strokes.length, parsed.edges.length);
    const hues = new Set<number>();
    parsed.edges.forEach((e, i) => {
      const mark = classifyGrad(e.grad);
      const renderer = /^hsl\((\d+) 65% 50%\)$/.exec(mark.colour);
      assert.ok(renderer, `${mark.colour} is on the scale`);
      assert.ok(Math.abs(hueOf(strokes[i]) - Number(renderer[1])) <= 1, `edge ${i}: ${strokes[i]} vs ${mark.colour}`);
      hues.add(Math.round(hueOf(strokes[i])));
    });
    assert.ok(hues.size > 1, 'the gradients differ, and so do the colours');
  });
});

describe('Export Graph… after a failed gradient check, through the kernel', () => {
  let kernel: KernelClient;
  before(async () => { kernel = await startKernel(); });
  after(async () => { await kernel.shutdown(); });

  test('SVG and DOT keep the red edge and say ✗ check failed; a newer backward() drops the verdicts', async () => {
    const run = await kernel.run(WRONG_CUBE_CELL);
    assert.equal(run.status, 'ok');
    const before = await kernel.request('graph', { format: 'svg' });
    assert.doesNotMatch(before.text ?? '', /class="edge fail"/, 'not checked yet');
    assert.equal((await kernel.request('gradientCheck', {})).passed, false);
    const svg = (await kernel.request('graph', { format: 'svg' })).text ?? '';
    assert.equal([...svg.matchAll(/<path class="edge fail"[^>]*stroke="#d32f2f"/g)].length, 1, svg);
    assert.match(svg, /<text [^>]*fill="#d32f2f">✗ check failed · /);
    const dot = (await kernel.request('graph', { format: 'dot' })).text ?? '';
    assert.equal([...dot.matchAll(/\[label="✗ check failed · [^"]*", color=red, fontcolor=red, penwidth=2\.5\]/g)].length, 1, dot);
    assert.equal((await kernel.run('w.zeroGrad();\ncube(w).sum().backward();')).status, 'ok');
    assert.doesNotMatch((await kernel.request('graph', { format: 'dot' })).text ?? '', /check failed|color=red/);
  });
});
