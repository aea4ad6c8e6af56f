// The renderer bundle in headless Chromium, drawing a snapshot whose kernel marked the node that made the first
// NaN (`nonFinite`): the box is outlined, a warning above the graph says where it came from, and a click on the
// warning pans the graph to the box.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { flatGraph, nanGraph, toJson } from './fixtures/graphs';
import { bundle, CHROMIUM, requireArtefacts } from '../artefacts';
import { renderIn, startRendererPage, type RendererPage } from './fixtures/rendererPage';

const SHOTS = join(tmpdir(), 'backprop-renderer-shots');

describe('renderer: the node that made the first NaN', () => {
  let rp: RendererPage;
  before(async () => {
    requireArtefacts(CHROMIUM, bundle('renderer.js'));
    rp = await startRendererPage();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => { await rp?.close(); });

  it('outlines the box and says which op, where and with which inputs', async () => {
    const p = await rp.open();
    const snap = nanGraph();
    const logNode = snap.nodes.find((n) => n.op === 'log')!;
    const marked = { ...snap, nonFinite: { node: logNode.id, phase: 'forward', op: 'log', value: 'NaN', message: 'log(-1) = NaN', cell: 'cell[3]', line: 2 } };
    const msg = await renderIn(p, 'nan-mark', toJson(marked));
    assert.equal(msg.type, 'rendered');
    assert.equal(await p.textContent('#out .bp-nonfinite'), '⚠NaN first made by log (cell[3] line 2): log(-1) = NaN');
    assert.ok(await p.$eval(`#out g.node[data-id="${logNode.id}"]`, (g) => g.classList.contains('bp-nonfinite-node')));
    assert.equal(await p.locator('#out g.node.bp-nonfinite-node').count(), 1, 'only that box');
    await p.screenshot({ path: join(SHOTS, 'nonfinite.png') });
    await p.close();
  });

  it('a click on the warning pans to the box and flashes it', async () => {
    const p = await rp.open();
    const snap = flatGraph(40);
    const far = snap.nodes.find((n) => n.name === 'p0')!;
    const marked = { ...snap, nonFinite: { node: far.id, phase: 'backward', op: 'mul', value: 'Infinity', message: 'the gradient of mul(…) is Infinity' } };
    await renderIn(p, 'far', toJson(marked));
    // zoom in so that the far box leaves the viewport
    for (let i = 0; i < 8; i++) await p.click('#out button[title^="zoom in"]');
    const inView = () => p.evaluate((id) => {
      const box = document.querySelector(`#out g.node[data-id="${id}"]`)!.getBoundingClientRect();
      const view = document.querySelector('#out .bp-viewport')!.getBoundingClientRect();
      return box.left >= view.left - 1 && box.right <= view.right + 1 && box.top >= view.top - 1 && box.bottom <= view.bottom + 1;
    }, far.id);
    assert.equal(await inView(), false, 'zoomed in, the box is out of view');
    assert.match(await p.textContent('#out .bp-nonfinite') ?? '', /Infinity first made in backward\(\) by mul's gradient: the gradient/);
    await p.click('#out .bp-nonfinite');
    assert.equal(await inView(), true, 'the click brought it into view');
    assert.ok(await p.$eval(`#out g.node[data-id="${far.id}"]`, (g) => g.classList.contains('bp-nonfinite-flash')));
    await p.close();
  });

  it('a malformed mark is left out: the graph still draws', async () => {
    const p = await rp.open();
    const msg = await renderIn(p, 'bad-mark', toJson({ ...nanGraph(), nonFinite: { node: 3, phase: 'sideways' } }));
    assert.equal(msg.type, 'rendered');
    assert.equal(await p.locator('#out .bp-nonfinite').count(), 0);
    await p.close();
  });
});
