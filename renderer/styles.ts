// The renderer's CSS. Colours come from VS Code's theme variables (with fallbacks for a plain page), so the
// graph follows light, dark and high-contrast themes; the theme class on the root (set from the body's
// `vscode-*` classes, see theme.ts) only tunes contrast. Everything is scoped under `.bp-root`.
export const CSS = `
.bp-root {
  --bp-fg: var(--vscode-editor-foreground, #1f1f1f);
  --bp-muted: var(--vscode-descriptionForeground, #717171);
  --bp-surface: var(--vscode-editorWidget-background, var(--vscode-editor-background, #f8f8f8));
  --bp-bg: var(--vscode-editor-background, #ffffff);
  --bp-border: var(--vscode-editorWidget-border, var(--vscode-widget-border, #c8c8c8));
  --bp-accent: var(--vscode-focusBorder, #0078d4);
  --bp-btn-bg: var(--vscode-button-secondaryBackground, #e5e5e5);
  --bp-btn-fg: var(--vscode-button-secondaryForeground, #1f1f1f);
  --bp-btn-hover: var(--vscode-button-secondaryHoverBackground, #d5d5d5);
  --bp-error: var(--vscode-errorForeground, #c72e2e);
  --bp-mono: var(--vscode-editor-font-family, Menlo, Consolas, 'DejaVu Sans Mono', monospace);
  --bp-node-fill: 14%;
  --bp-stroke: 1.6px;
  color: var(--bp-fg);
  font-family: var(--vscode-font-family, system-ui, sans-serif);
  font-size: 13px;
  position: relative;
  max-width: 100%;
  min-width: 0;
}
.bp-root.bp-theme-dark { --bp-fg: var(--vscode-editor-foreground, #d4d4d4); --bp-muted: var(--vscode-descriptionForeground, #a0a0a0);
  --bp-surface: var(--vscode-editorWidget-background, #252526); --bp-bg: var(--vscode-editor-background, #1e1e1e);
  --bp-border: var(--vscode-editorWidget-border, #454545); --bp-btn-bg: var(--vscode-button-secondaryBackground, #3a3d41);
  --bp-btn-fg: var(--vscode-button-secondaryForeground, #ffffff); --bp-btn-hover: var(--vscode-button-secondaryHoverBackground, #45494e);
  --bp-node-fill: 22%; }
.bp-root.bp-theme-hc, .bp-root.bp-theme-hcLight { --bp-border: var(--vscode-contrastBorder, currentColor); --bp-node-fill: 0%; --bp-stroke: 2.4px; }
.bp-root.bp-theme-hc { --bp-fg: var(--vscode-editor-foreground, #ffffff); --bp-surface: var(--vscode-editor-background, #000000);
  --bp-bg: var(--vscode-editor-background, #000000); --bp-muted: var(--vscode-descriptionForeground, #ffffff); }

.bp-header { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; margin: 2px 0 6px; }
.bp-title { font-weight: 600; }
.bp-step { font-family: var(--bp-mono); font-size: 12px; padding: 1px 7px; border-radius: 9px; border: 1px solid var(--bp-border);
  background: var(--bp-surface); }
.bp-step.bp-flash { animation: bp-flash 0.9s ease-out; }
@keyframes bp-flash { from { background: color-mix(in srgb, var(--bp-accent) 45%, var(--bp-surface)); } }
.bp-summary { color: var(--bp-muted); }
.bp-toolbar { display: flex; flex-wrap: wrap; gap: 4px; margin-left: auto; }
.bp-btn { font: inherit; font-size: 12px; line-height: 18px; padding: 1px 8px; border-radius: 3px; cursor: pointer;
  color: var(--bp-btn-fg); background: var(--bp-btn-bg); border: 1px solid var(--vscode-button-border, transparent); }
.bp-btn:hover { background: var(--bp-btn-hover); }
.bp-btn:focus-visible { outline: 1px solid var(--bp-accent); outline-offset: 1px; }
.bp-notes { margin: 0 0 6px; padding: 0; list-style: none; }
.bp-notes li { color: var(--bp-muted); padding-left: 1.2em; text-indent: -1.2em; }
.bp-notes li::before { content: '› '; }
.bp-notes .bp-btn { text-indent: 0; margin-left: 6px; }
.bp-warn { color: var(--vscode-editorWarning-foreground, #bf8803); }

.bp-viewport { position: relative; overflow: hidden; border: 1px solid var(--bp-border); border-radius: 4px;
  background: var(--bp-bg); cursor: grab; touch-action: none; min-height: 80px; }
.bp-viewport.bp-panning { cursor: grabbing; }
.bp-viewport > svg { position: absolute; left: 0; top: 0; transform-origin: 0 0; max-width: none !important; overflow: visible; }
.bp-busy { padding: 18px; color: var(--bp-muted); }
.bp-hint { font-size: 11px; color: var(--bp-muted); text-align: right; margin-top: 2px; }

.bp-graph text { fill: var(--bp-fg); font-family: var(--bp-mono); font-size: 13px; }
.bp-graph .bp-line-title { font-weight: 700; }
.bp-graph .bp-line-shape, .bp-graph .bp-line-note { fill: var(--bp-muted); }
.bp-graph .bp-line-grad { font-weight: 700; }
.bp-graph .node .label-container, .bp-graph .node rect, .bp-graph .node path, .bp-graph .node polygon, .bp-graph .node circle {
  fill: color-mix(in srgb, var(--bp-c, var(--bp-muted)) var(--bp-node-fill), var(--bp-surface)) !important;
  stroke: var(--bp-c, var(--bp-muted)) !important; stroke-width: var(--bp-stroke) !important; }
.bp-graph .node { cursor: pointer; }
.bp-graph .bp-kind-parameter :is(rect, path, polygon) { stroke-width: calc(var(--bp-stroke) + 0.8px) !important; }
.bp-graph .bp-kind-loss :is(rect, path, polygon) { stroke-width: calc(var(--bp-stroke) + 1.6px) !important; }
.bp-graph .bp-kind-constant :is(rect, path, polygon) { stroke-dasharray: 3 3; }
.bp-graph .bp-kind-group :is(rect, path, polygon) { stroke-dasharray: 8 3; stroke-width: calc(var(--bp-stroke) + 0.8px) !important; }
.bp-graph .bp-flag-vanishing :is(rect, path, polygon) { stroke-dasharray: 2 3; }
.bp-graph .bp-flag-exploding :is(rect, path, polygon), .bp-graph .bp-flag-nonfinite :is(rect, path, polygon) { stroke-width: calc(var(--bp-stroke) + 1.6px) !important; }
.bp-graph .node:hover :is(rect, path, polygon), .bp-graph .bp-pinned :is(rect, path, polygon) { stroke: var(--bp-accent) !important; }
.bp-graph .bp-pinned :is(rect, path, polygon) { stroke-width: calc(var(--bp-stroke) + 1.6px) !important; }
.bp-graph .cluster rect { fill: color-mix(in srgb, var(--bp-muted) 6%, transparent) !important; stroke: var(--bp-border) !important;
  stroke-dasharray: 6 3; rx: 6px; }
.bp-graph .cluster-label { cursor: pointer; }
.bp-graph .cluster-label text { fill: var(--bp-muted); font-weight: 700; }
.bp-graph .cluster-label:hover text { fill: var(--bp-accent); }
.bp-graph .flowchart-link { fill: none; stroke: var(--bp-c, var(--bp-muted)); stroke-width: var(--bp-w, 1.5px); }
.bp-graph .bp-flag-none.flowchart-link { stroke-dasharray: 4 4; opacity: 0.7; }
.bp-graph .bp-flag-vanishing.flowchart-link { stroke-dasharray: 2 4; }
.bp-graph .bp-flag-nonfinite.flowchart-link { stroke-dasharray: 6 3; }
.bp-graph .bp-edge-hot.flowchart-link { stroke: var(--bp-accent); stroke-dasharray: 7 5; animation: bp-flow 0.6s linear infinite; }
@keyframes bp-flow { to { stroke-dashoffset: -12; } }
@media (prefers-reduced-motion: reduce) { .bp-graph .bp-edge-hot.flowchart-link { animation: none; } }
.bp-graph .bp-hit { fill: none; stroke: transparent; stroke-width: 14px; cursor: pointer; pointer-events: stroke; }
.bp-graph .edgeLabel { cursor: pointer; }
.bp-graph .edgeLabel .bp-label-bg { fill: var(--bp-bg); fill-opacity: 0.92; stroke: var(--bp-c, var(--bp-border)); stroke-width: 1px; rx: 4px; }
.bp-graph .edgeLabel.bp-pinned .bp-label-bg, .bp-graph .edgeLabel:hover .bp-label-bg { stroke: var(--bp-accent); stroke-width: 2px; }
.bp-graph .edgeLabel text { font-size: 12px; }
.bp-graph marker path { stroke: none !important; }

.bp-tip { position: absolute; z-index: 10; pointer-events: none; max-width: min(560px, 92%); }
.bp-cols { display: flex; flex-wrap: wrap; gap: 0 18px; }
.bp-card { background: var(--vscode-editorHoverWidget-background, var(--bp-surface)); color: var(--vscode-editorHoverWidget-foreground, var(--bp-fg));
  border: 1px solid var(--vscode-editorHoverWidget-border, var(--bp-border)); border-radius: 4px; padding: 6px 8px;
  box-shadow: 0 2px 8px var(--vscode-widget-shadow, rgba(0,0,0,.25)); font-size: 12px; }
.bp-card h4 { margin: 0 0 4px; font-size: 12px; font-family: var(--bp-mono); overflow-wrap: anywhere; }
.bp-card h5 { margin: 6px 0 2px; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--bp-muted); }
.bp-card .bp-sub { color: var(--bp-muted); overflow-wrap: anywhere; }
.bp-card table { border-collapse: collapse; font-family: var(--bp-mono); }
.bp-card td { padding: 0 10px 0 0; vertical-align: top; white-space: nowrap; }
.bp-card td:first-child { color: var(--bp-muted); }
.bp-card .bp-values td { padding: 0 8px 0 0; text-align: right; color: var(--bp-fg); }
.bp-card .bp-flag { font-weight: 700; }
.bp-pins { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
.bp-pins:empty { display: none; }
.bp-pins .bp-card { position: relative; padding-right: 22px; max-width: 100%; }
.bp-close { position: absolute; top: 2px; right: 4px; cursor: pointer; border: none; background: none; color: var(--bp-muted); font-size: 14px; }
.bp-close:hover { color: var(--bp-fg); }

.bp-legend { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 16px; margin-top: 8px; font-size: 12px; color: var(--bp-muted); }
.bp-scale { display: inline-flex; flex-direction: column; gap: 1px; padding: 0 14px; }
.bp-bar { width: 200px; height: 10px; border-radius: 2px; border: 1px solid var(--bp-border); }
.bp-ticks { position: relative; width: 200px; height: 14px; font-family: var(--bp-mono); font-size: 10px; }
.bp-ticks span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.bp-chip { display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; }
.bp-swatch { display: inline-block; width: 14px; height: 10px; border-radius: 2px; border: 2px solid var(--bp-c); 
  background: color-mix(in srgb, var(--bp-c) 20%, transparent); }

.bp-flow { margin-top: 10px; }
.bp-flow h3 { font-size: 12px; font-weight: 600; margin: 0 0 2px; }
.bp-flow svg { max-width: 100%; height: auto; display: block; overflow: visible; }
.bp-flow text { fill: var(--bp-muted); font-family: var(--bp-mono); font-size: 10px; }
.bp-flow .bp-axis { stroke: var(--bp-border); stroke-width: 1; }
.bp-flow .bp-gridline { stroke: var(--bp-border); stroke-width: 0.5; stroke-dasharray: 2 3; }
.bp-flow .bp-zone { opacity: 0.12; }
.bp-flow .bp-zone-low { fill: hsl(220 8% 55%); }
.bp-flow .bp-zone-high { fill: hsl(10 80% 50%); }
.bp-flow .bp-barrect { cursor: pointer; }
.bp-flow .bp-barrect:hover, .bp-flow .bp-barrect:focus-visible { stroke: var(--bp-accent); stroke-width: 2; }
.bp-graph [tabindex]:focus, .bp-flow .bp-barrect:focus { outline: none; }
.bp-graph [tabindex]:focus-visible { outline: 2px solid var(--bp-accent); outline-offset: 2px; }
.bp-flow .bp-dot { stroke: var(--bp-bg); stroke-width: 1; }
.bp-flow .bp-trend { fill: none; stroke: var(--bp-muted); stroke-width: 1; opacity: .6; }

.bp-error { border: 1px solid var(--bp-error); border-left-width: 4px; border-radius: 3px; padding: 6px 10px; }
.bp-error strong { color: var(--bp-error); }
.bp-error pre { margin: 4px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; font-family: var(--bp-mono); font-size: 12px; }
`;
