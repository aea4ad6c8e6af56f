// Backward, step by step, in a real notebook (code-server + chromium): the chain-rule example runs, and under
// its first graph the step-through panel walks backward() node by node with the equations the same code gives
// headless (the kernel's snapshot, the renderer's text), the current node highlighted in the drawing.
import * as assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import * as bp from '../../kernel/engine';
import { buildSteps } from '../../renderer/stepModel';
import { parseSnapshotText } from '../../renderer/snapshot';
import { toJson } from '../e2e/fixtures/graphs';
import { bundle, CHROMIUM, CODE_SERVER, requireArtefacts } from '../artefacts';
import { openExamples, openNotebook, palette, runAll, scrollToRendered, type Workbench } from './examplesUi';

let wb: Workbench | undefined;
before(async () => {
  requireArtefacts(CODE_SERVER, CHROMIUM, bundle('extension.js'), bundle('kernel.js'), bundle('renderer.js'));
  wb = await openExamples({ viewport: { width: 1280, height: 900 } });
}, { timeout: 120_000 });
after(async () => { await wb?.close(); });

/** The chain-rule example's first cell, headless: the steps its graph output carries, as the panel writes them. */
function expectedSteps() {
  const x = bp.scalar(0.5, { requiresGrad: true, name: 'x' });
  const y = bp.scalar(-1.5, { requiresGrad: true, name: 'y' });
  const u = x.mul(y), v = x.square();
  const f = u.add(v).tanh();
  // the kernel names the tensors bound to the cell's top-level names
  u.name = 'u'; v.name = 'v'; f.name = 'f';
  f.backward();
  return buildSteps(parseSnapshotText(toJson(bp.traceGraph(f))).snapshot);
}

/** The output frame holding the first step-through panel. */
async function stepperFrame(page: Page): Promise<Frame> {
  for (let i = 0; i < 60; i++) {
    for (const f of page.frames()) {
      try { if (await f.locator('.bp-stepper').count()) return f; } catch { /* a frame navigating away */ }
    }
    await page.waitForTimeout(500);
  }
  assert.fail('no step-through panel in any output');
}

test('the chain-rule notebook steps backward node by node with the engine’s numbers', { timeout: 300_000 }, async () => {
  const page = wb!.page;
  await palette(page, 'View: Close All Editors');
  await openNotebook(page, 'chain-rule.ipynb');
  const r = await runAll(wb!, 'chain-rule.ipynb');
  assert.equal(r.failed, 0);
  const steps = expectedSteps();
  const frame = await stepperFrame(page);
  const panel = frame.locator('.bp-stepper').first();
  await scrollToRendered(page, '.bp-stepper', 40);
  for (let k = 0; k < steps.length; k++) {
    assert.equal(await panel.locator('.bp-stepper-count').textContent(), `step ${k + 1} of ${steps.length}`);
    const eqs = await panel.locator('.bp-term .bp-eq-main').allTextContents();
    assert.deepEqual(eqs, steps[k].terms.map((t) => t.equation), `step ${k + 1}`);
    assert.equal(await frame.locator('g.node.bp-step-now').count(), 1, 'the current node is highlighted');
    if (k < steps.length - 1) await panel.locator('.bp-step-next').click();
  }
  // x is used twice: the step that completes it writes the sum of its two shares
  const sum = steps.flatMap((v) => v.terms).find((t) => t.sum)!.sum!.equation;
  assert.equal(sum, '∂f/∂x = 0.7864 + (-1.18) = -0.3932');
  assert.ok((await panel.locator('.bp-eq-sum').first().textContent())!.startsWith(sum));
  await page.screenshot({ path: `${process.env.TMPDIR ?? '/tmp'}/backprop-stepper-vscode.png` });
});
