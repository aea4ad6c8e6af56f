import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

suite('smoke', () => {
  test('runs in a Node extension host of VS Code 1.100', () => {
    assert.match(vscode.version, /^1\.100\./);
  });
});
