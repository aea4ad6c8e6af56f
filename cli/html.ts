// `backprop-nb run --html`: an executed notebook as one self-contained HTML page. Markdown cells are rendered
// (markdown.ts), code cells show their source and outputs, and graph outputs are drawn at load time by the same
// renderer bundle VS Code uses (dist/renderer.js, inlined). Everything that came from the notebook is escaped, and
// the page's security policy backs that up: the only script it runs is its own loader (allowed by its hash) and
// the renderer that loader imports, and it loads nothing from the network.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { Marked } from 'marked';
import { escapeHtml } from './escapeHtml';
import { markdownParser, renderMarkdownSafely } from './markdown';
import { sanitizeHtml } from './sanitizeHtml';
import { writeFileAtomic } from './writeFileAtomic';

/** The mime type of graph outputs (docs/graph-format.md); kept here so the exporter needs nothing from the kernel. */
const GRAPH_MIME = 'application/vnd.backprop.graph+json';

/** The parts of nbformat 4 the exporter reads. Multiline strings may be one string or a list of lines. */
type MultilineString = string | string[];
export interface NotebookOutput {
  /** 'stream', 'display_data', 'execute_result', 'error', or a type this exporter does not know. */
  output_type: string;
  name?: string;
  text?: MultilineString;
  data?: Record<string, unknown>;
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
export interface NotebookCell {
  /** 'code', 'markdown', 'raw', or a type this exporter shows as raw. */
  cell_type: string;
  source: MultilineString;
  execution_count?: number | null;
  outputs?: NotebookOutput[];
  /** `jupyter.source_hidden`: the code is folded (shown behind a <details> here). */
  metadata?: { jupyter?: { source_hidden?: boolean } };
}
export interface NotebookJson {
  cells: NotebookCell[];
  metadata?: { title?: string; kernelspec?: { display_name?: string } };
}

export interface HtmlOptions {
  /** The page title; defaults to the first markdown heading. */
  title?: string;
  /** Source of the renderer ES module (dist/renderer.js). Without it graphs show their text/plain fallback. */
  rendererSource?: string;
}

const join_ = (s: MultilineString | undefined): string => (Array.isArray(s) ? s.join('') : s ?? '');


/** JSON that is safe inside a <script> element: no `<`, `>`, `&` or line separators survive unescaped. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}


interface GraphItem { mime: string; data: unknown }

/** Base64 image data with its line breaks removed, or null when it is anything else. */
function base64(data: unknown): string | null {
  if (typeof data !== 'string' && !(Array.isArray(data) && data.every((l) => typeof l === 'string'))) return null;
  const s = join_(data).replace(/\s+/g, '');
  return s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s) ? s : null;
}

/** One output; graphs become placeholders that the loader fills, holding their text/plain until then. */
function renderOutput(o: NotebookOutput, graphs: GraphItem[], md: Marked): string {
  if (o.output_type === 'stream') {
    return `<pre class="output stream ${o.name === 'stderr' ? 'stderr' : 'stdout'}">${escapeHtml(stripVTControlCharacters(join_(o.text)))}</pre>`;
  }
  if (o.output_type === 'error') {
    const tb = o.traceback?.length ? o.traceback.join('\n') : `${o.ename}: ${o.evalue}`;
    return `<pre class="output error">${escapeHtml(stripVTControlCharacters(tb))}</pre>`;
  }
  const data = o.data ?? {};
  const plain = escapeHtml(stripVTControlCharacters(join_(data['text/plain'] as MultilineString)));
  if (GRAPH_MIME in data) {
    graphs.push({ mime: GRAPH_MIME, data: data[GRAPH_MIME] });
    return `<div class="output graph" data-bp-output="${graphs.length - 1}"><pre class="fallback">${plain}</pre></div>`;
  }
  if ('image/svg+xml' in data) {
    // as an <img>, an SVG cannot run script or reach the page
    const svg = Buffer.from(join_(data['image/svg+xml'] as MultilineString), 'utf8').toString('base64');
    return `<div class="output image"><img alt="${plain}" src="data:image/svg+xml;base64,${svg}"></div>`;
  }
  for (const mime of ['image/png', 'image/jpeg', 'image/gif']) {
    if (!(mime in data)) continue;
    const b64 = base64(data[mime]);
    if (b64 === null) return `<pre class="output error">${escapeHtml(`${mime} output that is not base64 data, not shown`)}</pre>`;
    return `<div class="output image"><img alt="${plain}" src="data:${mime};base64,${b64}"></div>`;
  }
  if ('text/html' in data) return `<div class="output html">${sanitizeHtml(join_(data['text/html'] as MultilineString))}</div>`;
  if ('text/markdown' in data) return `<div class="output markdown">${renderMarkdownSafely(md, join_(data['text/markdown'] as MultilineString))}</div>`;
  if ('text/plain' in data) return `<pre class="output text">${plain}</pre>`;
  const json = Object.keys(data).find((m) => m === 'application/json' || m.endsWith('+json'));
  if (json) return `<pre class="output text">${escapeHtml(JSON.stringify(data[json], null, 2))}</pre>`;
  return '';
}

function renderCell(cell: NotebookCell, graphs: GraphItem[], md: Marked): string {
  const source = join_(cell.source);
  if (cell.cell_type === 'markdown') return `<section class="cell markdown">${renderMarkdownSafely(md, source)}</section>`;
  if (cell.cell_type !== 'code') return `<section class="cell raw"><pre>${escapeHtml(source)}</pre></section>`;
  const count = cell.execution_count == null ? ' ' : String(cell.execution_count);
  const outputs = (cell.outputs ?? []).map((o) => renderOutput(o, graphs, md)).join('\n');
  const code = `<pre class="source"><code class="language-typescript">${escapeHtml(source)}</code></pre>`;
  const lines = source.split('\n').length;
  return `<section class="cell code"><div class="prompt">[${escapeHtml(count)}]</div><div class="body">`
    + (cell.metadata?.jupyter?.source_hidden ? `<details class="folded"><summary>code (${lines} lines)</summary>${code}</details>` : code)
    + (outputs ? `<div class="outputs">${outputs}</div>` : '') + `</div></section>`;
}

function firstHeading(nb: NotebookJson): string | undefined {
  for (const c of nb.cells) {
    if (c.cell_type !== 'markdown') continue;
    const m = /^#{1,6}\s+(.+)$/m.exec(join_(c.source));
    if (m) return m[1].replace(/[$*_`]/g, '').trim();
  }
  return undefined;
}

/** The page's look; the --vscode-* variables give the renderer the colours it gets inside VS Code (light theme). */
const STYLE = `
:root {
  color-scheme: light;
  --vscode-font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  --vscode-font-size: 14px;
  --vscode-editor-font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  --vscode-editor-font-size: 13px;
  --vscode-foreground: #1f2328;
  --vscode-editor-foreground: #1f2328;
  --vscode-editor-background: #ffffff;
  --vscode-notebook-outputContainerBackgroundColor: #f6f8fa;
  --vscode-descriptionForeground: #59636e;
  --vscode-panel-border: #d1d9e0;
  --vscode-widget-border: #d1d9e0;
  --vscode-editorWidget-background: #f6f8fa;
  --vscode-editorWidget-border: #d1d9e0;
  --vscode-editorHoverWidget-background: #f6f8fa;
  --vscode-editorHoverWidget-foreground: #1f2328;
  --vscode-editorHoverWidget-border: #d1d9e0;
  --vscode-widget-shadow: rgba(0, 0, 0, .16);
  --vscode-focusBorder: #0969da;
  --vscode-button-secondaryBackground: #e6eaef;
  --vscode-button-secondaryForeground: #1f2328;
  --vscode-button-secondaryHoverBackground: #d1d9e0;
  --vscode-button-border: transparent;
  --vscode-textLink-foreground: #0969da;
  --vscode-errorForeground: #cf222e;
  --vscode-editorError-foreground: #cf222e;
  --vscode-editorWarning-foreground: #9a6700;
  --vscode-charts-foreground: #1f2328;
  --vscode-charts-lines: #8c959f;
  --vscode-charts-red: #cf222e;
  --vscode-charts-blue: #0969da;
  --vscode-charts-yellow: #bf8700;
  --vscode-charts-orange: #bc4c00;
  --vscode-charts-green: #1a7f37;
  --vscode-charts-purple: #8250df;
}
body { margin: 0; background: var(--vscode-editor-background); color: var(--vscode-foreground);
  font: var(--vscode-font-size)/1.55 var(--vscode-font-family); }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 64px; }
.cell { margin: 14px 0; }
.cell.markdown { padding: 0 8px 0 64px; }
.cell.markdown h1 { font-size: 1.9em; margin: .4em 0 .3em; }
.cell.markdown h2 { font-size: 1.4em; margin: .8em 0 .3em; }
.cell.markdown code { background: #eff2f5; border-radius: 4px; padding: 0 .3em; font: .92em var(--vscode-editor-font-family); }
.cell.markdown .math { overflow-x: auto; margin: .6em 0; }
math { font-size: 1.1em; }
.cell.code { display: flex; gap: 8px; }
.prompt { width: 56px; flex: none; text-align: right; color: var(--vscode-descriptionForeground);
  font: var(--vscode-editor-font-size) var(--vscode-editor-font-family); padding-top: 9px; }
.body { flex: 1; min-width: 0; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; font: var(--vscode-editor-font-size)/1.45 var(--vscode-editor-font-family); }
pre.source { background: #f6f8fa; border: 1px solid var(--vscode-panel-border); border-radius: 6px; padding: 8px 12px; }
details.folded > summary { cursor: pointer; color: var(--vscode-descriptionForeground); padding: 4px 0;
  font: var(--vscode-editor-font-size) var(--vscode-editor-font-family); }
.outputs { padding: 6px 0 0 4px; }
.output { margin: 4px 0; }
.output.stderr { color: #9a6700; }
.output.error { color: var(--vscode-errorForeground); background: #ffebe9; border-radius: 6px; padding: 6px 10px; }
.output.graph { overflow-x: auto; }
.output.image img { max-width: 100%; }
.output.html table { border-collapse: collapse; font: var(--vscode-editor-font-size) var(--vscode-editor-font-family); margin: 4px 0; }
.output.html td, .output.html th { border: 1px solid var(--vscode-panel-border); padding: 2px 8px; text-align: right; }
.output.html th { background: #f6f8fa; }
.md-note { color: var(--vscode-descriptionForeground); font-size: 12px; margin: 0 0 4px; }
footer { margin-top: 40px; color: var(--vscode-descriptionForeground); font-size: 12px; padding-left: 64px; }
`;

/** Runs at page load: imports the inlined renderer from a blob URL and hands it each graph output. */
const LOADER = `
const items = JSON.parse(document.getElementById('bp-outputs').textContent);
const srcEl = document.getElementById('bp-renderer');
if (srcEl && items.length) {
  const url = URL.createObjectURL(new Blob([JSON.parse(srcEl.textContent)], { type: 'text/javascript' }));
  const mod = await import(url);
  const state = new Map();
  const ctx = {
    workspace: { isTrusted: true },
    settings: {},
    getState: () => undefined,
    setState: () => {},
    getRenderer: async () => undefined,
    postMessage: () => {},
    onDidReceiveMessage: () => ({ dispose() {} }),
  };
  const api = await mod.activate(ctx);
  for (const el of document.querySelectorAll('[data-bp-output]')) {
    const i = Number(el.dataset.bpOutput);
    const { mime, data } = items[i];
    const text = JSON.stringify(data);
    const bytes = new TextEncoder().encode(text);
    const item = { id: 'output-' + i, mime, metadata: {}, data: () => bytes, text: () => text, json: () => data,
      blob: () => new Blob([bytes], { type: mime }) };
    const fallback = el.innerHTML;
    try {
      el.textContent = '';
      await api.renderOutputItem(item, el, new AbortController().signal);
      el.dataset.rendered = 'true';
    } catch (e) {
      el.innerHTML = fallback;
      console.error('backprop renderer:', e);
    }
  }
}
document.body.dataset.ready = 'true';
`;
/** The CSP source that lets the loader, and no other inline script, run. */
const LOADER_HASH = `'sha256-${createHash('sha256').update(LOADER, 'utf8').digest('base64')}'`;

/**
 * The executed notebook as one HTML page that needs no network and no other file.
 * @example writeFileAtomic('nb.html', notebookToHtml(JSON.parse(readFileSync('nb.ipynb', 'utf8')), { rendererSource }))
 */
export function notebookToHtml(nb: NotebookJson, opts: HtmlOptions = {}): string {
  const md = markdownParser();
  const graphs: GraphItem[] = [];
  const cells = nb.cells.map((c) => renderCell(c, graphs, md)).join('\n');
  const title = opts.title ?? nb.metadata?.title ?? firstHeading(nb) ?? 'Notebook';
  const renderer = opts.rendererSource && graphs.length
    ? `<script type="application/json" id="bp-renderer">${scriptJson(opts.rendererSource)}</script>\n` : '';
  const csp = `default-src 'none'; script-src ${LOADER_HASH} blob:; style-src 'unsafe-inline'; img-src data:; font-src data:; `
    + "base-uri 'none'; form-action 'none'";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="generator" content="backprop-nb">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body class="vscode-light">
<main class="notebook">
${cells}
<footer>Exported by backprop-nb. Graphs are drawn by the Backprop Notebooks renderer.</footer>
</main>
<script type="application/json" id="bp-outputs">${scriptJson(graphs)}</script>
${renderer}<script type="module">${LOADER}</script>
</body>
</html>
`;
}

/** dist/renderer.js, found next to the CLI bundle (dist/cli.js) or from the source tree; undefined if not built. */
export function loadRendererSource(): string | undefined {
  for (const p of [join(__dirname, 'renderer.js'), join(__dirname, '..', 'dist', 'renderer.js')]) {
    if (existsSync(p)) return readFileSync(p, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  }
  return undefined;
}

/**
 * Writes the HTML page of an executed notebook file; returns the page's path (default: the notebook's, ending .html).
 * @example writeHtml('out/chain-rule.ipynb') // 'out/chain-rule.html'
 */
export function writeHtml(notebookPath: string, htmlPath?: string): string {
  const out = resolve(htmlPath ?? notebookPath.replace(/(\.ipynb)?$/i, '.html'));
  const nb = JSON.parse(readFileSync(notebookPath, 'utf8')) as NotebookJson;
  writeFileAtomic(out, notebookToHtml(nb, { rendererSource: loadRendererSource() }));
  return out;
}
