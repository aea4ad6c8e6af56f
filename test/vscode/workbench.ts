// The start of every UI test: code-server with this extension under development, and chromium on its workbench
// opened on a folder, with the page's console kept for failure messages.
import type { Page } from 'playwright-core';
import { launchBrowser, workbenchUrl, type Browser } from './browser';
import { repoRoot, startCodeServer, type CodeServer } from './codeServer';

export interface Workbench {
  server: CodeServer;
  browser: Browser;
  page: Page;
  /** Every line the page logged, the extension host's too (BACKPROP_LOG_TO_CONSOLE). */
  consoleLines: string[];
  close(): Promise<void>;
}

/** Starts code-server, opens `folder` in chromium, and waits until the Explorer lists it. */
export async function openWorkbench(folder: string): Promise<Workbench> {
  const server = await startCodeServer({ BACKPROP_LOG_TO_CONSOLE: '1' });
  const browser = await launchBrowser().catch(async (e: unknown) => { await server.stop(); throw e; });
  const { page } = browser;
  const consoleLines: string[] = [];
  page.on('console', (m) => consoleLines.push(m.text()));
  const close = async () => { await browser.close(); await server.stop(); };
  try {
    await page.goto(workbenchUrl(server.base, server.authority, folder, { extensionDevelopmentPath: repoRoot }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 30_000 });
  } catch (e) {
    await close();
    throw e;
  }
  return { server, browser, page, consoleLines, close };
}
