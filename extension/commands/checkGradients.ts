// "Check Gradients" and "Check Gradient of Variable…": the kernel replays the last backward() with nudged leaves
// (kernel/tools/gradientCheck.ts); the report becomes an output of the cell that ran that backward() (replacing the
// report of an earlier check), and the cell's graph is redrawn with the failing edges red.
import * as vscode from 'vscode';
import { outputItems } from '../cellOutputs';
import { gradientCheckSettings, graphSettings } from '../settings';
import { GRADIENT_CHECK_MIME, GRAPH_MIME, type GradientCheckReply } from '../../kernel/client/protocol';
import {
  afterQueuedCells, cellLabel, cellOfRun, editOutputs, lastRunCell, liveKernel, pickTensor, revealCell, targetNotebook,
  type ToolContext,
} from './common';

/** Marks our report outputs, so a new check replaces the old report. */
const REPORT_KEY = 'backpropGradientCheck';

/** What the commands resolve to (the tests read it). */
export interface GradientCheckResult {
  passed?: boolean;
  error?: string;
  /** The cell the report was written to. */
  cellIndex?: number;
  /** True when the user stopped the check (the progress notification's Cancel). */
  cancelled?: boolean;
  report?: unknown;
  /** The message shown to the user. */
  message?: string;
}

function hasMime(output: vscode.NotebookCellOutput, mime: string): boolean {
  return output.items.some((i) => i.mime === mime);
}

async function showReport(ctx: ToolContext, notebook: vscode.NotebookDocument, reply: GradientCheckReply): Promise<vscode.NotebookCell | undefined> {
  const cell = cellOfRun(notebook, reply.executionCount) ?? lastRunCell(notebook);
  if (!cell || !reply.data) return undefined;
  const items = outputItems(reply.data);
  const old = cell.outputs.find((o) => o.metadata?.[REPORT_KEY]);
  // the graph of the checked backward() is the last graph output of its cell
  const graph = reply.graph && cellOfRun(notebook, reply.executionCount) === cell
    ? [...cell.outputs].reverse().find((o) => hasMime(o, GRAPH_MIME)) : undefined;
  await editOutputs(ctx, cell, async (e) => {
    if (old) await e.replaceOutputItems(items, old);
    else await e.appendOutput(new vscode.NotebookCellOutput(items, { outputType: 'display_data', [REPORT_KEY]: true }));
    if (graph && reply.graph) await e.replaceOutputItems(outputItems(reply.graph), graph);
  });
  revealCell(cell);
  return cell;
}

async function check(ctx: ToolContext, arg: unknown, expression: string | undefined): Promise<GradientCheckResult> {
  const notebook = targetNotebook(arg);
  const live = liveKernel(ctx, notebook);
  if (typeof live === 'string') { void vscode.window.showWarningMessage(`Backprop: ${live}`); return { error: live }; }
  const { kernel } = live;
  const title = 'Backprop: checking gradients…';
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_, token) =>
    afterQueuedCells(kernel, async () => {
      if (token.isCancellationRequested) return { cancelled: true, error: 'the gradient check was stopped before it started' };
      const stop = new AbortController();
      const cancelled = token.onCancellationRequested(() => stop.abort());
      const reply = await kernel.request('gradientCheck', {
        expression, settings: gradientCheckSettings(notebook!.uri), graphDisplay: graphSettings(notebook!.uri),
      }, { signal: stop.signal }).finally(() => { cancelled.dispose(); });
      if (reply.cancelled) { void vscode.window.showInformationMessage('Backprop: gradient check stopped.'); return { error: reply.error, cancelled: true }; }
      if (reply.error) { void vscode.window.showWarningMessage(`Backprop: ${reply.error}`); return { error: reply.error }; }
      const cell = await showReport(ctx, notebook!, reply);
      const report = reply.data?.[GRADIENT_CHECK_MIME] as { failingOps?: string[]; params?: unknown[] } | undefined;
      const where = cell ? ` (report under ${cellLabel(cell)})` : '';
      let message: string;
      if (reply.passed) {
        message = `Backprop: gradient check passed for ${report?.params?.length ?? 0} parameter(s)${where}.`;
        void vscode.window.showInformationMessage(message);
      } else {
        const ops = report?.failingOps?.length ? `: wrong gradient in ${report.failingOps.join(', ')}` : '';
        message = `Backprop: gradient check failed${ops}${where}.`;
        void vscode.window.showWarningMessage(message);
      }
      return { passed: reply.passed, cellIndex: cell?.index, report, message };
    }));
}

export function registerGradientCommands(ctx: ToolContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('backprop.checkGradients', (arg?: unknown) => check(ctx, arg, undefined)),
    // arguments: none (pick from a list), or { expression, notebook? } from tests and other commands
    vscode.commands.registerCommand('backprop.checkVariableGradient', async (arg?: { expression?: string; notebook?: vscode.Uri }) => {
      let expression = typeof arg === 'object' && arg && typeof arg.expression === 'string' ? arg.expression : undefined;
      if (!expression) {
        const live = liveKernel(ctx, targetNotebook(arg));
        if (typeof live === 'string') { void vscode.window.showWarningMessage(`Backprop: ${live}`); return { error: live }; }
        expression = await pickTensor(live.kernel, 'Check the gradient of…');
        if (!expression) return undefined;
      }
      return check(ctx, arg, expression);
    }),
  ];
}
