// Which VS Code theme is active, read from the body classes the webview sets, and kept up to date when the
// user switches themes while the notebook is open.
export type ThemeKind = 'light' | 'dark' | 'hc' | 'hcLight';

/**
 * The theme of the page, from `vscode-light` / `vscode-dark` / `vscode-high-contrast(-light)` on the body.
 * @example currentTheme() === 'dark'
 */
export function currentTheme(doc: Document = document): ThemeKind {
  const c = doc.body?.classList;
  if (!c) return 'light';
  if (c.contains('vscode-high-contrast-light')) return 'hcLight';
  if (c.contains('vscode-high-contrast')) return 'hc';
  if (c.contains('vscode-dark')) return 'dark';
  return 'light';
}

/** Calls `onChange` whenever the body's theme classes change. Returns a function that stops watching. */
export function watchTheme(onChange: (t: ThemeKind) => void, doc: Document = document): () => void {
  let last = currentTheme(doc);
  const obs = new MutationObserver(() => {
    const t = currentTheme(doc);
    if (t !== last) { last = t; onChange(t); }
  });
  obs.observe(doc.body, { attributes: true, attributeFilter: ['class'] });
  return () => obs.disconnect();
}

/** The monospace font the labels use: the editor's, so the graph looks like the code next to it. */
export function labelFont(doc: Document = document): string {
  const editor = getComputedStyle(doc.body).getPropertyValue('--vscode-editor-font-family').trim();
  return editor || "Menlo, Consolas, 'DejaVu Sans Mono', monospace";
}
