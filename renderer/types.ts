// The graph output contract (docs/graph-format.md) as the renderer reads it after validation: the wire types of
// kernel/engine/trace.ts (re-exported by kernel/client/protocol.ts), with every number that JSON carried as
// "NaN"/"Infinity"/"-Infinity" turned back into a plain JS number.
import type * as Wire from '../kernel/client/protocol';

/** A wire type with its JSON numbers parsed: the strings standing for non-finite numbers become `number`. */
type Parsed<T> = T extends Exclude<Wire.JsonNumber, number> ? number : T extends (infer U)[] ? Parsed<U>[] : T extends object ? { [K in keyof T]: Parsed<T[K]> } : T;

/** The mime type the kernel emits for each backward() call (kept here: the renderer takes only types from the kernel). */
export const GRAPH_MIME = 'application/vnd.backprop.graph+json';

export type TensorSummary = Parsed<Wire.TensorSummary>;
export type GraphNode = Parsed<Wire.GraphNode>;
export type GraphEdge = Parsed<Wire.GraphEdge>;
export type GraphSnapshot = Parsed<Wire.GraphSnapshot>;
export type { EdgeLabel, GraphDisplay } from '../kernel/client/protocol';
