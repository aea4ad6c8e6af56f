// The examples exported with `backprop-nb run --html`, opened in chromium from file://: each page loads without a
// script error, every graph output is drawn by the inlined renderer bundle, the maths is MathML and the pictures
// decode. (The exporter's escaping is unit-tested in test/unit/html.test.ts.)
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, type Browser } from './browser';
import { bundle, CHROMIUM, requireArtefacts } from '../artefacts';
import { repoRoot } from './codeServer';
import { GRAPH_MIME } from '../../kernel/client/protocol';

const examples = join(repoRoot, 'media', 'examples');
let dir = '';
let browser: Browser | undefined;

before(async () => {
  requireArtefacts(CHROMIUM, bundle('cli.js'), bundle('renderer.js'));
  dir = mkdtempSync(join(tmpdir(), 'bp-html-'));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const name of readdirSync(examples).filter((n) => n.endsWith('.ipynb')).sort()) {
  test(`${name} as one HTML page: graphs drawn by the renderer, maths and pictures shown`, { timeout: 180_000 }, async () => {
    const stem = name.replace(/\.ipynb$/, '');
    const out = join(dir, `${stem}.ipynb`), html = join(dir, `${stem}.html`);
    const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'run', join(examples, name), '--out', out, '--html', html], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const nb = JSON.parse(readFileSync(out, 'utf8')) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
    const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
    const graphs = outputs.filter((o) => o.data && GRAPH_MIME in o.data).length;
    const pictures = outputs.filter((o) => o.data && 'image/svg+xml' in o.data).length;

    const page = await browser!.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    try {
      await page.goto(`file://${html}`);
      await page.locator('body[data-ready="true"]').waitFor({ timeout: 60_000 });
      assert.deepEqual(errors, [], 'no script errors');
      assert.equal(await page.locator('.output.graph').count(), graphs, 'one placeholder per graph output');
      assert.equal(await page.locator('.output.graph[data-rendered="true"]').count(), graphs, 'every graph was drawn');
      assert.ok(await page.locator('.output.graph svg.bp-graph').count() >= graphs, 'as SVG by the renderer');
      assert.ok(await page.locator('.cell.markdown math').count() > 0, 'maths as MathML');
      const decoded = await page.locator('.output.image img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth > 0));
      assert.deepEqual(decoded, Array(pictures).fill(true), 'every picture decodes');
    } finally {
      await page.close();
    }
  });
}
