// Launches Debian's chromium through playwright-core with a fresh profile, for driving code-server's workbench.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export interface Browser {
  page: Page;
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'bp-chromium-'));
  // VS Code's webviews register a service worker inside a cross-origin iframe, which chromium refuses while
  // third-party cookies are blocked: allow them in the fresh profile.
  mkdirSync(join(profile, 'Default'), { recursive: true });
  writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({
    profile: { cookie_controls_mode: 0, block_third_party_cookies: false, default_content_setting_values: { cookies: 1 } },
  }));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
  // a loaded 2-core machine can take well over playwright's 30 s to load the workbench
  context.setDefaultNavigationTimeout(120_000);
  const page = context.pages()[0] ?? await context.newPage();
  return {
    page, context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The workbench URL for a folder, with launch arguments (`extensionDevelopmentPath`, ...) as remote paths. */
export function workbenchUrl(base: string, authority: string, folder: string, args: Record<string, string>): string {
  const payload = Object.entries(args).map(([k, p]) => [k, `vscode-remote://${authority}${p}`]);
  return `${base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
