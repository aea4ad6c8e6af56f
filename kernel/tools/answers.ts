/*
 * Answers the requests of the extension's tools (hover, variables view, gradient check, graph commands), each
 * with exactly one reply carrying the request's id. They run between cells, or while a cell awaits: nothing
 * here runs user code, except the forward of custom ops that a gradient check replays.
 */
import { computeGrads, Tensor, traceGraph } from '../engine';
import type { GraphSnapshot } from '../engine/trace';
import { gradOrigin, graphTensors, lastBackward, LastBackward } from '../outputs/backwardLog';
import { checkBackward, GradientCheckReport } from './gradientCheck';
import { exportGraph } from './graphExport';
import { graphBundle } from '../outputs/display';
import { inspectExpression, mdEscape, parsePath, resolvePath } from './inspect';
import { formatNumber } from '../engine/format';
import { listVariables, tensorNames } from './variables';
import {
  GRADIENT_CHECK_MIME, GradientCheckReply, GradientCheckRequest, GraphReply, GraphRequest, InspectReply,
  InspectRequest, VariablesReply, VariablesRequest,
} from '../client/protocol';

const DEFAULT_MAX_NODES = 300;

export function answerInspect(req: InspectRequest): InspectReply {
  return { type: 'inspectReply', requestId: req.requestId, ...inspectExpression(req.expression) };
}

export function answerVariables(req: VariablesRequest, names: Iterable<string>): VariablesReply {
  return { type: 'variablesReply', requestId: req.requestId, variables: listVariables(names) };
}

/** The tensor a path names, or why not. */
function tensorAt(expression: string): Tensor | string {
  const keys = parsePath(expression);
  if (!keys) return `'${expression}' is not a variable or property path`;
  const read = resolvePath(keys);
  if (!read.found) return `'${expression}' is not defined in the kernel`;
  if (read.blocked) return `'${expression}' is a ${read.blocked === 'getter' ? 'getter' : 'Proxy'}: the tools do not run it`;
  if (!(read.value instanceof Tensor)) return `'${expression}' is not a tensor`;
  return read.value;
}

/** A record to check the graph behind a tensor that is not the last backward()'s root: fresh gradients. */
function recordFor(root: Tensor): LastBackward {
  const { leaves } = graphTensors(root);
  const params = leaves.filter((l) => l.requiresGrad);
  const seed = new Float64Array(root.size).fill(1);
  const grads = computeGrads(root, params, new Tensor(root.dtype === 'float32' ? Float32Array.from(seed) : seed, root.shape));
  return {
    root, seed, step: 0, index: 0,
    leafValues: new Map(params.map((p) => [p, Float64Array.from(p.data)])),
    leafGrads: new Map(params.map((p, i) => [p, Float64Array.from(grads[i].data)])),
  };
}

/**
 * The verdicts of the last gradient check of the last backward()'s graph, by edge: a graph of that backward drawn
 * or exported later (Show Graph, Export Graph…) keeps its red edges. A newer backward() makes them stale.
 */
let lastVerdicts: { rec: LastBackward; ok: Map<string, boolean> } | undefined;

function markChecks(g: GraphSnapshot, ok: Map<string, boolean>): GraphSnapshot {
  for (const e of g.edges) {
    const verdict = ok.get(`${e.from}>${e.to}#${e.argIndex}`);
    if (verdict !== undefined) e.check = verdict ? 'pass' : 'fail';
  }
  return g;
}

/** The last backward()'s graph with each checked edge marked pass or fail. */
function markedGraph(rec: LastBackward, report: GradientCheckReport, maxNodes: number): GraphSnapshot {
  const ok = new Map(report.edges.map((e) => [`${e.from}>${e.to}#${e.argIndex}`, e.ok]));
  lastVerdicts = { rec, ok };
  return markChecks(traceGraph(rec.root, { maxNodes, step: rec.step || 1 }), ok);
}

/** Errors in exponent form: their order of magnitude is what matters. */
const sci = (x: number) => formatNumber(x, 3, true);
const num = (x: number) => formatNumber(x);

/** The report as markdown (the cell output) and plain text (Jupyter, GitHub, the CLI). */
export function reportText(report: GradientCheckReport, where: string): { markdown: string; plain: string } {
  // Text-presentation symbols (as on the graph's edges): emoji need a colour-emoji font that not every machine has.
  const verdict = report.ok ? '✓ passed' : '✗ failed';
  const tol = (x: number) => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential() : String(x));
  const head = `${where} · eps ${tol(report.eps)} · atol ${tol(report.atol)} · rtol ${tol(report.rtol)} · replayed in float64` +
    `${report.dtype !== 'float64' ? ` (graph recorded in ${report.dtype})` : ''} · ${report.nodes} ops, ${report.replays} replays`;
  const md = [`### Gradient check: ${verdict}`, '', head, ''];
  const plain = [`Gradient check: ${verdict}`, head, ''];
  if (report.params.length) {
    md.push('| parameter | shape | checked | max abs error | max rel error | worst element: analytic vs numeric | |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const p of report.params) {
      const worst = `[${p.worst.index.join(',')}]: ${num(p.worst.analytic)} vs ${num(p.worst.numeric)}`;
      md.push(`| ${mdEscape(p.name)} | [${p.shape.join(', ')}] | ${p.checked}/${p.size} | ${sci(p.maxAbsError)} | ${sci(p.maxRelError)} | ${worst} | ${p.ok ? '✓' : '✗'} |`);
      plain.push(`  ${p.ok ? 'pass' : 'FAIL'}  ${p.name} [${p.shape.join(',')}]  checked ${p.checked}/${p.size}  max abs ${sci(p.maxAbsError)}  max rel ${sci(p.maxRelError)}  worst ${worst}`);
    }
  } else {
    md.push('_No parameter (leaf that requires grad) got a gradient in this graph._');
    plain.push('  no parameter got a gradient in this graph');
  }
  const failing = report.edges.filter((e) => !e.ok && !e.atKink);
  const atKink = report.edges.filter((e) => !e.ok && e.atKink);
  const edgeText = (e: GradientCheckReport['edges'][number]) => `\`${e.op.replace(/`/g, "'")}\` (input ${e.argIndex}: max abs error ${sci(e.maxAbsError)}, at [${e.worst.index.join(',')}] ${num(e.worst.analytic)} vs ${num(e.worst.numeric)})`;
  const notes: string[] = [];
  if (failing.length) {
    notes.push(`✗ **wrong gradient rule${failing.length > 1 ? 's' : ''}**: ${failing.map(edgeText).join('; ')} — the red edges of the graph.`);
  }
  if (atKink.length) {
    notes.push(`⚠ **disagreement at a kink** (red edges too): ${atKink.map(edgeText).join('; ')} — expected there, see below.`);
  }
  if (!failing.length && !atKink.length && report.edges.length) {
    notes.push(`Every op's gradient rule agrees with finite differences (${report.edges.length} edges).`);
  }
  if (report.sampled) notes.push(`ℹ **sampled**: tensors with more than ${report.sampleSize} elements were checked at ${report.sampleSize} elements each (setting \`backprop.gradientCheck.sampleSize\`).`);
  if (report.randomness) notes.push(`⚠ **randomness**: ${report.randomness}; finite differences of a random function mean little.`);
  if (report.kinks.length) {
    const list = report.kinks.map((k) => `${k.op} (${k.count} element${k.count > 1 ? 's' : ''})`).join(', ');
    notes.push(`⚠ **kinks**: inputs within eps of a kink of ${list}; the gradient there is one of the one-sided slopes and finite differences straddle both, so errors there are expected.`);
  }
  for (const n of notes) { md.push('', n); plain.push(n.replace(/\*\*|`/g, '').replace(/^[✗ℹ⚠]\s*/u, '')); }
  return { markdown: md.join('\n'), plain: plain.join('\n') };
}

export function answerGradientCheck(req: GradientCheckRequest, names: Iterable<string>): GradientCheckReply {
  const reply: GradientCheckReply = { type: 'gradientCheckReply', requestId: req.requestId };
  try {
    let rec = lastBackward();
    let only: Tensor | undefined;
    let edges = true;
    if (req.expression) {
      const t = tensorAt(req.expression);
      if (typeof t === 'string') return { ...reply, error: t };
      if (t.isLeaf) {
        if (!rec || !rec.leafGrads.has(t)) {
          // its gradient came from an earlier backward(): replay that one's graph, if the notebook still holds its root
          const origin = gradOrigin(t);
          const root = origin?.root.deref();
          if (!origin || !root) {
            const when = origin?.cell ? ` of cell [${origin.cell.executionCount}]` : '';
            return { ...reply, error: origin
              ? `'${req.expression}' got its gradient from an earlier backward()${when}, whose graph is gone (nothing holds its loss): run that cell again, then check`
              : `'${req.expression}' has no gradient from a backward(): run a cell that calls backward() through it` };
          }
          rec = { ...recordFor(root), cell: origin.cell, step: origin.step };
          edges = false;
        }
        only = t;
      } else if (!rec || rec.root !== t) {
        rec = recordFor(t);
        edges = false;
      }
    }
    if (!rec) return { ...reply, error: 'no backward() has run in this kernel yet: run a cell that calls loss.backward() first' };
    const report = checkBackward(rec, { ...req.settings, names: tensorNames(names), only, edges });
    const where = rec.cell ? `backward() of cell [${rec.cell.executionCount}], step ${rec.step}` : req.expression ? `the graph behind ${req.expression}` : 'the last backward()';
    const { markdown, plain } = reportText(report, where);
    reply.data = { 'text/markdown': markdown, [GRADIENT_CHECK_MIME]: report, 'text/plain': plain };
    reply.passed = report.ok;
    // the report goes under the cell of the backward() it checked
    reply.executionCount = rec.cell?.executionCount;
    reply.cellId = rec.cell?.cellId;
    if (rec === lastBackward()) {
      const g = markedGraph(rec, report, req.maxNodes ?? DEFAULT_MAX_NODES);
      reply.graph = graphBundle(g, req.graphDisplay);
    }
    return reply;
  } catch (e) {
    return { ...reply, error: `the gradient check failed: ${(e as Error)?.message ?? String(e)}` };
  }
}

export function answerGraph(req: GraphRequest): GraphReply {
  const reply: GraphReply = { type: 'graphReply', requestId: req.requestId };
  try {
    const last = lastBackward();
    let root: Tensor | undefined = last?.root;
    if (req.expression) {
      const t = tensorAt(req.expression);
      if (typeof t === 'string') return { ...reply, error: t };
      root = t;
    }
    if (!root) return { ...reply, error: 'no backward() has run in this kernel yet: run a cell that calls loss.backward(), or pick a tensor' };
    const g = traceGraph(root, { maxNodes: req.maxNodes ?? DEFAULT_MAX_NODES, step: root === last?.root ? last.step || 1 : 1 });
    if (lastVerdicts && lastVerdicts.rec === last && root === last.root) markChecks(g, lastVerdicts.ok);
    reply.data = graphBundle(g, req.graphDisplay);
    if (req.format) reply.text = exportGraph(g, req.format, req.edgeLabel);
    if (root === last?.root && last.cell) reply.executionCount = last.cell.executionCount;
    return reply;
  } catch (e) {
    return { ...reply, error: `could not trace the graph: ${(e as Error)?.message ?? String(e)}` };
  }
}
