// The --html export (cli/html.ts): markdown and maths rendered, every output escaped or sanitised, graph outputs
// carried as data for the inlined renderer. The browser side is checked in test/vscode/examplesHtml.test.ts (the
// examples' graphs drawn) and test/e2e/htmlExport.test.ts (no script of a hostile notebook runs).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { notebookToHtml, type NotebookJson } from '../../cli/html';
import { MAX_CHARS, MAX_NESTING, nestingDepth, renderMarkdown, renderMarkdownSafely } from '../../cli/markdown';
import { Marked } from 'marked';
import { createHash } from 'node:crypto';
import { sanitizeHtml } from '../../cli/sanitizeHtml';
import { scalar, traceGraph } from '../../kernel/engine';
import { GRAPH_MIME } from '../../kernel/client/protocol';

/** The text of the `<script type="application/json" id=...>` element, parsed. */
function scriptData(html: string, id: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
  assert.ok(m, `the page has a #${id} data script`);
  return JSON.parse(m[1]);
}

function codeCell(outputs: NotebookJson['cells'][number]['outputs'], source = 'x'): NotebookJson {
  return { cells: [{ cell_type: 'code', execution_count: 3, source, outputs }] };
}

test('markdown: headings, maths as MathML, raw HTML shown as text, unsafe links dropped', () => {
  const html = renderMarkdown('# The slope $\\partial L/\\partial w$\n\nSee <script>alert(1)</script> [a](javascript:alert(1)) [b](https://example.org) `a $x$ b`\n\n$$\\sum_i x_i$$');
  assert.match(html, /<h1>The slope <span class="katex"><math/);
  assert.match(html, /<div class="math"><span class="katex"><math [^>]*display="block"/);
  assert.ok(!html.includes('<script'), 'raw HTML is escaped');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(!/href="javascript/i.test(html), 'javascript: links are dropped');
  assert.ok(html.includes('href="https://example.org"'));
  assert.ok(html.includes('<code>a $x$ b</code>'), 'dollars inside code spans stay text');
});

test('code cells: source escaped, execution count, streams and errors as text without ANSI codes', () => {
  const html = notebookToHtml(codeCell([
    { output_type: 'stream', name: 'stdout', text: ['a <b>\n', 'second line\n'] },
    { output_type: 'stream', name: 'stderr', text: 'careful' },
    { output_type: 'error', ename: 'Error', evalue: 'boom', traceback: ['\x1b[31mError: boom\x1b[0m', '    at cell:1:1'] },
  ], 'const s = "<tag>";'));
  assert.ok(html.includes('<div class="prompt">[3]</div>'));
  assert.ok(html.includes('const s = &quot;&lt;tag&gt;&quot;;'));
  assert.ok(html.includes('<pre class="output stream stdout">a &lt;b&gt;\nsecond line\n</pre>'));
  assert.ok(html.includes('<pre class="output stream stderr">careful</pre>'));
  assert.ok(html.includes('<pre class="output error">Error: boom\n    at cell:1:1</pre>'));
  assert.ok(!html.includes('\x1b'));
});

test('rich outputs: SVG as an image, HTML sanitised, plain text escaped', () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="3"/></svg>';
  const html = notebookToHtml(codeCell([
    { output_type: 'display_data', data: { 'image/svg+xml': svg, 'text/plain': 'a "circle"' } },
    { output_type: 'display_data', data: { 'text/html': '<div class="backprop-tensor"><table><tr><td onclick="x()">1</td></tr></table></div><script>x()</script>', 'text/plain': 'tensor' } },
    { output_type: 'execute_result', execution_count: 3, data: { 'text/plain': '<not html>' } },
  ]));
  const img = /<img alt="a &quot;circle&quot;" src="data:image\/svg\+xml;base64,([^"]+)">/.exec(html);
  assert.ok(img, 'the SVG is an <img> (it cannot run script there)');
  assert.equal(Buffer.from(img[1], 'base64').toString('utf8'), svg);
  assert.ok(html.includes('<div class="output html"><div class="backprop-tensor"><table><tr><td>1</td></tr></table></div>&lt;script&gt;x()&lt;/script&gt;</div>'));
  assert.ok(html.includes('<pre class="output text">&lt;not html&gt;</pre>'));
});

test('graph outputs: a placeholder with the text fallback, the snapshot as data that cannot close its script', () => {
  const x = scalar(0.5, { requiresGrad: true, name: 'x</script><script>alert(1)</script>' });
  const y = x.mul(x).tanh();
  y.backward();
  const snapshot = JSON.parse(JSON.stringify(traceGraph(y)));
  const page = notebookToHtml(codeCell([{ output_type: 'display_data', data: { [GRAPH_MIME]: snapshot, 'text/plain': 'graph <text>' } }]),
    { rendererSource: 'export const activate = () => ({ renderOutputItem() {} }); // </script><script>alert(2)</script>' });
  assert.ok(page.includes('<div class="output graph" data-bp-output="0"><pre class="fallback">graph &lt;text&gt;</pre></div>'));
  assert.ok(!page.includes('<script>alert'), 'nothing from the notebook or the bundle closes a script element');
  assert.deepEqual(scriptData(page, 'bp-outputs'), [{ mime: GRAPH_MIME, data: snapshot }]);
  assert.match(String(scriptData(page, 'bp-renderer')), /^export const activate/);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(page)?.[1] ?? '';
  const loader = /<script type="module">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
  const hash = createHash('sha256').update(loader, 'utf8').digest('base64');
  assert.match(csp, new RegExp(`script-src 'sha256-${hash.replace(/[+/]/g, '\\$&')}' blob:;`), 'only the page\'s own loader runs inline');
  assert.doesNotMatch(csp, /script-src[^;]*unsafe/, 'no inline script by permission');
  assert.match(csp, /img-src data:;/, 'pictures only from the page itself');
  assert.doesNotMatch(csp, /https?:/, 'nothing from the network');
});

test('image outputs: base64 data is shown, anything else is refused with a note and cannot leave the attribute', () => {
  const png = Buffer.from('\x89PNG fake').toString('base64');
  const page = notebookToHtml(codeCell([
    { output_type: 'display_data', data: { 'image/png': [png.slice(0, 4), `${png.slice(4)}\n`], 'text/plain': 'a "picture"' } },
    { output_type: 'display_data', data: { 'image/png': '"><script>alert(1)</script>', 'text/plain': 'x' } },
    { output_type: 'display_data', data: { 'image/jpeg': 'AAAA" onerror="alert(1)' } },
    { output_type: 'display_data', data: { 'image/gif': { not: 'text' } } },
  ]));
  assert.ok(page.includes(`<img alt="a &quot;picture&quot;" src="data:image/png;base64,${png}">`));
  assert.equal(page.match(/<img /g)?.length, 1);
  assert.ok(!page.includes('<script>alert') && !page.includes('onerror="'));
  for (const mime of ['image/png', 'image/jpeg', 'image/gif']) assert.ok(page.includes(`${mime} output that is not base64 data, not shown`), mime);
});

test('markdown: pictures embedded as data are shown, pictures by address become links (the page fetches nothing)', () => {
  const gif = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
  const html = renderMarkdown(`![dot](${gif}) ![pixel](https://example.com/p.png) ![bad](javascript:alert(1)) ![svg](data:image/svg+xml;base64,PHN2Zz4=)`);
  assert.ok(html.includes(`<img src="${gif}" alt="dot">`));
  assert.ok(html.includes('<a class="image-link" href="https://example.com/p.png" rel="noopener noreferrer">image: pixel</a>'));
  assert.equal(html.match(/<img /g)?.length, 1);
  assert.ok(!/javascript:|data:image\/svg/.test(html));
});

test('markdown nested past the bound, or too long, is shown escaped as text with a note; other cells render', () => {
  assert.equal(nestingDepth('> > - x'), 3);
  assert.equal(nestingDepth('- a\n  - b\n    1. c'), 3);
  assert.equal(nestingDepth('```\n' + ' '.repeat(400) + 'code\n```\ntext'), 0, 'fenced code does not count');
  const quotes = renderMarkdown(`${'>'.repeat(3000)} <b>x</b>`);
  assert.match(quotes, new RegExp(`^<p class="md-note">markdown nested 3000 levels deep \\(more than ${MAX_NESTING}\\), shown as text</p><pre class="md-source">&gt;&gt;&gt;`));
  assert.ok(quotes.includes('&lt;b&gt;x&lt;/b&gt;</pre>'));
  const list = Array.from({ length: MAX_NESTING + 5 }, (_, i) => `${'  '.repeat(i)}- item`).join('\n');
  assert.match(renderMarkdown(list), /<p class="md-note">markdown nested \d+ levels deep/);
  const shallow = Array.from({ length: 6 }, (_, i) => `${'  '.repeat(i)}- item`).join('\n');
  assert.equal(renderMarkdown(shallow).match(/<ul>/g)?.length, 6, 'ordinary nesting is rendered');
  assert.match(renderMarkdown('x'.repeat(MAX_CHARS + 1)), /^<p class="md-note">markdown longer than/);
  const page = notebookToHtml({ cells: [{ cell_type: 'markdown', source: '>'.repeat(3000) }, { cell_type: 'markdown', source: '# Fine' }] });
  assert.ok(page.includes('<h1>Fine</h1>'));
});

test('a markdown failure stays in its cell, shown as text with the reason', () => {
  const failing = new Marked({ async: false });
  failing.use({ renderer: { heading: () => { throw new Error('boom <now>'); } } });
  assert.equal(renderMarkdownSafely(failing, '# <T>'),
    '<p class="md-note">this markdown could not be rendered (boom &lt;now&gt;), shown as text</p><pre class="md-source"># &lt;T&gt;</pre>');
});

test('without graph outputs the renderer bundle is left out; the title comes from the first heading', () => {
  const page = notebookToHtml({ cells: [{ cell_type: 'markdown', source: '## A *small* notebook' }] }, { rendererSource: 'big bundle' });
  assert.ok(!page.includes('id="bp-renderer"'));
  assert.ok(page.includes('<title>A small notebook</title>'));
});

test('sanitizeHtml keeps tables and classes, drops attributes, escapes unknown tags, balances tags', () => {
  assert.equal(sanitizeHtml('<table class="t" style="x"><tr><th>a</th><td title=x>1</td></tr></table>'),
    '<table class="t"><tr><th>a</th><td>1</td></tr></table>');
  assert.equal(sanitizeHtml('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert(1)&gt;');
  assert.equal(sanitizeHtml('<b>bold<i>both</b> after</i>'), '<b>bold<i>both</i></b> after');
  assert.equal(sanitizeHtml('<div class="a&quot;b" onclick="x">t</div><br/><p/>'), '<div class="a&amp;quot;b">t</div><br><p></p>');
  assert.equal(sanitizeHtml('1 < 2 && 3 > 2'), '1 &lt; 2 &amp;&amp; 3 &gt; 2');
  assert.equal(sanitizeHtml('<code>&#34;o&#34; &amp; &lt;b&gt; &nope</code>'), '<code>&#34;o&#34; &amp; &lt;b&gt; &amp;nope</code>', 'character references are kept, not escaped twice');
  assert.equal(sanitizeHtml('<a href="javascript:x">link</a>'), '&lt;a href="javascript:x"&gt;link&lt;/a&gt;');
});

test('a folded code cell (jupyter.source_hidden) keeps its code behind a <details>', () => {
  const page = notebookToHtml({ cells: [{ cell_type: 'code', source: 'draw()\nmore()', metadata: { jupyter: { source_hidden: true } }, outputs: [] }] });
  assert.ok(page.includes('<details class="folded"><summary>code (2 lines)</summary><pre class="source"><code class="language-typescript">draw()\nmore()</code></pre></details>'));
});
