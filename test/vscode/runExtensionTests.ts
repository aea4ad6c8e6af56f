// Runs an extension test suite (the `run()` contract of @vscode/test-electron) inside code-server's real extension
// host: the workbench URL carries extensionDevelopmentPath + extensionTestsPath, and when the suite's run() settles
// the workbench calls window.codeAutomationExit(code), which we expose to the page.
import { format } from 'node:util';
import { launchBrowser, workbenchUrl } from './browser';
import { startCodeServer } from './codeServer';

/** One mocha test as reported by the suite (test/vscode/suite/index.ts prints these lines). */
export interface SuiteTest {
  state: 'passed' | 'failed' | 'pending';
  title: string;
  durationMs?: number;
  error?: string;
}

export interface SuiteRun {
  /** The suite's exit code, or 'timeout' when it did not finish in time. */
  code: number | 'timeout';
  /** Extension-host console lines, in order. */
  lines: string[];
  tests: SuiteTest[];
  /** code-server's own output (useful when the extension host crashed). */
  serverLog: string;
}

export const suiteResultMarker = 'BACKPROP-SUITE ';

export interface RunOptions {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  workspace: string;
  timeoutMs: number;
  /** Reaches the extension host's process.env. */
  env?: Record<string, string>;
  /** Called with every extension-host console line as it arrives. */
  onLine?: (line: string) => void;
}

/** Host lines may come styled as `%c[Extension Host] %ctext color: ...`: keep the text. */
export function cleanHostLine(text: string): string {
  return text.replace(/%c/g, '').replace(/\s*(color|background|font-weight): [^;]*;?/g, '').replace(/^\s*\[Extension Host\]\s*/, '').trimEnd();
}

export async function runExtensionTests(options: RunOptions): Promise<SuiteRun> {
  const server = await startCodeServer(options.env);
  const browser = await launchBrowser().catch(async (e) => { await server.stop(); throw e; });
  const lines: string[] = [];
  const tests: SuiteTest[] = [];
  const take = (raw: string): void => {
    for (const line of cleanHostLine(raw).split('\n')) {
      if (line.startsWith(suiteResultMarker)) {
        try { tests.push(JSON.parse(line.slice(suiteResultMarker.length)) as SuiteTest); } catch { /* a cut line */ }
      }
      lines.push(line);
      options.onLine?.(line);
    }
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const { page } = browser;
    let exit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => { exit = resolve; });
    await page.exposeFunction('codeAutomationExit', (code: number) => exit(code));
    // With codeAutomationLog exposed, the workbench sends its own and the extension host's console output here
    // (printf-style arguments, hence format) instead of the page console, where host lines read '[Extension Host] ...'.
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => take(format(...args)));
    page.on('pageerror', (e) => lines.push(`[pageerror] ${e.message}`));
    await page.goto(workbenchUrl(server.base, server.authority, options.workspace, {
      extensionDevelopmentPath: options.extensionDevelopmentPath,
      extensionTestsPath: options.extensionTestsPath,
    }), { waitUntil: 'domcontentloaded', timeout: options.timeoutMs });
    const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), options.timeoutMs); });
    const code = await Promise.race([exited, timeout]);
    return { code, lines, tests, serverLog: server.log() };
  } finally {
    clearTimeout(timer);
    await browser.close();
    await server.stop();
  }
}
