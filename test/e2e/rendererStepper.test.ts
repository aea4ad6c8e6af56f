// Backward, step by step, in headless Chromium: the bundled renderer (dist/renderer.js) on snapshots traced by
// the engine, and the --html export page (cli/html.ts) that inlines it. Stepping shows, at each node, the
// equation the engine's numbers give, highlights the node and its input edges, plays to the end, jumps; the
// chain rule to a leaf adds up to its gradient; a matmul step draws its Jacobian.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import * as bp from '../../kernel/engine';
import { loadRendererSource, notebookToHtml } from '../../cli/html';
import { buildSteps } from '../../renderer/stepModel';
import { parseSnapshotText } from '../../renderer/snapshot';
import { toJson } from './fixtures/graphs';
import { bundle, CHROMIUM, requireArtefacts } from '../artefacts';
import { renderIn, startRendererPage, type RendererPage } from './fixtures/rendererPage';

const SHOTS = join(tmpdir(), 'backprop-renderer-shots');

/** micrograd's neuron, o used twice: L = o·o with o = tanh(x·w + b). */
function neuron(): bp.GraphSnapshot {
  const x = bp.tensor(2, { name: 'x' }), w = bp.tensor(-3, { requiresGrad: true, name: 'w' });
  const b = bp.tensor(6.8813735870195432, { requiresGrad: true, name: 'b' });
  const o = x.mul(w).add(b).tanh();
  o.name = 'o';
  const L = o.mul(o);
  L.name = 'L';
  L.backward();
  return bp.traceGraph(L);
}

function layer(): bp.GraphSnapshot {
  const W = bp.tensor([[1, 2], [3, 4]], { requiresGrad: true, name: 'W' }), x = bp.tensor([[0.5, -1]], { name: 'x' });
  const L = x.matmul(W).tanh().sum();
  L.name = 'L';
  L.backward();
  return bp.traceGraph(L);
}

const panelText = (p: Page, sel: string) => p.locator(`#out .bp-stepper ${sel}`).first().textContent();
const highlighted = (p: Page) => p.$$eval('#out g.node.bp-step-now', (gs) => gs.map((g) => g.getAttribute('data-id')));

describe('backward, step by step, in Chromium', () => {
  let rp: RendererPage;
  before(async () => {
    requireArtefacts(CHROMIUM, bundle('renderer.js'));
    rp = await startRendererPage();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => { await rp?.close(); });

  it('steps through the neuron showing each node’s equation, highlighted in the drawing', async () => {
    const snap = neuron();
    const expected = buildSteps(parseSnapshotText(toJson(snap)).snapshot);
    const p = await rp.open();
    const msg = await renderIn(p, 'neuron', toJson(snap));
    assert.equal(msg.type, 'rendered');
    assert.equal(await panelText(p, 'summary'), `Backward, step by step (${expected.length} steps)`);
    for (let k = 0; k < expected.length; k++) {
      assert.equal(await panelText(p, '.bp-stepper-count'), `step ${k + 1} of ${expected.length}`);
      assert.deepEqual(await highlighted(p), [expected[k].node.id]);
      assert.equal(await panelText(p, '.bp-ybar'), `gradient arriving: ${expected[k].gradIn}`);
      const eqs = await p.$$eval('#out .bp-stepper .bp-term .bp-eq-main', (es) => es.map((e) => e.textContent));
      assert.deepEqual(eqs, expected[k].terms.map((t) => t.equation));
      // the input edges of this step are marked too
      assert.equal(await p.locator('#out path.bp-edge.bp-step-edge').count(), expected[k].terms.length);
      if (k === 0) {
        assert.match((await panelText(p, '.bp-eq-sum'))!, /^∂L\/∂o = 0\.7071 \+ 0\.7071 = 1\.414/);
        await p.screenshot({ path: join(SHOTS, 'stepper-first.png'), fullPage: true });
      }
      if (k < expected.length - 1) await p.click('#out .bp-stepper .bp-step-next');
    }
    assert.deepEqual(await p.$$eval('#out .bp-stepper .bp-term .bp-eq-main', (es) => es.map((e) => e.textContent)), ['∂L/∂w = ∂L/∂mul · x = 0.7071 · 2 = 1.414']);
    assert.equal(await p.locator('#out .bp-stepper .bp-step-next').isDisabled(), true);
    await p.click('#out .bp-stepper .bp-step-back');
    assert.equal(await panelText(p, '.bp-stepper-count'), `step ${expected.length - 1} of ${expected.length}`);
    // jump to tanh
    await p.selectOption('#out .bp-stepper-controls select[aria-label="jump to a node"]', '1');
    assert.match((await panelText(p, 'h4'))!, /^Step 2: tanh · o/);
    // the chain rule to w: two paths (o is used twice), summing to w's gradient
    assert.equal(await panelText(p, '.bp-chain-sum'), 'sum over paths: ∂L/∂b = 0.7071 · 0.5 · 1 + 0.7071 · 0.5 · 1 = 0.7071');
    await p.selectOption('#out .bp-chain select', { label: 'w' });
    assert.equal(await panelText(p, '.bp-chain-sum'), 'sum over paths: ∂L/∂w = 0.7071 · 0.5 · 1 · 2 + 0.7071 · 0.5 · 1 · 2 = 1.414');
    await p.screenshot({ path: join(SHOTS, 'stepper-tanh.png'), fullPage: true });
    await p.close();
  });

  it('plays to the last step at the chosen speed, and keeps the step across a re-render', async () => {
    const snap = neuron();
    const p = await rp.open();
    await renderIn(p, 'play', toJson(snap));
    await p.selectOption('#out .bp-stepper-controls select[aria-label="speed of play"]', '3');
    await p.click('#out .bp-stepper .bp-step-play');
    assert.equal(await panelText(p, '.bp-step-play'), '⏸ pause');
    await p.waitForFunction(() => document.querySelector('#out .bp-stepper-count')?.textContent === 'step 4 of 4', undefined, { timeout: 5000 });
    await p.waitForFunction(() => document.querySelector('#out .bp-step-play')?.textContent === '▶ play', undefined, { timeout: 2000 });
    await renderIn(p, 'play', toJson(snap));
    assert.equal(await panelText(p, '.bp-stepper-count'), 'step 4 of 4');
    await p.close();
  });

  it('shows a matmul step with its transposed operand and its Jacobian as a matrix', async () => {
    const snap = layer();
    const expected = buildSteps(parseSnapshotText(toJson(snap)).snapshot);
    const k = expected.findIndex((v) => v.node.op === 'matmul');
    const p = await rp.open();
    await renderIn(p, 'layer', toJson(snap));
    await p.selectOption('#out .bp-stepper-controls select[aria-label="jump to a node"]', String(k));
    const eq = (await panelText(p, '.bp-term .bp-eq-main'))!;
    assert.equal(eq, expected[k].terms[0].equation);
    assert.match(eq, /^∂L\/∂W = xᵀ · ∂L\/∂matmul = \[\[0\.5\], \[-1\]\] · /);
    assert.equal(await p.locator('#out .bp-stepper table.bp-jac tr').count(), 2, 'a 2×4 Jacobian: output [1×2] by W [2×2]');
    assert.equal(await p.locator('#out .bp-stepper .bp-chain').count(), 0, 'no chain-rule paths: not a scalar graph');
    await p.screenshot({ path: join(SHOTS, 'stepper-matmul.png'), fullPage: true });
    await p.close();
  });

  it('works in the exported HTML page (the inlined renderer)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-stepper-html-'));
    try {
      const snapshot = JSON.parse(toJson(neuron())) as unknown;
      const html = notebookToHtml({ cells: [{ cell_type: 'code', execution_count: 1, source: 'L.backward()', outputs: [
        { output_type: 'display_data', data: { 'application/vnd.backprop.graph+json': snapshot, 'text/plain': 'graph' } },
      ] }] }, { rendererSource: loadRendererSource() });
      const file = join(dir, 'neuron.html');
      writeFileSync(file, html);
      const page = await rp.browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${file}`);
      await page.locator('.bp-stepper .bp-step-next').waitFor({ timeout: 20000 });
      for (let k = 0; k < 3; k++) await page.click('.bp-stepper .bp-step-next');
      assert.equal(await page.locator('.bp-stepper .bp-term .bp-eq-main').first().textContent(), '∂L/∂w = ∂L/∂mul · x = 0.7071 · 2 = 1.414');
      assert.equal(await page.locator('g.node.bp-step-now').count(), 1);
      assert.deepEqual(errors, []);
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
