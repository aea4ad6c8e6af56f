// The HTML escapers of the export, in one place: for text and attribute values, and for text that already holds
// character references.
/**
 * Escapes text for HTML element content and attribute values.
 * @example escapeHtml('<b title="x">') // '&lt;b title=&quot;x&quot;&gt;'
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));
}

/**
 * Escapes the text between tags of an HTML fragment, keeping its character references (`&#34;`, `&amp;`) as
 * they are.
 * @example escapeHtmlText('a < b &amp; c & d') // 'a &lt; b &amp; c &amp; d'
 */
export function escapeHtmlText(s: string): string {
  return s.replace(/&(?!(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});)/gi, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
