// Markdown of an exported notebook (markdown cells, text/markdown outputs) as HTML: marked, with $…$ and $$…$$
// maths as MathML from KaTeX (no fonts or stylesheets needed), raw HTML shown as text, and only links a reader
// can follow without running anything. marked recurses once per level of nesting, so a few KB of nested quotes
// overflow its stack and a few MB of nested lists exhaust memory: text nested deeper than MAX_NESTING, or longer
// than MAX_CHARS, is shown as it is, escaped, and any other failure of one cell is shown in that cell.
import katex from 'katex';
import { Marked, type Tokens } from 'marked';
import { escapeHtml } from './escapeHtml';

/** Deepest nesting of block quotes and lists rendered as markdown (real notebooks stay under ten). */
export const MAX_NESTING = 40;
/** Longest markdown text rendered as markdown. */
export const MAX_CHARS = 1_000_000;

/** Only links a reader can follow without running anything. */
function safeUrl(href: string): string | null {
  const h = href.trim();
  return /^(https?:|mailto:|#|\.{0,2}\/|[\w.-]+(\/|$|#|\?))/i.test(h) && !/^\s*(javascript|data|vbscript):/i.test(h) ? h : null;
}

/** A picture embedded in the markdown itself: the only kind the page may show (it loads nothing). */
const DATA_IMAGE = /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]*={0,2}$/;

function tex(source: string, displayMode: boolean): string {
  return katex.renderToString(source, { displayMode, output: 'mathml', throwOnError: false, strict: 'ignore' });
}

/** A marked instance for notebook markdown: raw HTML shown as text, unsafe links dropped, $…$ and $$…$$ as maths. */
export function markdownParser(): Marked {
  const marked = new Marked({ gfm: true, async: false });
  marked.use({
    extensions: [
      {
        name: 'blockMath', level: 'block',
        start: (src: string) => src.match(/^ {0,3}\$\$/m)?.index,
        tokenizer(src: string) {
          const m = /^ {0,3}\$\$([\s\S]+?)\$\$[^\n]*(?:\n|$)/.exec(src);
          return m ? { type: 'blockMath', raw: m[0], text: m[1].trim() } : undefined;
        },
        renderer: (t: Tokens.Generic) => `<div class="math">${tex(t.text as string, true)}</div>\n`,
      },
      {
        name: 'inlineMath', level: 'inline',
        start: (src: string) => src.indexOf('$') >= 0 ? src.indexOf('$') : undefined,
        tokenizer(src: string) {
          const m = /^\$\$([^$]+?)\$\$/.exec(src) ?? /^\$(?!\s)((?:\\\$|[^$\n])+?)(?<!\s)\$(?!\d)/.exec(src);
          return m ? { type: 'inlineMath', raw: m[0], text: m[1], display: m[0].startsWith('$$') } : undefined;
        },
        renderer: (t: Tokens.Generic) => tex(t.text as string, !!t.display),
      },
    ],
    renderer: {
      html: (t: Tokens.HTML | Tokens.Tag) => escapeHtml(t.text),
      link(t: Tokens.Link) {
        const href = safeUrl(t.href);
        const text = this.parser.parseInline(t.tokens);
        return href ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer">${text}</a>` : text;
      },
      image(t: Tokens.Image) {
        const src = t.href.trim();
        if (DATA_IMAGE.test(src)) return `<img src="${escapeHtml(src)}" alt="${escapeHtml(t.text)}">`;
        // The page loads nothing from elsewhere (no tracking pixels): a picture by address becomes a link to it.
        const href = safeUrl(src);
        const label = escapeHtml(`image: ${t.text || src}`);
        return href ? `<a class="image-link" href="${escapeHtml(href)}" rel="noopener noreferrer">${label}</a>` : escapeHtml(t.text);
      },
    },
  });
  return marked;
}

/**
 * How deeply the text nests block quotes and lists: per line, the `>` and list markers that open it plus the
 * indentation before them in steps of two columns; lines of fenced code do not count.
 * @example nestingDepth('> > - x') // 3
 */
export function nestingDepth(text: string): number {
  let deepest = 0;
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const opened = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== null) {
      if (opened && opened[0] === fence[0] && opened.length >= fence.length) fence = null;
      continue;
    }
    if (opened) { fence = opened; continue; }
    let depth = 0, columns = 0, i = 0;
    for (;;) {
      const c = line[i];
      if (c === ' ' || c === '\t') { if (depth === 0) columns += c === ' ' ? 1 : 4; i++; continue; }
      const marker = /^(?:>|[-*+](?=\s|$)|\d{1,9}[.)](?=\s|$))/.exec(line.slice(i, i + 11));
      if (!marker) break;
      depth++;
      i += marker[0].length;
    }
    deepest = Math.max(deepest, depth + Math.floor(columns / 2));
  }
  return deepest;
}

const preformatted = (text: string, note: string): string =>
  `<p class="md-note">${escapeHtml(note)}</p><pre class="md-source">${escapeHtml(text)}</pre>`;

/**
 * One markdown text as HTML, never throwing: past the bounds, or if marked fails, the text is shown escaped
 * with a note that says why.
 * @example renderMarkdownSafely(markdownParser(), '# Title')
 */
export function renderMarkdownSafely(md: Marked, text: string): string {
  if (text.length > MAX_CHARS) return preformatted(text, `markdown longer than ${MAX_CHARS} characters, shown as text`);
  const depth = nestingDepth(text);
  if (depth > MAX_NESTING) return preformatted(text, `markdown nested ${depth} levels deep (more than ${MAX_NESTING}), shown as text`);
  try {
    return md.parse(text) as string;
  } catch (e) {
    const message = ((e as Error)?.message ?? String(e)).split('\n')[0];
    return preformatted(text, `this markdown could not be rendered (${message}), shown as text`);
  }
}

/** Markdown to HTML the way the exported page shows it. @example renderMarkdown('The slope is $\\partial L/\\partial w$.') */
export function renderMarkdown(text: string): string {
  return renderMarkdownSafely(markdownParser(), text);
}
