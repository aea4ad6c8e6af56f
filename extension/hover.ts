// Hover in Backprop notebook cells, one hover with two parts: the static type and doc comment from the notebook's
// language service (extension/language/), then the kernel's answer for the identifier or property path under the
// cursor (`model.layers[0].weight`), in markdown (kernel/tools/inspect.ts): value, gradient, where the gradient came
// from, stale or accumulated.
//
// Busy kernel: cells run on the kernel's main thread, so a request waits until the cell ends (or awaits). Rather
// than hang, or show a snapshot that a running training loop is changing under it, the hover says at once that
// the kernel is busy; the variables view keeps the values as of the last cell for the meantime.
import * as vscode from 'vscode';
import type { InspectReply } from '../kernel/client/protocol';
import type { KernelSessions } from './kernelSessions';
import type { NotebookLanguage } from './language/notebookLanguage';
import { expressionAt } from '../kernel/language/expressionAt';

export { expressionAt };

/** How long a hover waits for the kernel (it can be awaiting inside a cell, or in a long gradient check). */
const TIMEOUT_MS = 3000;

export class KernelHoverProvider implements vscode.HoverProvider {
  constructor(private readonly sessions: KernelSessions, private readonly language?: NotebookLanguage) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const typed = this.staticPart(document, position);
    const runtime = await this.runtimePart(document, position, token);
    if (token.isCancellationRequested || (!typed && !runtime)) return undefined;
    const markdown = new vscode.MarkdownString(undefined, true);
    if (typed) markdown.appendCodeblock(typed.signature, 'typescript');
    if (typed?.documentation) markdown.appendMarkdown(typed.documentation + '\n\n');
    if (typed && runtime) markdown.appendMarkdown('---\n\n');
    if (runtime) markdown.appendMarkdown(runtime.markdown);
    return new vscode.Hover(markdown, typed?.range ?? runtime?.range);
  }

  /** The type and doc comment of the name under the cursor, when the cell is on the kernel. */
  private staticPart(document: vscode.TextDocument, position: vscode.Position): { signature: string; documentation: string; range: vscode.Range } | undefined {
    const cell = this.language?.context(document);
    const info = cell?.service.quickInfo(cell.key, document.offsetAt(position));
    if (!info) return undefined;
    return { ...info, range: new vscode.Range(document.positionAt(info.start), document.positionAt(info.start + info.length)) };
  }

  /** The kernel's answer for the property path under the cursor. */
  private async runtimePart(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<{ markdown: string; range: vscode.Range } | undefined> {
    const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === document));
    const session = notebook && this.sessions.find(notebook);
    if (!session?.kernel?.alive) return undefined;
    const found = expressionAt(document.lineAt(position.line).text, position.character);
    if (!found) return undefined;
    const range = new vscode.Range(position.line, found.start, position.line, found.end);
    if (session.state === 'busy') {
      return { markdown: `$(sync~spin) **${found.expression}**: the Backprop kernel is running a cell; hover again when it is done.`, range };
    }
    let reply: InspectReply;
    try {
      reply = await session.kernel.request('inspect', { expression: found.expression }, { timeoutMs: TIMEOUT_MS });
    } catch (e) {
      return { markdown: `**${found.expression}**: no answer from the kernel (${(e as Error).message}).`, range };
    }
    if (token.isCancellationRequested || !reply.found) return undefined;
    const markdown = reply.data?.['text/markdown'];
    const plain = reply.data?.['text/plain'];
    return { markdown: typeof markdown === 'string' ? markdown : '```\n' + (typeof plain === 'string' ? plain : '') + '\n```', range };
  }
}

/** Hovers for TypeScript and JavaScript notebook cells. */
export function registerHover(sessions: KernelSessions, language?: NotebookLanguage): vscode.Disposable {
  const selector: vscode.DocumentSelector = [
    { scheme: 'vscode-notebook-cell', language: 'typescript' },
    { scheme: 'vscode-notebook-cell', language: 'javascript' },
  ];
  return vscode.languages.registerHoverProvider(selector, new KernelHoverProvider(sessions, language));
}
