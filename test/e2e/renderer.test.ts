// The bundled renderer (dist/renderer.js) in headless Debian Chromium, loaded as VS Code's webview loads it
// (an ES module; activate(ctx) with a fake context that records posted messages). Checks what is drawn:
// numbers on the right edges, hover cards, pins, collapse/expand, re-render keeping zoom and pins, large
// graphs, hostile names, NaN gradients, malformed JSON, themes and narrow widths.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { deepGraph, flatGraph, HOSTILE, hostileGraph, mlpGraph, nanGraph, scalarGraph, toJson } from './fixtures/graphs';
import { bundle, CHROMIUM, requireArtefacts } from '../artefacts';
import { renderIn, startRendererPage, type RendererPage } from './fixtures/rendererPage';

const SHOTS = join(tmpdir(), 'backprop-renderer-shots');

/** Texts of the drawn edge labels going from tensor `from` into tensor `to`. */
function edgeLabelTexts(p: Page, from: string, to: string): Promise<string[]> {
  return p.$$eval(`#out g.edgeLabel[data-from="${from}"][data-to="${to}"]`, (els) => els.map((e) => e.textContent ?? ''));
}

/** The text of the box drawing tensor `id`, line by line. */
function boxLines(p: Page, id: string, scope = '#out'): Promise<string[]> {
  return p.$eval(`${scope} g.node[data-id="${id}"]`, (g) => Array.from(g.querySelectorAll('tspan')).map((t) => t.textContent ?? ''));
}

describe('renderer in Chromium', () => {
  let rp: RendererPage;
  before(async () => {
    requireArtefacts(CHROMIUM, bundle('renderer.js'));
    rp = await startRendererPage();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => { await rp?.close(); });

  it('draws a scalar graph with each edge gradient on its own edge, adding up at a tensor used twice', async () => {
    const p = await rp.open();
    const snap = scalarGraph();
    const msg = await renderIn(p, 'scalar', toJson(snap));
    assert.equal(msg.type, 'rendered');
    assert.equal(msg.nodes, snap.nodes.length);
    assert.equal(msg.edges, snap.edges.length);
    const o = snap.nodes.find((n) => n.name === 'o')!, loss = snap.nodes.find((n) => n.id === snap.root)!;
    assert.deepEqual(await edgeLabelTexts(p, o.id, loss.id), ['∇ 0.707', '∇ 0.707']);
    assert.deepEqual(await boxLines(p, o.id), ['tanh · o', 'scalar', '= 0.707', '∇ 1.41']);
    const w1 = snap.nodes.find((n) => n.name === 'w1')!;
    const mulW1 = snap.edges.find((e) => e.from === w1.id)!;
    // dL/dw1 = x1 · dL/d(x1·w1) = 2 · 0.707: one edge, so the edge and the box agree
    assert.deepEqual(await edgeLabelTexts(p, w1.id, mulW1.to), ['∇ 1.41']);
    assert.deepEqual(await boxLines(p, w1.id), ['w1', 'scalar', '= -3', '∇ 1.41']);
    // every label sits on its own edge: its centre is within a few pixels of that edge's path
    const far = await p.$$eval('#out g.edgeLabel[data-bp]', (labels) => labels.map((l) => {
      const path = (l as SVGGElement).ownerSVGElement!.querySelector(`path.bp-edge[data-bp="${l.getAttribute('data-bp')}"]`) as SVGPathElement;
      const b = (l as SVGGraphicsElement).getBBox();
      const m = (l as SVGGraphicsElement).getCTM()!, pm = path.getCTM()!;
      const cx = m.e + b.x + b.width / 2, cy = m.f + b.y + b.height / 2;
      let best = Infinity;
      for (let s = 0, len = path.getTotalLength(); s <= len; s += 2) {
        const pt = path.getPointAtLength(s);
        best = Math.min(best, Math.hypot(pm.e + pt.x - cx, pm.f + pt.y - cy));
      }
      return best;
    }));
    assert.equal(far.length, msg.edgeLabels.filter((l: string) => l).length);
    assert.ok(far.every((d) => d < 12), `label distances ${far}`);
    await p.screenshot({ path: join(SHOTS, 'scalar.png'), fullPage: true });
    await p.close();
  });

  it('shows full statistics on hover and pins them on click', async () => {
    const p = await rp.open();
    const snap = scalarGraph();
    await renderIn(p, 'scalar', toJson(snap));
    const o = snap.nodes.find((n) => n.name === 'o')!;
    await p.hover(`#out g.node[data-id="${o.id}"]`);
    const tip = p.locator('#out .bp-tip');
    await tip.waitFor({ state: 'visible' });
    const text = await tip.textContent();
    for (const s of ['mean', 'std', 'min', 'max', 'norm', '0.7071', '1.414', 'op tanh']) assert.ok(text!.includes(s), `${s} in ${text}`);
    // an edge: its label
    const w1 = snap.nodes.find((n) => n.name === 'w1')!;
    await p.hover(`#out g.edgeLabel[data-from="${w1.id}"]`);
    assert.match((await tip.textContent())!, /gradient flowing back from mul into its argument 1 \(w1\)/);
    await p.click(`#out g.node[data-id="${o.id}"]`);
    assert.equal(await p.locator('#out .bp-pins .bp-card').count(), 1);
    assert.equal(await p.locator('#out .bp-pins .bp-card').getAttribute('data-pin'), 'name:o');
    assert.ok(await p.$eval(`#out g.node[data-id="${o.id}"]`, (g) => g.classList.contains('bp-pinned')));
    await p.click(`#out g.node[data-id="${o.id}"]`);
    assert.equal(await p.locator('#out .bp-pins .bp-card').count(), 0);
    await p.close();
  });

  it('works from the keyboard: Tab reaches every box, label, group and bar, shows its card; Enter pins or collapses', async () => {
    const p = await rp.open();
    const snap = scalarGraph();
    await renderIn(p, 'scalar', toJson(snap));
    const labelled = await p.locator('#out g.edgeLabel[data-bp]').count();
    assert.ok(labelled > 0, "no edge labels drawn");
    assert.equal(await p.locator('#out .bp-graph [data-bp][tabindex="0"][role="button"]').count(), snap.nodes.length + labelled);
    /** Presses Tab until the focused element matches `selector` (at most 60 times); returns its data-bp key. */
    const tabTo = async (selector: string) => {
      for (let i = 0; i < 60; i++) {
        await p.keyboard.press('Tab');
        if (await p.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return p.evaluate(() => document.activeElement!.getAttribute('data-bp'));
      }
      assert.fail(`Tab never reached ${selector}`);
    };
    const o = snap.nodes.find((n) => n.name === 'o')!;
    await tabTo(`#out g.node[data-id="${o.id}"]`);
    assert.match((await p.evaluate(() => document.activeElement!.getAttribute('aria-label')))!, /tanh · o, scalar, = 0\.707, ∇ 1\.41/);
    const tip = p.locator('#out .bp-tip');
    await tip.waitFor({ state: 'visible' });
    assert.match((await tip.textContent())!, /op tanh/);
    await p.keyboard.press('Enter');
    assert.equal(await p.locator('#out .bp-pins .bp-card').getAttribute('data-pin'), 'name:o');
    await p.keyboard.press(' ');
    assert.equal(await p.locator('#out .bp-pins .bp-card').count(), 0);
    await p.keyboard.press('Escape');
    assert.equal(await tip.isHidden(), true);
    // an edge label, by its own card
    const w1 = snap.nodes.find((n) => n.name === 'w1')!;
    await p.keyboard.press('Shift+Tab');
    await tabTo(`#out g.edgeLabel[data-from="${w1.id}"]`);
    assert.match((await p.evaluate(() => document.activeElement!.getAttribute('aria-label')))!, /^gradient ∇ 1\.41 from w1 into /);
    assert.match((await tip.textContent())!, /gradient flowing back from mul into its argument 1 \(w1\)/);
    // a bar of the gradient-flow chart
    await tabTo('#out .bp-flow .bp-barrect');
    await tip.waitFor({ state: 'visible' });
    await p.keyboard.press('Enter');
    assert.equal(await p.locator('#out .bp-pins .bp-card').count(), 1);
    await p.close();

    // a module group: Enter on its title collapses it and leaves the focus on its box; Enter there expands it
    const q = await rp.open();
    const count = async () => q.evaluate(() => (window as any).messages.length);
    await renderIn(q, 'mlp', toJson(mlpGraph()));
    const before = await count();
    const onTitle = () => q.evaluate(() => !!document.activeElement?.matches('.cluster-label') && document.activeElement.textContent.includes('layers.0'));
    for (let i = 0; i < 60 && !(await onTitle()); i++) await q.keyboard.press('Tab');
    assert.equal(await q.evaluate(() => document.activeElement?.classList.contains('cluster-label')), true, 'Tab did not reach the group title');
    await q.keyboard.press('Enter');
    await q.waitForFunction((n) => (window as any).messages.length > n, before);
    assert.deepEqual(await q.evaluate(() => (window as any).messages.at(-1).collapsedGroups), ['layers.0']);
    assert.match((await q.evaluate(() => document.activeElement?.textContent ?? '')), /▸ layers\.0/);
    await q.keyboard.press('Enter');
    await q.waitForFunction((n) => (window as any).messages.length > n, before + 1);
    assert.deepEqual(await q.evaluate(() => (window as any).messages.at(-1).collapsedGroups), []);
    assert.match((await q.evaluate(() => document.activeElement?.textContent ?? '')), /▾ layers\.0/);
    await q.close();
  });

  it('draws a gradient check\'s verdict: a failing edge red with ✗, and both verdicts in the edge cards', async () => {
    const p = await rp.open();
    const snap = scalarGraph();
    const w1 = snap.nodes.find((n) => n.name === 'w1')!;
    const bad = snap.edges.find((e) => e.from === w1.id)!, good = snap.edges.find((e) => e !== bad && e.grad)!;
    Object.assign(bad, { check: 'fail' });
    Object.assign(good, { check: 'pass' });
    await renderIn(p, 'checked', toJson(snap));
    const label = `#out g.edgeLabel[data-from="${w1.id}"]`;
    assert.match((await p.locator(label).textContent())!, /✗/);
    assert.equal(await p.$eval(`#out path.bp-edge[data-from="${w1.id}"]`, (e) => getComputedStyle(e).stroke), 'rgb(211, 47, 47)');
    const tip = p.locator('#out .bp-tip');
    await p.hover(label);
    assert.match((await tip.textContent())!, /✗ gradient check: this rule disagrees with finite differences/);
    await p.hover(`#out g.edgeLabel[data-from="${good.from}"][data-to="${good.to}"] >> nth=0`);
    assert.match((await tip.textContent())!, /✓ gradient check: this rule agrees/);
    await p.close();
  });

  it('collapses and expands module groups', async () => {
    const p = await rp.open();
    const msg = await renderIn(p, 'mlp', toJson(mlpGraph()));
    assert.deepEqual(msg.collapsedGroups, []);
    assert.equal(await p.locator('#out .cluster-label[data-bp]').count(), 2);
    await p.screenshot({ path: join(SHOTS, 'mlp.png'), fullPage: true });
    const count = await p.evaluate(() => (window as any).messages.length);
    await p.click('#out .cluster-label[data-bp]:has-text("layers.0")');
    await p.waitForFunction((n) => (window as any).messages.length > n, count);
    const collapsed = await p.evaluate(() => (window as any).messages.at(-1));
    assert.deepEqual(collapsed.collapsedGroups, ['layers.0']);
    assert.ok(collapsed.nodeTitles.includes('▸ layers.0'));
    assert.equal(collapsed.nodes, msg.nodes - 5 + 1);
    const box = p.locator('#out g.node.bp-kind-group');
    assert.match((await box.textContent())!, /5 tensors · 2 parameters/);
    await box.click();
    await p.waitForFunction((n) => (window as any).messages.length > n, count + 1);
    assert.deepEqual(await p.evaluate(() => (window as any).messages.at(-1).collapsedGroups), []);
    await p.close();
  });

  it('keeps zoom and pins when a later backward() replaces the output, and shows the step', async () => {
    const p = await rp.open();
    await renderIn(p, 'cell1', toJson(mlpGraph(1)));
    const scaleOf = (t: string) => Number(/scale\(([\d.]+)\)/.exec(t)![1]);
    const fitted = scaleOf(await p.$eval('#out .bp-viewport > svg', (s) => (s as SVGSVGElement).style.transform));
    await p.click('#out .bp-btn[title^="zoom in"]');
    await p.click('#out .bp-btn[title^="zoom in"]');
    const weight = await p.$eval('#out g.node:has-text("layers.0.weight")', (g) => g.getAttribute('data-id'));
    await p.click(`#out g.node[data-id="${weight}"]`);
    const zoom = await p.$eval('#out .bp-viewport > svg', (s) => (s as SVGSVGElement).style.transform);
    const card1 = await p.locator('#out .bp-pins .bp-card').textContent();
    const msg = await renderIn(p, 'cell1', toJson(mlpGraph(2, 1.5)));
    assert.equal(msg.step, 2);
    assert.equal(await p.locator('#out .bp-step').textContent(), 'step 2');
    assert.equal(await p.locator('#out .bp-root').count(), 1);
    assert.equal(await p.$eval('#out .bp-viewport > svg', (s) => (s as SVGSVGElement).style.transform), zoom);
    assert.ok(Math.abs(scaleOf(zoom) / fitted - 1.5625) < 1e-3, `${zoom} after fitting at ${fitted}`);
    assert.equal(await p.locator('#out .bp-pins .bp-card').getAttribute('data-pin'), 'name:layers.0.weight');
    assert.notEqual(await p.locator('#out .bp-pins .bp-card').textContent(), card1);
    // VS Code may dispose an output before rendering its update: the view survives that too
    await p.evaluate(() => (window as any).disposeOutput('cell1'));
    assert.equal((await renderIn(p, 'cell1', toJson(mlpGraph(3, 2)))).step, 3);
    assert.equal(await p.$eval('#out .bp-viewport > svg', (s) => (s as SVGSVGElement).style.transform), zoom);
    assert.equal(await p.locator('#out .bp-pins .bp-card').count(), 1);
    await p.close();
  });

  it('draws a 2,000-node graph collapsed, saying what is hidden, and shows more on request', async () => {
    const p = await rp.open();
    const flat = flatGraph(2000);
    const msg = await renderIn(p, 'flat', toJson(flat));
    assert.equal(msg.nodes, 60);
    assert.equal(msg.hiddenNodes, flat.nodes.length - 60);
    assert.match((await p.locator('#out .bp-notes').textContent())!, /Showing 60 of 1,999 boxes, those nearest the loss; 1,939 tensors are hidden/);
    const n = await p.evaluate(() => (window as any).messages.length);
    await p.click('#out .bp-notes .bp-btn:has-text("show more")');
    await p.waitForFunction((k) => (window as any).messages.length > k, n);
    assert.equal(await p.evaluate(() => (window as any).messages.at(-1).nodes), 120);

    const deep = deepGraph(400);
    await p.evaluate(() => { const d = document.createElement('div'); d.id = 'out2'; document.body.prepend(d); });
    const dm = await renderIn(p, 'deep', toJson({ ...deep, truncated: { totalNodes: 5000, shownNodes: deep.nodes.length } }), '#out2');
    assert.ok(deep.nodes.length >= 2000);
    assert.ok(dm.nodes <= 60 && dm.collapsedGroups.length >= 50, JSON.stringify(dm).slice(0, 300));
    const notes = (await p.locator('#out2 .bp-notes').textContent())!;
    assert.match(notes, /The kernel sent 2,002 of 5,000 tensors/);
    assert.match(notes, /module groups are collapsed/);
    await p.close();
  });

  it('shows hostile names as text and runs none of them', async () => {
    const p = await rp.open();
    const dialogs: string[] = [];
    p.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    const snap = hostileGraph();
    const msg = await renderIn(p, 'hostile', toJson(snap));
    assert.equal(msg.type, 'rendered');
    await p.hover('#out g.node.bp-kind-op');
    await p.waitForTimeout(100);
    assert.equal(await p.evaluate(() => (window as any).__pwned), undefined);
    assert.deepEqual(dialogs, []);
    assert.equal(await p.locator('#out img, #out script, #out b, #out a, #out foreignObject').count(), 0);
    const onAttrs = await p.$$eval('#out *', (els) => els.flatMap((e) => Array.from(e.attributes).filter((a) => /^on/i.test(a.name)).map((a) => a.name)));
    assert.deepEqual(onAttrs, []);
    const text = (await p.locator('#out svg.bp-graph').textContent())!;
    for (const name of [HOSTILE[0], HOSTILE[2], '<b onmouseover=alert(1)>mul</b>']) assert.ok(text.includes(name.slice(0, 39)), name);
    assert.ok(text.includes('▾ `**bold**` #35; &lt;'));
    await p.close();
  });

  it('marks NaN and infinite gradients', async () => {
    const p = await rp.open();
    const snap = nanGraph();
    await renderIn(p, 'nan', toJson(snap));
    const w = snap.nodes.find((n) => n.name === 'w')!, z = snap.nodes.find((n) => n.name === 'z')!;
    assert.deepEqual(await boxLines(p, w.id), ['w', '[2]', '= [0.5, 0.25]', '⚠ ∇ [NaN, 0.693]']);
    assert.equal((await boxLines(p, z.id)).at(-1), '⚠ ∇ [Infinity, 0.25]');
    assert.ok(await p.$eval(`#out g.node[data-id="${w.id}"]`, (g) => g.classList.contains('bp-flag-nonfinite')));
    assert.equal(await p.locator('#out .bp-flow .bp-barrect').count(), 2);
    await p.close();
  });

  it('says clearly what is wrong with malformed JSON or another version', async () => {
    const p = await rp.open();
    const bad = await renderIn(p, 'bad', '{"version": 1, "nodes": [');
    assert.equal(bad.type, 'renderError');
    assert.match((await p.locator('#out .bp-error').textContent())!, /Cannot draw this computation graph.*not valid JSON/s);
    const v2 = await renderIn(p, 'bad', JSON.stringify({ ...scalarGraph(), version: 2 }));
    assert.match(v2.message, /version 1.*\(2\)/);
    assert.match((await p.locator('#out .bp-error').textContent())!, /reads version 1/);
    const empty = await renderIn(p, 'bad', JSON.stringify({ version: 1, id: 'e', step: 1, root: '', nodes: [], edges: [] }));
    assert.equal(empty.type, 'rendered');
    assert.equal(empty.nodes, 0);
    assert.match((await p.locator('#out .bp-notes').textContent())!, /no tensors/);
    const good = await renderIn(p, 'bad', toJson(scalarGraph()));
    assert.equal(good.type, 'rendered');
    assert.equal(await p.locator('#out .bp-error').count(), 0);
    await p.close();
  });

  it('follows the theme, fits narrow widths, takes options, and keeps two outputs apart', async () => {
    const p = await rp.open('vscode-dark', { width: 380, height: 700 });
    await renderIn(p, 'one', toJson(mlpGraph()));
    assert.ok(await p.$eval('#out .bp-root', (r) => r.classList.contains('bp-theme-dark')));
    const fits = await p.$eval('#out .bp-root', (r) => r.scrollWidth <= r.clientWidth + 1);
    assert.ok(fits);
    const n = await p.evaluate(() => (window as any).messages.length);
    await p.evaluate(() => document.body.classList.replace('vscode-dark', 'vscode-high-contrast'));
    await p.waitForFunction((k) => (window as any).messages.length > k, n);
    assert.ok(await p.$eval('#out .bp-root', (r) => r.classList.contains('bp-theme-hc')));
    await p.evaluate(() => { const d = document.createElement('div'); d.id = 'out2'; document.body.appendChild(d); });
    const snap = scalarGraph();
    const two = await renderIn(p, 'two', toJson(snap), '#out2');
    assert.equal(two.nodes, snap.nodes.length);
    assert.equal(await p.locator('#out2 g.edgeLabel[data-bp]').count(), two.edgeLabels.filter((l: string) => l).length);
    assert.equal(await p.locator('#out g.edgeLabel[data-bp]').count(), 14 - 2);
    const m = await p.evaluate(() => (window as any).messages.length);
    await p.evaluate(() => (window as any).sendOptions({ type: 'options', maxNodes: 8 }));
    await p.waitForFunction((k) => (window as any).messages.length > k + 1, m);
    const byId = await p.evaluate(() => Object.fromEntries((window as any).messages.slice(-2).map((x: any) => [x.id, x])));
    assert.deepEqual(byId.one.collapsedGroups, ['layers.0', 'layers.1']);
    assert.equal(byId.two.nodes, 8);
    assert.equal(await p.locator('#out g.node.bp-kind-group').count(), 2);
    await p.close();
  });

  it('draws an output with the settings it carries at once, and later settings over them', async () => {
    const p = await rp.open();
    const snap = { ...mlpGraph(), display: { edgeLabel: 'mean', maxNodes: 8 } };
    const first = await renderIn(p, 'carried', toJson(snap));
    assert.deepEqual(first.display, { edgeLabel: 'mean', maxNodes: 8 });
    assert.ok(first.nodes <= 8 && first.collapsedGroups.length > 0, `${first.nodes} boxes, groups ${first.collapsedGroups}`);
    assert.ok(first.edgeLabels.filter((l: string) => l).every((l: string) => l.startsWith('mean ∇') || /^∇ /.test(l)), JSON.stringify(first.edgeLabels));
    assert.ok(first.edgeLabels.some((l: string) => l.startsWith('mean ∇')));
    // the first draw is the only one: nothing is redrawn while no setting changes
    await p.waitForTimeout(300);
    assert.equal(await p.evaluate(() => (window as any).messages.filter((m: any) => m.id === 'carried').length), 1);
    const n = await p.evaluate(() => (window as any).messages.length);
    await p.evaluate(() => (window as any).sendOptions({ type: 'options', edgeLabel: 'norm' }));
    await p.waitForFunction((k) => (window as any).messages.length > k, n);
    const redrawn = await p.evaluate(() => (window as any).messages.at(-1));
    assert.deepEqual(redrawn.display, { edgeLabel: 'norm', maxNodes: 8 });
    assert.ok(!redrawn.edgeLabels.some((l: string) => l.startsWith('mean ∇')));
    await p.close();
  });
});
