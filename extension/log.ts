// The "Backprop" output channel: kernel starts, exits and their own output. With BACKPROP_LOG_TO_CONSOLE=1 (set by
// the VS Code test runner) every line also goes to the extension host's console, where test output shows it.
import * as vscode from 'vscode';

export interface Log extends vscode.Disposable {
  info(line: string): void;
  error(line: string): void;
}

export function createLog(): Log {
  const channel = vscode.window.createOutputChannel('Backprop', { log: true });
  const mirror = process.env.BACKPROP_LOG_TO_CONSOLE === '1';
  return {
    info: (line) => { channel.info(line); if (mirror) console.log(`[Backprop] ${line}`); },
    error: (line) => { channel.error(line); if (mirror) console.log(`[Backprop error] ${line}`); },
    dispose: () => channel.dispose(),
  };
}
