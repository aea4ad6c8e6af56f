// The extension through VS Code's own UI (code-server + chromium): open a notebook from the Explorer, see the
// Backprop kernel picked, Run All from the palette, read the outputs in the output webview (and the graph drawn
// by the renderer), interrupt a looping cell from the notebook toolbar. Screenshots go to out/screenshots/.
import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { bundle, CHROMIUM, CODE_SERVER, requireArtefacts } from '../artefacts';
import { repoRoot } from '../vscode/codeServer';
import { openWorkbench, type Workbench } from '../vscode/workbench';
import { countInFrames, palette } from '../vscode/examplesUi';

const shots = join(repoRoot, 'out', 'screenshots');
const kernelspec = { name: 'backprop-ts', display_name: 'Backprop (TypeScript)', language: 'typescript' };

function notebookJson(sources: string[]): string {
  return JSON.stringify({
    cells: sources.map((s, i) => ({ cell_type: 'code', execution_count: null, id: `c${i}`, metadata: {}, outputs: [], source: s })),
    metadata: { kernelspec, language_info: { name: 'typescript' } },
    nbformat: 4, nbformat_minor: 5,
  }, null, 1);
}

/** A copy of the suite's workspace plus a notebook with a loop to interrupt (running never writes into the repo). */
function makeWorkspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'bp-ui-ws-'));
  cpSync(join(repoRoot, 'test', 'vscode', 'workspace', 'basics.ipynb'), join(ws, 'basics.ipynb'));
  writeFileSync(join(ws, 'interrupt.ipynb'), notebookJson([
    "const before = 'kept across the interrupt';\nconsole.log('about to loop');",
    'let turns = 0;\nwhile (true) turns++;',
    'before',
  ]));
  return ws;
}

/** Waits until some frame's text contains `text` (outputs live in a webview, inside nested iframes). */
async function waitForText(page: Page, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      const found = await f.evaluate((t) => document.body?.innerText.includes(t) ?? false, text).catch(() => false);
      if (found) return;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no frame shows ${JSON.stringify(text)} within ${timeoutMs} ms`);
}

/**
 * Opens a notebook from the Explorer. Right after start-up the workbench may not know the ipynb notebook type
 * yet (the remote extension host is still being scanned) and opens the file as JSON text: then close and retry.
 */
async function openFromExplorer(page: Page, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().dblclick();
    await page.locator(`.tab.active[aria-label*="${name}"]`).first().waitFor({ timeout: 30_000 });
    const opened = await page.locator('.notebook-editor .code-cell-row').filter({ visible: true }).first()
      .waitFor({ timeout: 10_000 }).then(() => true, () => false);
    if (opened) return;
    assert.ok(attempt < 4, `${name} did not open in the notebook editor${context()}`);
    await palette(page, 'View: Close Editor');
    await page.waitForTimeout(2000);
  }
}

/** Clicks a button of the visible notebook's toolbar, by its label ('Run All', 'Interrupt'). */
async function toolbar(page: Page, label: string): Promise<void> {
  const button = page.locator(`.notebook-editor .notebook-toolbar-container .action-label[aria-label^="${label}"]`).filter({ visible: true }).first();
  await button.waitFor({ timeout: 30_000 });
  await button.click();
}

/** The kernel picker's label in the visible notebook's toolbar. */
async function kernelLabel(page: Page): Promise<string> {
  const label = page.locator('.notebook-editor .kernel-label').filter({ visible: true }).first();
  await label.waitFor({ timeout: 10_000 });
  return (await label.textContent()) ?? '';
}

let workbench: Workbench | undefined;
let page: Page;
let workspace: string;

function context(): string {
  return `\n--- page console (last 40 lines) ---\n${(workbench?.consoleLines ?? []).slice(-40).join('\n')}`;
}

before(async () => {
  requireArtefacts(CODE_SERVER, CHROMIUM, bundle('extension.js'), bundle('kernel.js'), bundle('renderer.js'));
  mkdirSync(shots, { recursive: true });
  workspace = makeWorkspace();
  workbench = await openWorkbench(workspace, { env: { BACKPROP_LOG_TO_CONSOLE: '1' } });
  page = workbench.page;
});

after(async () => {
  if (page) await page.screenshot({ path: join(shots, 'vscode-ui-last.png') }).catch(() => undefined);
  await workbench?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

test('a backprop-ts notebook opens with the Backprop kernel, and Run All shows its outputs', { timeout: 120_000 }, async () => {
  await openFromExplorer(page, 'basics.ipynb');
  await page.waitForFunction(() => document.querySelector('.notebook-editor .kernel-label')?.textContent?.includes('Backprop'), undefined, { timeout: 20_000 })
    .catch(() => undefined);
  assert.match(await kernelLabel(page), /Backprop \(TypeScript\)/, `kernel picked for the notebook${context()}`);
  await toolbar(page, 'Run All');
  for (const text of ['hello from a cell', '42', 'dp = 13']) {
    await waitForText(page, text).catch((e: Error) => assert.fail(`${e.message}${context()}`));
  }
  // the webview holds only the outputs of cells near the viewport: bring the last (failing) cell into view
  await palette(page, 'Notebook: Focus Last Cell');
  for (const text of ['about to fail', 'boom']) {
    await waitForText(page, text).catch((e: Error) => assert.fail(`${e.message}${context()}`));
  }
  await page.screenshot({ path: join(shots, 'vscode-ui-run-all.png') });
});

test('the graph renderer draws the graph in the output webview', { timeout: 60_000 }, async () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { contributes?: { notebookRenderer?: { id: string }[] } };
  assert.ok(manifest.contributes?.notebookRenderer?.some((r) => r.id === 'backprop-graph'), 'package.json contributes the backprop-graph renderer');
  const deadline = Date.now() + 45_000;
  while (await countInFrames(page, 'svg.bp-graph') === 0) {
    assert.ok(Date.now() < deadline, `no svg.bp-graph in any frame${context()}`);
    await page.waitForTimeout(500);
  }
  await page.screenshot({ path: join(shots, 'vscode-ui-graph.png') });
});

test('a looping cell is interrupted from the toolbar and the kernel keeps its variables', { timeout: 120_000 }, async () => {
  await openFromExplorer(page, 'interrupt.ipynb');
  await toolbar(page, 'Run All');
  await waitForText(page, 'about to loop', 60_000);
  // While cells run, the toolbar's Run All becomes Interrupt.
  await page.waitForTimeout(500);
  await toolbar(page, 'Interrupt');
  const editor = page.locator('.notebook-editor').filter({ visible: true }).first();
  await editor.locator('.codicon-notebook-state-error').first().waitFor({ timeout: 20_000 })
    .catch((e: Error) => assert.fail(`the loop cell did not end: ${e.message}${context()}`));
  await page.screenshot({ path: join(shots, 'vscode-ui-interrupted.png') });
  // Run the last cell alone: it reads a variable set before the loop.
  const last = editor.locator('.code-cell-row').nth(2);
  await last.locator('.view-line').first().click();
  await last.locator('.run-button-container .action-label').first().click();
  await waitForText(page, 'kept across the interrupt').catch((e: Error) => assert.fail(`${e.message}${context()}`));
  await page.screenshot({ path: join(shots, 'vscode-ui-after-interrupt.png') });
});

test('Restart Kernel from the toolbar menu tells the user, and the variables are gone', { timeout: 90_000 }, async () => {
  const item = page.locator('.monaco-menu .action-item', { hasText: 'Restart Kernel' }).first();
  // a click while the toolbar re-renders (the cell just ended) can be lost: open the menu until it shows
  for (let attempt = 1; ; attempt++) {
    await toolbar(page, 'More Actions');
    if (await item.waitFor({ timeout: 5000 }).then(() => true, () => false)) break;
    assert.ok(attempt < 4, `the toolbar's menu has no Restart Kernel${context()}`);
    await page.keyboard.press('Escape');
  }
  // the menu highlights an item under the mouse; Enter runs it
  await item.hover();
  await page.keyboard.press('Enter');
  await page.locator('.notifications-toasts', { hasText: 'kernel restarted' }).first().waitFor({ timeout: 30_000 })
    .catch((e: Error) => assert.fail(`no notification: ${e.message}${context()}`));
  const last = page.locator('.notebook-editor').filter({ visible: true }).first().locator('.code-cell-row').nth(2);
  await last.locator('.view-line').first().click();
  await last.locator('.run-button-container .action-label').first().click();
  await waitForText(page, 'before is not defined').catch((e: Error) => assert.fail(`${e.message}${context()}`));
  await page.screenshot({ path: join(shots, 'vscode-ui-restarted.png') });
});
