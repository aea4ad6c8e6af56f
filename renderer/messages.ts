// Messages between the renderer and the extension (through ctx.postMessage / ctx.onDidReceiveMessage, when
// the host enables messaging: the manifest says "requiresMessaging": "optional").
import type { EdgeLabel, GraphDisplay } from './types';

/** Renderer → extension, after each successful draw. Tests in VS Code assert on it. */
export interface RenderedMessage {
  type: 'rendered';
  /** The output item's id (stable while a later backward() replaces the output). */
  id: string;
  snapshotId: string;
  step: number;
  /** Boxes drawn (tensors plus collapsed groups) and edges drawn. */
  nodes: number;
  edges: number;
  /** Each drawn edge's label, e.g. '∇ 0.7071', in the snapshot's edge order ('' for no gradient). */
  edgeLabels: string[];
  /** Each drawn box's first label line (name or op), in snapshot order. */
  nodeTitles: string[];
  /** Tensors of the snapshot not drawn (neither a box nor inside a collapsed group). */
  hiddenNodes: number;
  collapsedGroups: string[];
  notes: string[];
  /** The settings it was drawn with (the output's `display`, or a later `options` message, over the defaults). */
  display: Required<GraphDisplay>;
}

/** Renderer → extension, when the output could not be drawn (the message is also shown in the output). */
export interface RenderErrorMessage {
  type: 'renderError';
  id: string;
  message: string;
}

export type RendererMessage = RenderedMessage | RenderErrorMessage;

/**
 * Extension → renderer: settings (`backprop.graph.*`) that changed after outputs were made; they override each
 * output's own `display`, and outputs already shown are redrawn.
 */
export interface OptionsMessage {
  type: 'options';
  maxNodes?: number;
  edgeLabel?: EdgeLabel;
  vanishing?: number;
  exploding?: number;
}
