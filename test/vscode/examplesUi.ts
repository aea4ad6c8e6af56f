// Drives the example notebooks in a real VS Code (code-server + chromium, through the harness in codeServer.ts and
// browser.ts): opens each one from the Explorer, runs all its cells, waits for them to finish and for the graph
// renderer to draw, and can take screenshots. Used by test/vscode/examples.test.ts and scripts/screenshots.mjs.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from './codeServer';
import { openWorkbench, type Workbench } from './workbench';
import { GRAPH_MIME } from '../../kernel/client/protocol';

export const examplesDir = join(repoRoot, 'media', 'examples');

export type { Workbench };

export interface RunAllResult {
  codeCells: number;
  succeeded: number;
  failed: number;
  /** Graphs drawn by the renderer (svg.bp-graph in the output webview). */
  graphs: number;
  /** Gradient-flow charts drawn next to graphs. */
  flowCharts: number;
  /** <img> outputs (SVG pictures shown with display()). */
  images: number;
}

/** A copy of the examples in a temp folder (running writes outputs into the files), with workspace settings. */
function exampleWorkspace(settings: Record<string, unknown>): string {
  const ws = mkdtempSync(join(tmpdir(), 'bp-examples-ws-'));
  for (const name of readdirSync(examplesDir)) if (name.endsWith('.ipynb')) cpSync(join(examplesDir, name), join(ws, name));
  mkdirSync(join(ws, '.vscode'));
  writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  return ws;
}

/**
 * Starts code-server with the extension under development (or installed: pass `extensionDevelopmentPath: null`
 * and an `extensionsDir` code-server already holds it in), opens a copy of the examples and waits for the workbench.
 */
export async function openExamples(opts: {
  settings?: Record<string, unknown>; extensionDevelopmentPath?: string | null; extensionsDir?: string; viewport?: { width: number; height: number };
} = {}): Promise<Workbench> {
  const workspace = exampleWorkspace({ 'workbench.startupEditor': 'none', 'notebook.output.scrolling': false, ...opts.settings });
  try {
    const workbench = await openWorkbench(workspace, opts);
    await extensionsActivated(workbench.page).catch(async (e: unknown) => { await workbench.close(); throw e; });
    return { ...workbench, close: async () => { await workbench.close(); rmSync(workspace, { recursive: true, force: true }); } };
  } catch (e) {
    rmSync(workspace, { recursive: true, force: true });
    throw e;
  }
}

/** Waits until the status bar has stopped saying "Activating Extensions..." for a second (at most a minute). */
async function extensionsActivated(page: Page): Promise<void> {
  const deadline = Date.now() + 60_000;
  let quietSince = 0;
  while (Date.now() < deadline) {
    const busy = /Activating Extensions/.test(await page.locator('.statusbar').innerText().catch(() => ''));
    if (busy) quietSince = 0;
    else if (!quietSince) quietSince = Date.now();
    else if (Date.now() - quietSince > 1500) return;
    await page.waitForTimeout(250);
  }
}

/** Runs a command from the palette (F1), by its title. */
export async function palette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/**
 * Opens a notebook of the workspace from the Explorer and waits for its editor. Until the built-in ipynb
 * extension is up, a .ipynb opens as JSON text: then close it and try again.
 */
export async function openNotebook(page: Page, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().dblclick();
    const opened = await page.locator('.notebook-editor .cell-list-container').filter({ visible: true }).first()
      .waitFor({ timeout: 10_000 }).then(() => true, () => false);
    if (opened) break;
    if (attempt === 5) throw new Error(`${name} did not open in the notebook editor`);
    await palette(page, 'View: Close Editor');
    await page.waitForTimeout(3000);
  }
  await page.waitForTimeout(1000);
}

/** Every frame's count of a selector (the outputs live in a webview inside nested iframes). */
export async function countInFrames(page: Page, selector: string): Promise<number> {
  let n = 0;
  for (const f of page.frames()) {
    try { n += await f.locator(selector).count(); } catch { /* a frame navigating away */ }
  }
  return n;
}

interface SavedCell { cell_type: string; execution_count?: number | null; outputs?: { output_type: string; data?: Record<string, unknown>; ename?: string; evalue?: string }[] }

/** The notebook as saved on disk (File: Save first). */
export function savedNotebook(wb: Workbench, name: string): { cells: SavedCell[] } {
  return JSON.parse(readFileSync(join(wb.workspace, name), 'utf8')) as { cells: SavedCell[] };
}

/**
 * Runs every cell of the open notebook (the toolbar's Run All), waits until the toolbar's Interrupt turns back into
 * Run All, saves the notebook and reads the result from the file: which code cells ran, which failed, and which
 * outputs they made. Then waits for the renderer to have drawn at least one graph.
 */
export async function runAll(wb: Workbench, name: string, timeoutMs = 180_000): Promise<RunAllResult> {
  const { page } = wb;
  const toolbar = page.locator('.notebook-editor').filter({ visible: true }).first();
  // the toolbar's button, as a person would: the palette's Notebook: Run All needs the editor focused
  await toolbar.locator('.action-label[aria-label="Run All"]').click();
  // A kernel picker shows only if the notebook's kernelspec did not select our controller by itself.
  const picker = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Backprop (TypeScript)' }).first();
  if (await picker.waitFor({ timeout: 2000 }).then(() => true, () => false)) await picker.click();
  await toolbar.locator('.action-label[aria-label="Interrupt"]').waitFor({ timeout: 10_000 }).catch(() => undefined);
  await toolbar.locator('.action-label[aria-label="Run All"]').waitFor({ timeout: timeoutMs });
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+S');
  await page.locator('.tab.active.dirty').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  const all = savedNotebook(wb, name).cells;
  const cells = all.filter((c) => c.cell_type === 'code');
  const outputs = cells.flatMap((c) => c.outputs ?? []);
  const result: RunAllResult = {
    codeCells: cells.length,
    succeeded: cells.filter((c) => typeof c.execution_count === 'number' && !c.outputs?.some((o) => o.output_type === 'error')).length,
    failed: cells.filter((c) => c.outputs?.some((o) => o.output_type === 'error')).length,
    graphs: 0,
    flowCharts: 0,
    images: outputs.filter((o) => o.data && 'image/svg+xml' in o.data).length,
  };
  // Outputs far from the viewport are not rendered: bring the first graph into view, then count what is drawn.
  const graphCell = all.findIndex((c) => c.outputs?.some((o) => o.data && GRAPH_MIME in o.data));
  if (graphCell >= 0) await scrollToCell(page, graphCell, 8, all[graphCell].outputs!.findIndex((o) => o.data && GRAPH_MIME in o.data));
  const deadline = Date.now() + 30_000;
  do {
    result.graphs = await countInFrames(page, 'svg.bp-graph');
    result.flowCharts = await countInFrames(page, '.bp-flow');
    if (result.graphs) break;
    await page.waitForTimeout(500);
  } while (Date.now() < deadline);
  return result;
}

/**
 * Scrolls the open notebook so that cell `index` (counting markdown cells) starts `offset` px below the list's
 * top, or, with `output`, so that that output of the cell does.
 */
export async function scrollToCell(page: Page, index: number, offset = 8, output?: number): Promise<void> {
  const list = page.locator('.notebook-editor .cell-list-container').filter({ visible: true }).first();
  const box = (await list.boundingBox())!;
  // over the prompt gutter, not over an output webview or a cell's editor
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  const target = async () => {
    const row = list.locator(`.monaco-list-row[data-index="${index}"]`);
    if (!await row.count()) return null;
    const el = output === undefined ? row : row.locator('.output-inner-container').nth(output);
    return await el.count() ? el.boundingBox() : row.boundingBox();
  };
  // Each wheel event scrolls the list by a fixed step (50 px here) whatever its delta: send as many as needed.
  const step = 50;
  for (let i = 0; i < 40; i++) {
    const at = await target();
    if (!at) {
      const first = Number(await list.locator('.monaco-list-row').first().getAttribute('data-index'));
      for (let k = 0; k < 10; k++) await page.mouse.wheel(0, index > first ? 100 : -100);
      await page.waitForTimeout(200);
      continue;
    }
    const delta = at.y - (box.y + offset);
    const n = Math.round(Math.abs(delta) / step);
    if (n === 0) break;
    for (let k = 0; k < Math.min(n, 20); k++) await page.mouse.wheel(0, Math.sign(delta) * 100);
    await page.waitForTimeout(200);
  }
  await page.waitForTimeout(800);
}

/** Scrolls the open notebook so that the first rendered `selector` (in the output webview) at or below the list's top starts `offset` px below it. */
export async function scrollToRendered(page: Page, selector: string, offset = 8): Promise<void> {
  const list = page.locator('.notebook-editor .cell-list-container').filter({ visible: true }).first();
  const box = (await list.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  for (let i = 0; i < 10; i++) {
    let best: number | undefined;
    for (const f of page.frames()) {
      try {
        for (const el of await f.locator(selector).all()) {
          const b = await el.boundingBox();
          if (b && b.y >= box.y - 20 && (best === undefined || b.y < best)) best = b.y;
        }
      } catch { /* a frame navigating away */ }
    }
    if (best === undefined) return;
    const delta = best - (box.y + offset);
    const n = Math.round(Math.abs(delta) / 50);
    if (n === 0) break;
    for (let k = 0; k < Math.min(n, 20); k++) await page.mouse.wheel(0, Math.sign(delta) * 100);
    await page.waitForTimeout(300);
  }
  await page.waitForTimeout(800);
}
