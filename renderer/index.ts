// Notebook renderer `backprop-graph` for `application/vnd.backprop.graph+json` (see docs/graph-format.md):
// the computation graph of a backward() call with the gradient on every edge, drawn with mermaid in VS Code's
// output webview. Wiring only: the view model, drawing and interaction live in their own files.
//
// Messages (ctx.postMessage, when the host enables messaging; types in messages.ts):
//   renderer → extension  { type: 'rendered', id, snapshotId, step, nodes, edges, edgeLabels, nodeTitles,
//                           hiddenNodes, collapsedGroups, notes, display }   after every draw
//                         { type: 'renderError', id, message }     when the output cannot be drawn
//   extension → renderer  { type: 'options', maxNodes?, edgeLabel?, vanishing?, exploding? }   settings changed
//                           since the outputs were made: they override each output's `display`; redraws them
import type { ActivationFunction, OutputItem } from 'vscode-notebook-renderer';
import type { OptionsMessage, RendererMessage } from './messages';
import { newOutputState, renderOutput, showError, type OutputState } from './outputView';
import { SnapshotError } from './snapshot';
import { watchTheme } from './theme';
import { DEFAULT_OPTIONS } from './viewModel';

interface Live {
  state: OutputState;
  item: OutputItem;
  element: HTMLElement;
}

function readText(item: OutputItem): string {
  try {
    return item.text();
  } catch {
    return JSON.stringify(item.json());
  }
}

export const activate: ActivationFunction = (ctx) => {
  /** Settings from `options` messages, over each output's own. */
  let overrides: OptionsMessage | undefined;
  /** Per output id; an element re-rendered under a new id keeps its state too. */
  const live = new Map<string, Live>();
  const byElement = new WeakMap<HTMLElement, OutputState>();
  /** States of disposed outputs, briefly: VS Code may dispose an output and render the same id again on update. */
  const retired = new Map<string, OutputState>();
  const retire = (id: string, l: Live) => {
    l.state.zoomPan?.dispose();
    l.state.zoomPan = undefined;
    retired.delete(id);
    retired.set(id, l.state);
    if (retired.size > 50) retired.delete(retired.keys().next().value!);
  };
  const post = (m: RendererMessage) => ctx.postMessage?.(m);

  const render = async (l: Live, signal?: AbortSignal) => {
    try {
      await renderOutput({
        element: l.element, outputId: l.item.id, text: readText(l.item), options: DEFAULT_OPTIONS, overrides, state: l.state, post, signal,
        rerender: () => void render(l),
      });
    } catch (e) {
      const message = e instanceof SnapshotError ? e.message : `the graph could not be drawn: ${(e as Error)?.message ?? e}`;
      l.state.generation++;
      showError(l.element, message);
      post({ type: 'renderError', id: l.item.id, message });
    }
  };

  /** Redraws every output still on the page (an element VS Code dropped without disposing is forgotten). */
  const redrawAll = () => {
    for (const [id, l] of live) {
      if (l.element.isConnected) void render(l);
      else { retire(id, l); live.delete(id); }
    }
  };

  ctx.onDidReceiveMessage?.((m: OptionsMessage) => {
    if (m?.type !== 'options') return;
    // the fields a message leaves out keep what an earlier one said
    overrides = { ...overrides, ...m };
    redrawAll();
  });
  if (typeof document !== 'undefined' && document.body) watchTheme(redrawAll);

  return {
    renderOutputItem(item, element, signal) {
      const state = live.get(item.id)?.state ?? retired.get(item.id) ?? byElement.get(element) ?? newOutputState();
      retired.delete(item.id);
      byElement.set(element, state);
      const l: Live = { state, item, element };
      live.set(item.id, l);
      return render(l, signal);
    },
    disposeOutputItem(id) {
      for (const [key, l] of live) {
        if (id !== undefined && key !== id) continue;
        retire(key, l);
        live.delete(key);
      }
    },
  };
};
