// The --html page (cli/html.ts) opened in headless Chromium from file://, with a notebook built to attack it:
// image outputs whose "base64" closes the attribute, HTML and markdown with scripts and handlers, a node name that
// tries to close the data script, and a remote picture. No script of the notebook runs, nothing is fetched from
// the network, and the graph is still drawn by the inlined renderer. The page's security policy is also checked
// on its own: a script or a remote picture slipped into the page past the escaping is blocked by it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadRendererSource, notebookToHtml, type NotebookJson } from '../../cli/html';
import { scalar, traceGraph } from '../../kernel/engine';
import { CHROMIUM, ROOT } from './fixtures/rendererPage';

const GRAPH_MIME = 'application/vnd.backprop.graph+json';
const skip = !existsSync(CHROMIUM) ? `no ${CHROMIUM}` : !existsSync(join(ROOT, 'dist/renderer.js')) ? 'dist/renderer.js not built' : false;

/** Each payload calls `window.pwned(label)`; the page under test defines it only to record calls. */
const hit = (label: string) => `window.pwned&&window.pwned('${label}')`;

function hostileNotebook(): NotebookJson {
  const x = scalar(0.5, { requiresGrad: true, name: `x</script><script>${hit('node name')}</script>` });
  const y = x.mul(x).tanh();
  y.backward();
  const snapshot = JSON.parse(JSON.stringify(traceGraph(y))) as unknown;
  return {
    cells: [
      { cell_type: 'markdown', source: `# Hostile\n\n<script>${hit('markdown script')}</script> <img src=x onerror="${hit('markdown img')}">\n\n![pixel](https://example.com/pixel.png)` },
      {
        cell_type: 'code', execution_count: 1, source: 'display(...)', outputs: [
          { output_type: 'display_data', data: { 'image/png': `"><script>${hit('png')}</script>`, 'text/plain': 'png' } },
          { output_type: 'display_data', data: { 'image/jpeg': `x" onerror="${hit('jpeg')}`, 'text/plain': 'jpeg' } },
          { output_type: 'display_data', data: { 'image/gif': ['R0lGOD', `"><img src=x onerror=${hit('gif')}>`], 'text/plain': 'gif' } },
          { output_type: 'display_data', data: { 'text/html': `<img src=x onerror="${hit('html img')}"><svg onload="${hit('html svg')}"></svg>` } },
          { output_type: 'display_data', data: { 'text/markdown': `<script>${hit('md output')}</script>` } },
          { output_type: 'display_data', data: { 'text/plain': `"><script>${hit('text')}</script>` } },
          { output_type: 'display_data', data: { [GRAPH_MIME]: snapshot, 'text/plain': 'graph' } },
        ],
      },
    ],
  };
}

describe('the exported HTML page in Chromium', { skip }, () => {
  let browser: Browser;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bp-html-export-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
    });
  });
  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens `html` from a file; records payloads that ran, requests that left the machine, and script errors. */
  async function open(name: string, html: string): Promise<{ page: Page; ran: string[]; remote: string[]; errors: string[] }> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const page = await browser.newPage();
    const ran: string[] = [], remote: string[] = [], errors: string[] = [];
    await page.exposeFunction('pwned', (label: string) => { ran.push(label); });
    // A request the policy blocks never reaches the network layer, where this answers (and records) it.
    await page.route(/^https?:/, (route) => { remote.push(route.request().url()); return route.fulfill({ status: 204 }); });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`file://${file}`);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 60_000 });
    return { page, ran, remote, errors };
  }

  it('runs no script from the notebook, fetches nothing, and still draws the graph', async () => {
    const html = notebookToHtml(hostileNotebook(), { rendererSource: loadRendererSource() });
    const { page, ran, remote, errors } = await open('hostile.html', html);
    try {
      // give handlers (onerror of broken images) time to fire if anything had let them through
      await page.waitForTimeout(500);
      assert.deepEqual(ran, [], 'no payload ran');
      assert.deepEqual(remote, [], 'nothing was fetched from the network');
      assert.deepEqual(errors, [], 'no script errors and no policy violations');
      assert.equal(await page.locator('.output.graph[data-rendered="true"] svg.bp-graph').count(), 1, 'the graph is drawn');
      assert.equal(await page.locator('.output.image img').count(), 0, 'no picture is made of data that is not base64');
      assert.equal(await page.locator('.output.error').count(), 3, 'each bad picture says why it is not shown');
      assert.equal(await page.locator('a.image-link[href="https://example.com/pixel.png"]').count(), 1, 'the remote picture is a link');
    } finally {
      await page.close();
    }
  });

  it('its security policy blocks an inline script and a remote picture that got into the page', async () => {
    const html = notebookToHtml(hostileNotebook(), { rendererSource: loadRendererSource() })
      .replace('</main>', `<script>${hit('inline script')}</script><img src="https://example.com/t.png"><div onclick="x()"></div></main>`);
    const { page, ran, remote } = await open('injected.html', html);
    try {
      await page.waitForTimeout(500);
      assert.deepEqual(ran, [], 'the inline script was blocked');
      assert.deepEqual(remote, [], 'the remote picture was not requested');
      assert.equal(await page.locator('.output.graph[data-rendered="true"] svg.bp-graph').count(), 1, 'the page\'s own loader still ran');
    } finally {
      await page.close();
    }
  });
});
