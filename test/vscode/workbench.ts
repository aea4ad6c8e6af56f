// The start of every UI test: code-server with this extension (under development, or installed in an extensions
// folder), and chromium on its workbench opened on a folder, with the page's console kept for failure messages.
import type { Page } from 'playwright-core';
import { launchBrowser, workbenchUrl, type Browser } from './browser';
import { repoRoot, startCodeServer, type CodeServer } from './codeServer';

export interface Workbench {
  server: CodeServer;
  browser: Browser;
  page: Page;
  /** The folder the workbench shows. */
  workspace: string;
  /** Every line the page logged (the extension host's too, with BACKPROP_LOG_TO_CONSOLE), and page errors. */
  consoleLines: string[];
  close(): Promise<void>;
}

export interface WorkbenchOptions {
  /** Added to code-server's environment. */
  env?: Record<string, string>;
  /** The extension under development (default: this repository), or null for an installed copy in `extensionsDir`. */
  extensionDevelopmentPath?: string | null;
  extensionsDir?: string;
  viewport?: { width: number; height: number };
}

/** Starts code-server, opens `workspace` in chromium, and waits until the Explorer lists it. */
export async function openWorkbench(workspace: string, opts: WorkbenchOptions = {}): Promise<Workbench> {
  const server = await startCodeServer(opts.env, { extensionsDir: opts.extensionsDir });
  const browser = await launchBrowser().catch(async (e: unknown) => { await server.stop(); throw e; });
  const { page } = browser;
  const consoleLines: string[] = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  const close = async () => { await browser.close(); await server.stop(); };
  try {
    if (opts.viewport) await page.setViewportSize(opts.viewport);
    const dev = opts.extensionDevelopmentPath === undefined ? repoRoot : opts.extensionDevelopmentPath;
    await page.goto(workbenchUrl(server.base, server.authority, workspace, dev ? { extensionDevelopmentPath: dev } : {}));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 30_000 });
  } catch (e) {
    await close();
    throw e;
  }
  return { server, browser, page, workspace, consoleLines, close };
}
