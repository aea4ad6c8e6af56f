// Type-aware cells through VS Code's own UI (code-server + chromium): in a notebook on the Backprop kernel, typing
// `w.` in an empty cell opens the suggest widget with the tensor's methods, `tensor(` opens its signature, and a
// typo gets a warning squiggle. Screenshots go to out/screenshots/ (cells-completions.png is the README's).
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { repoRoot } from '../vscode/codeServer';
import { openWorkbench, type Workbench } from '../vscode/workbench';

const shots = join(repoRoot, 'out', 'screenshots');
const kernelspec = { name: 'backprop-ts', display_name: 'Backprop (TypeScript)', language: 'typescript' };

let workbench: Workbench | undefined;
let page: Page;
let workspace: string;
const context = () => `\n--- page console (last 30 lines) ---\n${(workbench?.consoleLines ?? []).slice(-30).join('\n')}`;

before(async () => {
  mkdirSync(shots, { recursive: true });
  workspace = mkdtempSync(join(tmpdir(), 'bp-cells-ws-'));
  const cells = ['const w = tensor([1, 2], { requiresGrad: true });', '', ''];
  writeFileSync(join(workspace, 'typed.ipynb'), JSON.stringify({
    cells: cells.map((s, i) => ({ cell_type: 'code', execution_count: null, id: `c${i}`, metadata: {}, outputs: [], source: s })),
    metadata: { kernelspec, language_info: { name: 'typescript' } }, nbformat: 4, nbformat_minor: 5,
  }));
  workbench = await openWorkbench(workspace, { env: { BACKPROP_LOG_TO_CONSOLE: '1' } });
  page = workbench.page;
});

after(async () => {
  await workbench?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

/** The editor of a code cell of the visible notebook. */
function cellEditor(index: number): Locator {
  return page.locator('.notebook-editor').filter({ visible: true }).first().locator('.code-cell-row').nth(index);
}

test('typing in a cell: `w.` offers matmul, `tensor(` its signature, a typo a squiggle', { timeout: 180_000 }, async () => {
  // open from the Explorer (right after start-up the workbench may open it as JSON: then try again)
  for (let attempt = 1; ; attempt++) {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'typed.ipynb' }).first().dblclick();
    if (await page.locator('.notebook-editor .code-cell-row').filter({ visible: true }).first().waitFor({ timeout: 10_000 }).then(() => true, () => false)) break;
    assert.ok(attempt < 4, `the notebook did not open${context()}`);
    await page.keyboard.press('Control+W');
  }
  await page.waitForFunction(() => document.querySelector('.notebook-editor .kernel-label')?.textContent?.includes('Backprop'), undefined, { timeout: 30_000 });

  await cellEditor(1).locator('.view-line').first().click();
  await page.keyboard.type('w.');
  const suggest = page.locator('.suggest-widget.visible');
  await suggest.waitFor({ timeout: 60_000 }).catch((e: Error) => assert.fail(`no suggest widget: ${e.message}${context()}`));
  await suggest.locator('.monaco-list-row', { hasText: 'backward' }).first().waitFor({ timeout: 30_000 });
  // the details of the focused item (its signature and doc comment) beside the list
  await page.keyboard.press('Control+Space');
  await page.waitForTimeout(1000);
  await page.screenshot({ path: join(shots, 'cells-completions.png'), clip: { x: 340, y: 100, width: 940, height: 420 } });
  await page.keyboard.type('mat');
  await suggest.locator('.monaco-list-row', { hasText: 'matmul' }).first().waitFor({ timeout: 30_000 })
    .catch((e: Error) => assert.fail(`matmul is not offered: ${e.message}${context()}`));
  await page.keyboard.press('Escape');

  // signature help: close any suggestion before `(`, which would accept it
  await cellEditor(2).locator('.view-line').first().click();
  await page.keyboard.type('tensor');
  // Escape with no widget open would leave the cell's editor: wait for the list it closes
  await suggest.waitFor({ timeout: 30_000 });
  await page.keyboard.press('Escape');
  await page.keyboard.type('(');
  await page.locator('.parameter-hints-widget', { hasText: 'tensor(data' }).first().waitFor({ timeout: 30_000 })
    .catch(async (e: Error) => {
      await page.screenshot({ path: join(shots, 'cells-signature-failed.png') });
      assert.fail(`no signature help: ${e.message}${context()}`);
    });
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('const y = tensr');
  await cellEditor(2).locator('.squiggly-warning').first().waitFor({ timeout: 30_000 })
    .catch((e: Error) => assert.fail(`no warning squiggle under the typo: ${e.message}${context()}`));
  await page.screenshot({ path: join(shots, 'cells-typo.png') });
});
