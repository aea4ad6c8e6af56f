// The TypeScript server plugin that mutes VS Code's built-in TypeScript in the cells of notebooks on the Backprop
// kernel (extension/language/tsserverPlugin.ts), driven with a stand-in language service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as TS from 'typescript/lib/tsserverlibrary';
// the plugin is a CommonJS `export =` module, as tsserver loads it
// eslint-disable-next-line @typescript-eslint/no-require-imports
import init = require('../../extension/language/tsserverPlugin');

/** A language service whose every answer says which file it was asked about. */
function fakeService(): TS.LanguageService {
  const answer = (fileName: string) => ({ answeredFor: fileName });
  return {
    getCompletionsAtPosition: answer, getQuickInfoAtPosition: answer, getSignatureHelpItems: answer,
    getDefinitionAtPosition: answer, getDefinitionAndBoundSpan: answer, getTypeDefinitionAtPosition: answer,
    getSyntacticDiagnostics: (f: string) => [answer(f)], getSemanticDiagnostics: (f: string) => [answer(f)],
    getSuggestionDiagnostics: (f: string) => [answer(f)], getProgram: () => 'program',
  } as unknown as TS.LanguageService;
}

const cellOf = (notebookPath: string) => `^/vscode-notebook-cell/ts-nul-authority${notebookPath}#W0sZmlsZQ==`;

test('tsserver plugin: cells of notebooks on the kernel get nothing from the built-in; other files everything', () => {
  const folder = mkdtempSync(join(tmpdir(), 'backprop-plugin-'));
  try {
    const ours = join(folder, 'ours.ipynb'), theirs = join(folder, 'theirs.ipynb');
    writeFileSync(ours, JSON.stringify({ cells: [], metadata: { kernelspec: { name: 'backprop-ts' } } }));
    writeFileSync(theirs, JSON.stringify({ cells: [], metadata: { kernelspec: { name: 'python3' } } }));
    const plugin = init({ typescript: {} as typeof TS });
    const ls = plugin.create({ languageService: fakeService() } as TS.server.PluginCreateInfo);
    // before the extension has said anything: the notebook's kernelspec decides
    assert.equal(ls.getQuickInfoAtPosition(cellOf(ours), 0), undefined);
    assert.equal(ls.getCompletionsAtPosition(cellOf(ours), 0, undefined), undefined);
    assert.deepEqual(ls.getSyntacticDiagnostics(cellOf(ours)), []);
    assert.deepEqual(ls.getQuickInfoAtPosition(cellOf(theirs), 0), { answeredFor: cellOf(theirs) });
    assert.deepEqual(ls.getQuickInfoAtPosition('/src/a.ts', 0), { answeredFor: '/src/a.ts' });
    assert.equal(ls.getProgram(), 'program', 'other methods pass through');
    // the extension's word wins: another kernel picked for ours, ours picked for theirs
    plugin.onConfigurationChanged?.({ notebooks: [theirs] });
    assert.deepEqual(ls.getQuickInfoAtPosition(cellOf(ours), 0), { answeredFor: cellOf(ours) });
    assert.equal(ls.getSignatureHelpItems(cellOf(theirs), 0, undefined), undefined);
    assert.deepEqual(ls.getSemanticDiagnostics(cellOf(theirs)), []);
    assert.equal(ls.getDefinitionAndBoundSpan(cellOf(theirs), 0), undefined);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
