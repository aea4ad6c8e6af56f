// The "Backprop Variables" view: the active Backprop notebook's kernel variables (name, type, shape, gradient
// norm), refreshed whenever the notebook's kernel becomes idle (after each cell) while the view is shown (listing
// summarises every tensor, which a hidden view should not cost), and when it is shown. Tensors expand into their
// statistics, modules into their parameters; a click opens the variable's description (the hover's markdown).
// While a cell runs the list keeps the values as of the last refresh, and says so. A new kernel (Restart Kernel) and
// another notebook (New Notebook, switching editors) refresh it at once; a reply that comes after a newer refresh
// was asked for is dropped, so a slow answer about the previous notebook or kernel cannot overwrite the list.
import * as vscode from 'vscode';
import type { TensorStats, VariableInfo } from '../kernel/client/protocol';
import type { KernelSessions } from './kernelSessions';

export type VariableNode =
  | { kind: 'variable'; info: VariableInfo; path: string }
  | { kind: 'stat'; label: string; description: string }
  | { kind: 'message'; text: string };

/** As the kernel writes numbers (formatNumber in kernel/engine/format.ts: the extension may not import the engine). */
function num(x: number | string | undefined): string {
  if (typeof x !== 'number') return String(x);
  if (x === 0 || (Number.isInteger(x) && Math.abs(x) < 1e9)) return String(x);
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(4))) : x.toExponential(3);
}

function statRows(prefix: string, s: TensorStats): VariableNode[] {
  const rows: VariableNode[] = [];
  if (s.values) rows.push({ kind: 'stat', label: `${prefix}values`, description: `[${s.values.map(num).join(', ')}]` });
  for (const k of ['mean', 'std', 'min', 'max', 'norm'] as const) rows.push({ kind: 'stat', label: `${prefix}${k}`, description: num(s[k]) });
  if (s.nan) rows.push({ kind: 'stat', label: `${prefix}NaN`, description: String(s.nan) });
  if (s.inf) rows.push({ kind: 'stat', label: `${prefix}±Infinity`, description: String(s.inf) });
  return rows;
}

export class VariablesView implements vscode.TreeDataProvider<VariableNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<VariableNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The variables as of the last refresh, and the notebook they belong to. */
  variables: VariableInfo[] = [];
  notebook: vscode.NotebookDocument | undefined;
  private note: string | undefined = 'Run a cell of a Backprop notebook to see its variables.';
  private readonly disposables: vscode.Disposable[] = [];
  private wasBusy = new WeakMap<object, boolean>();
  /** The kernel each session had when it was last seen: a different one (a restart) means the list is stale. */
  private seenKernel = new WeakMap<object, unknown>();
  /** Counts refreshes: only the latest one's reply is shown. */
  private generation = 0;
  /** Set by `attach`: refreshes happen only while the view is visible. */
  private view: vscode.TreeView<VariableNode> | undefined;

  constructor(private readonly sessions: KernelSessions) {
    this.disposables.push(
      this.changed,
      sessions.onDidChange((session) => {
        const busy = session.state === 'busy';
        const before = this.wasBusy.get(session);
        this.wasBusy.set(session, busy);
        const kernel = session.kernel?.alive ? session.kernel : undefined;
        const newKernel = this.seenKernel.get(session) !== kernel;
        this.seenKernel.set(session, kernel);
        if (session.notebook !== this.activeNotebook()) return;
        if (!busy && (before || before === undefined || newKernel) && this.visible()) void this.refresh(session.notebook);
        else if (busy) this.setNote(this.variables.length ? 'a cell is running: values as of the last cell' : undefined);
      }),
      vscode.window.onDidChangeActiveNotebookEditor(() => { if (this.visible()) void this.refresh(); }),
    );
  }

  /** Shows this provider in a tree view: refreshes follow the view's visibility. */
  attach(view: vscode.TreeView<VariableNode>): vscode.TreeView<VariableNode> {
    this.view = view;
    this.disposables.push(view.onDidChangeVisibility((e) => { if (e.visible) void this.refresh(); }));
    return view;
  }

  private visible(): boolean {
    return this.view?.visible ?? true;
  }

  private activeNotebook(): vscode.NotebookDocument | undefined {
    return vscode.window.activeNotebookEditor?.notebook ?? this.notebook;
  }

  private setNote(note: string | undefined): void {
    this.note = note;
    this.changed.fire(undefined);
  }

  /** Asks the notebook's kernel for its variables (the active notebook's by default). Resolves when shown. */
  async refresh(notebook = this.activeNotebook()): Promise<void> {
    const generation = ++this.generation;
    const session = notebook && this.sessions.find(notebook);
    if (!notebook || !session?.kernel?.alive) {
      this.notebook = notebook;
      this.variables = [];
      this.setNote('No running Backprop kernel for this notebook: run a cell.');
      return;
    }
    if (session.state === 'busy') {
      // another notebook's values must not stay on show as this one's
      if (this.notebook !== notebook) { this.notebook = notebook; this.variables = []; }
      this.setNote('a cell is running: values as of the last cell');
      return;
    }
    try {
      const reply = await session.kernel.request('variables', {}, { timeoutMs: 10_000 });
      if (generation !== this.generation) return;
      this.notebook = notebook;
      this.variables = reply.variables;
      this.setNote(reply.variables.length ? undefined : 'No variables yet.');
    } catch (e) {
      if (generation !== this.generation) return;
      this.setNote(`Could not list the variables: ${(e as Error).message}`);
    }
  }

  getTreeItem(node: VariableNode): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text);
      item.iconPath = new vscode.ThemeIcon('info');
      return item;
    }
    if (node.kind === 'stat') {
      const item = new vscode.TreeItem(node.label);
      item.description = node.description;
      return item;
    }
    const { info } = node;
    const expandable = !!info.stats || !!info.children?.length;
    const item = new vscode.TreeItem(info.name, expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    const shape = info.shape ? ` [${info.shape.join(', ')}]` : '';
    const grad = info.grad ? ` · ‖∇‖ ${num(info.grad.norm)}` : '';
    item.description = info.type === 'Tensor' ? `Tensor${shape}${grad}${info.gradNote ? ` ⚠ ${info.gradNote}` : ''}` : `${info.type} · ${info.summary}`;
    item.tooltip = info.markdown ? new vscode.MarkdownString(info.markdown) : info.summary;
    item.iconPath = new vscode.ThemeIcon(info.type === 'Tensor' ? 'symbol-array' : info.children ? 'symbol-class' : typeof info.type === 'string' && info.type === 'function' ? 'symbol-function' : 'symbol-variable');
    item.contextValue = info.type === 'Tensor' ? 'tensor' : 'variable';
    item.id = `${this.notebook?.uri.toString()}|${node.path}`;
    item.command = { command: 'backprop.showVariable', title: 'Show Variable', arguments: [info] };
    return item;
  }

  getChildren(node?: VariableNode): VariableNode[] {
    if (!node) {
      const rows: VariableNode[] = this.variables.map((info) => ({ kind: 'variable', info, path: info.name }));
      return this.note ? [{ kind: 'message', text: this.note }, ...rows] : rows;
    }
    if (node.kind !== 'variable') return [];
    const { info } = node;
    if (info.children) return info.children.map((c) => ({ kind: 'variable', info: c, path: `${node.path}.${c.name}` }));
    const rows: VariableNode[] = [];
    if (info.shape) rows.push({ kind: 'stat', label: 'shape', description: `[${info.shape.join(', ')}] ${info.dtype ?? ''}${info.requiresGrad ? ' · requiresGrad' : ''}` });
    if (info.stats) rows.push(...statRows('', info.stats));
    if (info.grad) rows.push(...statRows('grad ', info.grad));
    else if (info.requiresGrad) rows.push({ kind: 'stat', label: 'grad', description: 'none yet' });
    if (info.gradNote) rows.push({ kind: 'stat', label: '⚠ grad', description: info.gradNote });
    return rows;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** A webview panel that shows one variable's description (reused for the next click). */
export class VariableDetails implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  async show(info: VariableInfo): Promise<void> {
    const markdown = info.markdown ?? `**${info.name}**: ${info.type} · ${info.summary}`;
    let html: string;
    try {
      // the built-in markdown extension renders (and sanitises) markdown for webviews
      html = await vscode.commands.executeCommand<string>('markdown.api.render', markdown);
    } catch {
      // escaped here: the kernel's escapeHtml (kernel/outputs/display.ts) is not the extension's to import
      html = `<pre>${markdown.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre>`;
    }
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('backprop.variable', '', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: false });
      this.panel.onDidDispose(() => { this.panel = undefined; });
    }
    this.panel.title = `Backprop: ${info.name}`;
    this.panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">` +
      `<style>body{font-family:var(--vscode-font-family);font-size:var(--vscode-font-size);color:var(--vscode-foreground);padding:0 1em}` +
      `table{border-collapse:collapse}td,th{border:1px solid var(--vscode-panel-border);padding:2px 8px}code{font-family:var(--vscode-editor-font-family)}</style>` +
      `</head><body>${html}</body></html>`;
    this.panel.reveal(undefined, true);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
