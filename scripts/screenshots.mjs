// `node scripts/screenshots.mjs`: the README's screenshots, taken in a real VS Code (code-server + chromium via
// the test harness in test/vscode/) with the extension under development. Runs every example notebook and saves
// small PNGs into media/screenshots/. Needs scripts/setupTools.mjs to have run (npm test or npm start do it).
// Arguments pick shots by file name (`node scripts/screenshots.mjs training loss-plot.png`); none takes them all.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'media', 'screenshots');
// The harness is TypeScript: build, then run this script again with tsx loaded.
if (!process.execArgv.includes('tsx')) {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const { openExamples, openNotebook, runAll, scrollToCell, scrollToRendered, palette } = await import('../test/vscode/examplesUi.ts');

/** Each shot: a notebook, the cell to scroll to, and optionally what to do before the picture. */
const shots = [
  { file: 'one-neuron.png', notebook: 'one-neuron.ipynb', cell: 5, offset: -100 },
  { file: 'chain-rule.png', notebook: 'chain-rule.ipynb', cell: 1, offset: -60 },
  { file: 'layers-flow.png', notebook: 'layers.ipynb', cell: 6, offset: -60, rendered: '.bp-flow', renderedOffset: 200 },
  { file: 'layers-chart.png', notebook: null, cell: 10, offset: 8, output: 0 },
  { file: 'training.png', notebook: 'training.ipynb', cell: 6, offset: 8, output: 0 },
  // --- plots --- the live loss curve of the training loop (cell 4: outputs graph, plot, text)
  { file: 'loss-plot.png', notebook: 'training.ipynb', cell: 4, offset: 8, output: 1 },
  { file: 'gradcheck.png', notebook: 'gradcheck.ipynb', cell: 7, offset: -20, after: async (page) => {
    await palette(page, 'Backprop: Check Gradients');
    await page.locator('.notifications-toasts', { hasText: 'checking gradients' }).waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
    await page.waitForTimeout(3000);
    await scrollToRendered(page, 'svg.bp-graph', 30);
  } },
  { file: 'nan-warning.png', notebook: 'nan.ipynb', cell: 1, offset: 8 },
  // --- backward, step by step ---
  { file: 'step-through.png', notebook: 'chain-rule.ipynb', cell: 1, offset: -60, after: async (page) => {
    // the fourth step: x's second share arrives, and the panel writes the sum of both
    for (const f of page.frames()) {
      if (!await f.locator('.bp-stepper').count().catch(() => 0)) continue;
      for (let k = 0; k < 3; k++) await f.locator('.bp-stepper .bp-step-next').first().click();
      break;
    }
    await scrollToRendered(page, 'svg.bp-graph', 4);
  } },
];
const picked = process.argv.slice(2);
const wanted = picked.length ? shots.filter((s, k) => picked.some((p) => s.file.includes(p))
  // a shot of the notebook already open needs the shot before it
  || (shots[k + 1]?.notebook === null && picked.some((p) => shots[k + 1].file.includes(p)))) : shots;
mkdirSync(outDir, { recursive: true });
const wb = await openExamples({ viewport: { width: 1280, height: 800 }, settings: { 'workbench.colorTheme': 'Default Light Modern', 'editor.minimap.enabled': false } });
let failed = 0;
try {
  const { page } = wb;
  for (const [k, shot] of wanted.entries()) {
    const started = Date.now();
    if (shot.notebook) {
      // a notebook: (the previous one closed) open it, run it all
      if (k) await palette(page, 'View: Close All Editors');
      await palette(page, 'View: Show Explorer');
      await openNotebook(page, shot.notebook);
      // the sidebar takes room the notebook needs
      await palette(page, 'View: Close Primary Side Bar');
      const r = await runAll(wb, shot.notebook);
      const ok = r.failed === 0 && r.succeeded === r.codeCells && r.graphs > 0;
      if (!ok) failed++;
      console.log(`${ok ? 'ok' : 'PROBLEM'} ${shot.notebook}: ${r.succeeded}/${r.codeCells} cells ran, ${r.graphs} graph(s) drawn, ${r.images} picture(s) (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
    // shot.notebook null: another picture of the notebook already open
    await scrollToCell(page, shot.cell, shot.offset, shot.output);
    if (shot.rendered) await scrollToRendered(page, shot.rendered, shot.renderedOffset);
    if (shot.after) await shot.after(page);
    await page.screenshot({ path: join(outDir, shot.file) });
    console.log(`  -> media/screenshots/${shot.file}`);
  }
} catch (e) {
  await wb.page.screenshot({ path: join(outDir, '..', '..', 'out', 'screenshots-error.png') }).catch(() => undefined);
  throw e;
} finally {
  await wb.close();
}
process.exit(failed ? 1 : 0);
