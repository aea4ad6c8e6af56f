// Each example notebook in a real VS Code (code-server + chromium, with this repository as the extension under
// development): it opens from the Explorer, Run All runs every code cell without an error, and the renderer draws
// its graphs (and the gradient-flow chart). The numbers themselves are checked headless in test/unit/examples.test.ts.
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { bundle, CHROMIUM, CODE_SERVER, requireArtefacts } from '../artefacts';
import { examplesDir, openExamples, openNotebook, palette, runAll, type Workbench } from './examplesUi';

const notebooks = readdirSync(examplesDir).filter((n) => n.endsWith('.ipynb')).sort();
let wb: Workbench | undefined;

before(async () => {
  requireArtefacts(CODE_SERVER, CHROMIUM, bundle('extension.js'), bundle('kernel.js'), bundle('renderer.js'));
  wb = await openExamples();
}, { timeout: 120_000 });
after(async () => { await wb?.close(); });

for (const name of notebooks) {
  test(`${name} opens, runs all and shows its graphs in VS Code`, { timeout: 240_000 }, async () => {
    const page = wb!.page;
    await palette(page, 'View: Close All Editors');
    await openNotebook(page, name);
    const r = await runAll(wb!, name);
    const context = () => `\n${wb!.consoleLines.filter((l) => /Extension Host|error/i.test(l)).slice(-30).join('\n')}`;
    assert.equal(r.failed, 0, `no cell of ${name} failed${context()}`);
    assert.equal(r.succeeded, r.codeCells, `every code cell of ${name} ran${context()}`);
    assert.ok(r.graphs > 0, `the renderer drew a graph of ${name}${context()}`);
    assert.ok(r.flowCharts > 0, `and its gradient-flow chart`);
    if (name === 'training.ipynb') assert.equal(r.images, 1, `${name} shows its picture`);
    if (name === 'layers.ipynb') assert.equal(r.images, 2, `${name} shows its two charts (the three networks, the cures)`);
  });
}
