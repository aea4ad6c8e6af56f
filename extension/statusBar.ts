// A status bar item telling whether the active notebook's Backprop kernel is busy or idle.
import * as vscode from 'vscode';
import type { KernelSessions } from './kernelSessions';

export function kernelStatusBar(sessions: KernelSessions): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('backprop.kernelStatus', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Backprop Kernel';
  const update = (): void => {
    const notebook = vscode.window.activeNotebookEditor?.notebook;
    const session = notebook && sessions.find(notebook);
    if (!session || (!session.kernel?.alive && session.state === 'idle')) { item.hide(); return; }
    const busy = session.state === 'busy';
    item.text = busy ? '$(loading~spin) Backprop: busy' : '$(circle-large-outline) Backprop: idle';
    item.tooltip = `Backprop kernel${session.kernel?.pid ? ` (pid ${session.kernel.pid})` : ''}: ${busy ? 'running cells' : 'idle'}`;
    item.show();
  };
  return vscode.Disposable.from(
    item,
    sessions.onDidChange(update),
    vscode.window.onDidChangeActiveNotebookEditor(update),
  );
}
