// The bundled plot renderer (dist/plotRenderer.js) in headless Chromium, loaded as VS Code's webview loads it (an
// ES module whose activate() returns renderOutputItem): each kind of plot draws, a second render of the same
// output replaces the first in place (a training loop), a bad spec shows an error, and the SVG fallback the kernel
// writes for other viewers (the HTML export) draws as an image.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { jacobian, randn, tensor } from '../../kernel/engine';
import { plotSpec } from '../../kernel/outputs/plotData';
import { plotBundle } from '../../kernel/outputs/plotOutput';
import { PLOT_MIME } from '../../kernel/client/protocol';
import { notebookToHtml } from '../../cli/html';
import { bundle, CHROMIUM, requireArtefacts } from '../artefacts';

const ROOT = join(__dirname, '..', '..');

const PAGE = `<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:12px">
<div id="out"></div>
<script type="module">
import { activate } from '/plotRenderer.js';
const api = activate({ postMessage() {}, onDidReceiveMessage() { return { dispose() {} }; }, setState() {}, getState() {}, workspace: { isTrusted: true } });
window.renderPlot = (id, text, el = document.getElementById('out')) => api.renderOutputItem({
  id, mime: '${PLOT_MIME}', metadata: {}, text: () => text, json: () => JSON.parse(text),
  data: () => new TextEncoder().encode(text), blob: () => new Blob([text]),
}, el, new AbortController().signal);
window.ready = true;
</script></body></html>`;

describe('plot renderer in Chromium', () => {
  let server: Server, browser: Browser, url: string, exportPage = '';
  before(async () => {
    requireArtefacts(CHROMIUM, bundle('plotRenderer.js'));
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/plotRenderer.js') { res.writeHead(200, { 'content-type': 'text/javascript' }); res.end(readFileSync(join(ROOT, 'dist', 'plotRenderer.js'))); }
      else if (path === '/export.html') { res.writeHead(200, { 'content-type': 'text/html' }); res.end(exportPage); }
      else { res.writeHead(200, { 'content-type': 'text/html' }); res.end(PAGE); }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM.path, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  async function open(): Promise<Page> {
    const p = await browser.newPage({ viewport: { width: 900, height: 700 } });
    await p.goto(url);
    await p.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    return p;
  }
  const render = (p: Page, id: string, spec: unknown) => p.evaluate(([i, t]) => (window as unknown as { renderPlot: (i: string, t: string) => void }).renderPlot(i, t), [id, JSON.stringify(spec)]);

  it('draws a loss curve and several series on a log axis, with title and legend', async () => {
    const p = await open();
    await render(p, 'a', plotSpec({ train: [1, 0.5, 0.1, 0.05], test: [1.2, 0.7, 0.3, 0.2] }, { title: 'loss', logY: true }));
    assert.equal(await p.textContent('#out .bp-plot-title'), 'loss');
    assert.equal(await p.getAttribute('#out .bp-plot', 'data-kind'), 'line');
    assert.equal(await p.locator('#out svg [aria-label="line"] path').count(), 2);
    assert.match((await p.textContent('#out .bp-plot-legend')) ?? '', /train.*test/);
    // a log axis: ticks at powers of ten
    const ticks = await p.locator('#out svg [aria-label="y-axis tick label"] text').allTextContents();
    assert.ok(['0.1', '1'].every((v) => ticks.includes(v)), `log ticks: ${ticks.join(' ')}`);
    await p.close();
  });

  it('updates in place: a second render of the output replaces the chart, it does not add one', async () => {
    const p = await open();
    const losses: number[] = [];
    for (let i = 1; i <= 3; i++) {
      losses.push(1 / i);
      await render(p, 'loop', plotSpec(losses.slice(), { title: `step ${i}` }));
    }
    assert.equal(await p.locator('#out .bp-plot').count(), 1);
    assert.equal(await p.textContent('#out .bp-plot-title'), 'step 3');
    const d = await p.getAttribute('#out svg [aria-label="line"] path', 'd');
    assert.equal((d ?? '').split(/[ML]/).filter(Boolean).length, 3, 'the line has the three points of the last call');
    await p.close();
  });

  it('draws a scatter with its decision boundary, a histogram, and a jacobian heatmap with values on hover', async () => {
    const p = await open();
    const points = randn([30, 2], { seed: 1 });
    const labels = Array.from({ length: 30 }, (_, i) => (points.data[2 * i] > 0 ? 1 : 0));
    await render(p, 's', plotSpec({ scatter: points, labels, resolution: 10, boundary: (g) => g.slice([0, 0], [-1, 1]).sigmoid() }));
    assert.equal(await p.locator('#out svg [aria-label="dot"] circle').count(), 30);
    assert.equal(await p.locator('#out svg [aria-label="rect"] rect').count(), 100);
    assert.match((await p.textContent('#out .bp-plot-legend')) ?? '', /class 0.*class 1/);

    await render(p, 'h', plotSpec({ histogram: randn([500], { seed: 2 }), bins: 25 }));
    assert.equal(await p.locator('#out svg [aria-label="rect"] rect').count(), 25);

    const W = tensor([[1, -2, 0.5], [0, 3, -1]]);
    await render(p, 'j', plotSpec({ heatmap: jacobian((x) => x.matmul(W.transpose()), tensor([0.1, 0.2, 0.3])), rows: 'y', columns: 'x' }));
    assert.equal(await p.locator('#out svg [aria-label="cell"] rect').count(), 6);
    const rowLabels = await p.locator('#out svg [aria-label="y-axis tick label"] text').allTextContents();
    assert.deepEqual(rowLabels, ['y[0]', 'y[1]']);
    // hover the cell y[0], x[1] (value −2): the tip names it and shows the value
    const box = (await p.locator('#out svg [aria-label="cell"] rect').nth(1).boundingBox())!;
    await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await p.waitForSelector('#out svg [aria-label="tip"] text');
    assert.match((await p.textContent('#out svg [aria-label="tip"]')) ?? '', /y\[0\], x\[1\][\s\S]*-2/);
    await p.close();
  });

  it('shows an error, not a broken chart, for a malformed spec or a hostile colour; titles stay text', async () => {
    const p = await open();
    await render(p, 'bad', { version: 1, layers: [{ type: 'pie' }] });
    assert.match((await p.textContent('#out .bp-plot-error')) ?? '', /could not be drawn: a plot output whose layers are not line, dot, bins or grid/);
    const hostile = plotSpec({ a: [1, 2] }, { title: '<img src=x onerror=alert(1)>' });
    (hostile.layers[0] as { color: string }).color = 'url(http://example.com/x)';
    await render(p, 'bad', hostile);
    assert.match((await p.textContent('#out .bp-plot-error')) ?? '', /a colour that is not #rrggbb/);
    (hostile.layers[0] as { color: string }).color = '#4269d0';
    await render(p, 'bad', hostile);
    assert.equal(await p.textContent('#out .bp-plot-title'), '<img src=x onerror=alert(1)>', 'the title is text');
    assert.equal(await p.locator('#out img').count(), 0);
    await p.close();
  });

  it('falls back to SVG: the HTML export shows the kernel\'s picture as an image that draws', async () => {
    const data = plotBundle({ a: [3, 2, 1] }, { title: 'exported' });
    exportPage = notebookToHtml({ cells: [{ cell_type: 'code', source: 'plot(...)', outputs: [{ output_type: 'display_data', data }] }] });
    assert.doesNotMatch(exportPage, /plotRenderer/);
    const p = await browser.newPage();
    await p.goto(`${url}export.html`);
    const img = p.locator('.output.image img');
    assert.equal(await img.count(), 1);
    await p.waitForFunction(() => document.querySelector<HTMLImageElement>('.output.image img')?.complete === true);
    assert.deepEqual(await img.evaluate((e: HTMLImageElement) => [e.naturalWidth, e.naturalHeight]), [560, 320]);
    assert.match((await img.getAttribute('alt')) ?? '', /exported: line of a/);
    await p.close();
  });
});
