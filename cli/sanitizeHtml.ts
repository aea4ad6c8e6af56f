// An allow-list HTML sanitiser for the `text/html` outputs of an exported notebook (tensor tables and the like).
// It does not try to repair HTML: it re-emits only the tags it knows, with only a `class` attribute, and escapes
// every other character, so what comes out can hold no script, handler, style or URL.
import { escapeHtml, escapeHtmlText } from './escapeHtml';

const ALLOWED = new Set([
  'b', 'br', 'code', 'div', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'li', 'ol', 'p', 'pre', 'small',
  'span', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'u', 'ul',
]);
const VOID = new Set(['br', 'hr']);

/** One tag, strictly: `<name attr="value" ...>` or `</name>`; anything looser is treated as text. */
const TAG = /^<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/;
const CLASS = /(?:^|\s)class\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;

/**
 * Keeps the harmless structure of an HTML fragment (tables, text formatting, `class`) and escapes the rest.
 * @example sanitizeHtml('<table><tr><td onclick="x()">1</td></tr></table><script>x()</script>')
 *   // '<table><tr><td>1</td></tr></table>&lt;script&gt;x()&lt;/script&gt;'
 */
export function sanitizeHtml(html: string): string {
  const out: string[] = [];
  const open: string[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) { out.push(escapeHtmlText(html.slice(i))); break; }
    out.push(escapeHtmlText(html.slice(i, lt)));
    const m = TAG.exec(html.slice(lt));
    const name = m?.[2].toLowerCase();
    if (!m || !name || !ALLOWED.has(name)) {
      out.push('&lt;');
      i = lt + 1;
      continue;
    }
    i = lt + m[0].length;
    if (m[1]) {
      // a closing tag closes what is open up to its match; a stray one is dropped
      const at = open.lastIndexOf(name);
      if (at < 0) continue;
      while (open.length > at) out.push(`</${open.pop()}>`);
      continue;
    }
    const cls = CLASS.exec(m[3]);
    const classValue = cls ? (cls[1] ?? cls[2] ?? cls[3]) : '';
    out.push(classValue ? `<${name} class="${escapeHtml(classValue)}">` : `<${name}>`);
    if (VOID.has(name)) continue;
    if (m[4]) out.push(`</${name}>`);
    else open.push(name);
  }
  while (open.length) out.push(`</${open.pop()}>`);
  return out.join('');
}
