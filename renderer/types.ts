// The graph output contract (see /work/shared/RENDERER.md), as the renderer reads it after validation:
// numbers that were written as "NaN"/"Infinity"/"-Infinity" strings are plain JS numbers here.

/** The mime type the kernel emits for each backward() call. */
export const GRAPH_MIME = 'application/vnd.backprop.graph+json';

export interface TensorSummary {
  shape: number[];
  /** Every value, where size <= 16. */
  values?: number[];
  mean: number; std: number; min: number; max: number; norm: number;
  /** Counts of non-finite entries. */
  nan: number; inf: number;
}

export interface GraphNode {
  id: string;
  kind: 'leaf' | 'op';
  op?: string;
  name?: string;
  group?: string;
  shape: number[];
  requiresGrad: boolean;
  value: TensorSummary;
  grad?: TensorSummary;
}

export interface GraphEdge {
  from: string;
  to: string;
  argIndex: number;
  grad?: TensorSummary;
  /** Set by a gradient check (kernel/gradientCheck.ts): whether this edge's gradient rule agreed with finite differences. */
  check?: 'pass' | 'fail';
}

export interface GraphSnapshot {
  version: 1;
  id: string;
  step: number;
  root: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  truncated?: { totalNodes: number; shownNodes: number };
}
