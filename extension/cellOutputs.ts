// Turns the kernel's output messages for one cell run into the cell's NotebookCellOutputs, in order: streams
// grow the current stream output, `updateOutput` replaces a displayed output's items in place (the graph of a
// later backward()), errors become VS Code's error item with the cell-mapped stack.
import * as vscode from 'vscode';
import type { CellOutputMessage, ErrorMessage, MimeBundle } from '../kernel/client/protocol';

/** Output metadata the built-in ipynb serializer reads to write the right nbformat output_type on save. */
type OutputType = 'stream' | 'display_data' | 'execute_result' | 'error';

/** Rich items first and `text/plain` last: VS Code shows the first item it has a renderer for. */
export function outputItems(data: MimeBundle): vscode.NotebookCellOutputItem[] {
  const mimes = Object.keys(data).sort((a, b) => Number(a === 'text/plain') - Number(b === 'text/plain'));
  return mimes.map((mime) => {
    const value = data[mime];
    const isJson = mime === 'application/json' || mime.endsWith('+json');
    return typeof value === 'string' && !isJson
      ? vscode.NotebookCellOutputItem.text(value, mime)
      : vscode.NotebookCellOutputItem.json(value, mime);
  });
}

export function errorItem(m: ErrorMessage): vscode.NotebookCellOutputItem {
  return vscode.NotebookCellOutputItem.error({ name: m.ename, message: m.evalue, stack: m.traceback.join('\n') });
}

export class CellOutputs {
  /** Every output operation is a Thenable; chaining keeps them in the kernel's order. */
  private chain: Promise<unknown> = Promise.resolve();
  private lastStream: { name: 'stdout' | 'stderr'; output: vscode.NotebookCellOutput } | undefined;
  private readonly displayed = new Map<string, vscode.NotebookCellOutput>();

  constructor(private readonly execution: vscode.NotebookCellExecution) {}

  add(m: CellOutputMessage): void {
    switch (m.type) {
      case 'stream': {
        const item = m.name === 'stdout' ? vscode.NotebookCellOutputItem.stdout(m.text) : vscode.NotebookCellOutputItem.stderr(m.text);
        const last = this.lastStream;
        if (last && last.name === m.name) this.queue(() => this.execution.appendOutputItems(item, last.output));
        else {
          const output = this.output([item], 'stream');
          this.lastStream = { name: m.name, output };
          this.queue(() => this.execution.appendOutput(output));
        }
        return;
      }
      case 'display': {
        const output = this.output(outputItems(m.data), 'display_data');
        this.displayed.set(m.outputId, output);
        this.append(output);
        return;
      }
      case 'updateOutput': {
        const output = this.displayed.get(m.outputId);
        if (output) this.queue(() => this.execution.replaceOutputItems(outputItems(m.data), output));
        else {
          // an output shown by an earlier run of this cell is gone (outputs are cleared per run): show it anew
          const fresh = this.output(outputItems(m.data), 'display_data');
          this.displayed.set(m.outputId, fresh);
          this.append(fresh);
        }
        return;
      }
      case 'executeResult':
        this.append(this.output(outputItems(m.data), 'execute_result', { executionCount: m.executionCount }));
        return;
      case 'error':
        this.append(this.output([errorItem(m)], 'error'));
        return;
    }
  }

  /** Shows a message of the extension's own (e.g. the kernel died) as an error output. */
  addError(name: string, message: string): void {
    this.append(this.output([vscode.NotebookCellOutputItem.error({ name, message, stack: `${name}: ${message}` })], 'error'));
  }

  /** Resolves when every output operation so far has been applied. */
  flush(): Promise<unknown> {
    return this.chain;
  }

  private output(items: vscode.NotebookCellOutputItem[], outputType: OutputType, extra: object = {}): vscode.NotebookCellOutput {
    return new vscode.NotebookCellOutput(items, { outputType, ...extra });
  }

  private append(output: vscode.NotebookCellOutput): void {
    this.lastStream = undefined;
    this.queue(() => this.execution.appendOutput(output));
  }

  private queue(op: () => Thenable<void>): void {
    // an operation fails only once the execution has ended (cancelled); the ones after it still get their turn
    this.chain = this.chain.then(op).then(undefined, () => undefined);
  }
}
