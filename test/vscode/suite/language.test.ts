// Type-aware cells in a notebook on the Backprop kernel, through VS Code's own provider commands (what the editor
// asks when the user types): completions of `w.`, signature help of `tensor(`, the typo's squiggle with its
// suggestion, names of earlier cells with their types, one hover with the type and the gradient (VS Code's
// built-in TypeScript muted: no `any` line), definitions, and a cell with a type error still runs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { runCells, stdout, waitFor, waitForEnd } from './helpers';
import { closeNotebooks, fileNotebook } from './toolsHelpers';

const at = (line: number, character: number) => new vscode.Position(line, character);

async function completionLabels(cell: vscode.NotebookCell, position: vscode.Position, trigger?: string): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', cell.document.uri, position, trigger);
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

async function hovers(cell: vscode.NotebookCell, position: vscode.Position): Promise<string[]> {
  const found = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', cell.document.uri, position);
  return found.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n'));
}

suite('Type-aware cells', () => {
  let nb: vscode.NotebookDocument;
  suiteSetup(async () => {
    nb = await fileNotebook(
      'const w = tensor([1, 2], { requiresGrad: true });\nw.square().sum().backward();',
      'w.',
      'const y = tensr([1]);',
      'const s: string = 1;\nconsole.log("ran anyway");',
      'const model = new nn.Linear(2, 1);\ntensor(',
    );
  });
  suiteTeardown(closeNotebooks);

  test('typing `w.` in a later cell offers the tensor methods, with their docs', async () => {
    const labels = await completionLabels(nb.cellAt(1), at(0, 2), '.');
    for (const name of ['backward', 'matmul', 'grad', 'sum']) assert.ok(labels.includes(name), `w. offers ${name}: ${labels.slice(0, 30).join(' ')}`);
    assert.equal(labels.filter((l) => l === 'backward').length, 1, 'offered once: the built-in TypeScript is muted');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', nb.cellAt(1).document.uri, at(0, 2), '.', 200);
    const matmul = list.items.find((i) => i.label === 'matmul');
    assert.match(matmul?.detail ?? '', /matmul\(/, 'the resolved item has its signature');
  });

  test('`tensor(` shows its signature', async () => {
    const help = await vscode.commands.executeCommand<vscode.SignatureHelp>('vscode.executeSignatureHelpProvider', nb.cellAt(4).document.uri, at(1, 7), '(');
    assert.ok(help?.signatures.length, 'a signature');
    assert.match(help.signatures[0].label, /^tensor\(data/);
  });

  test('a typo gets a squiggle with the suggestion, as a warning; a type error too', async () => {
    const found = await waitFor('the typo\'s diagnostic', () => {
      const d = vscode.languages.getDiagnostics(nb.cellAt(2).document.uri);
      return d.length ? d : undefined;
    });
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0].message, "Cannot find name 'tensr'. Did you mean 'tensor'?");
    assert.equal(found[0].severity, vscode.DiagnosticSeverity.Warning);
    assert.deepEqual([found[0].range.start.line, found[0].range.start.character, found[0].range.end.character], [0, 10, 15]);
    assert.deepEqual(vscode.languages.getDiagnostics(nb.cellAt(0).document.uri), [], 'a correct cell has none');
    assert.deepEqual(vscode.languages.getDiagnostics(nb.cellAt(1).document.uri).filter((d) => !/Identifier expected/.test(d.message)), []);
    const typeError = vscode.languages.getDiagnostics(nb.cellAt(3).document.uri);
    assert.match(typeError[0]?.message ?? '', /Type 'number' is not assignable to type 'string'/);
  });

  test('backprop.typeCheck.diagnostics makes them errors, or turns them off', async () => {
    const config = vscode.workspace.getConfiguration('backprop.typeCheck');
    const typo = nb.cellAt(2).document.uri;
    try {
      await config.update('diagnostics', 'error', vscode.ConfigurationTarget.Global);
      await waitFor('errors', () => vscode.languages.getDiagnostics(typo)[0]?.severity === vscode.DiagnosticSeverity.Error);
      await config.update('diagnostics', 'off', vscode.ConfigurationTarget.Global);
      await waitFor('no squiggles', () => vscode.languages.getDiagnostics(typo).length === 0);
    } finally {
      await config.update('diagnostics', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor('warnings again', () => vscode.languages.getDiagnostics(typo)[0]?.severity === vscode.DiagnosticSeverity.Warning);
  });

  test('a name from an earlier cell is known and typed; the hover is one, with the type and the gradient', async () => {
    await runCells(nb, 0);
    await waitForEnd(nb.cellAt(0));
    const texts = await hovers(nb.cellAt(1), at(0, 0));
    assert.equal(texts.length, 1, `one hover (VS Code's built-in muted by node_modules/backprop-notebook-tsserver-plugin, which the build writes), got ${JSON.stringify(texts)}`);
    assert.match(texts[0], /const w: Tensor/);
    assert.match(texts[0], /\*\*grad\*\*/, 'the kernel\'s gradient is in the same hover');
    assert.doesNotMatch(texts[0], /: any\b/);
  });

  test('go to definition: an earlier cell\'s name opens that cell; an engine name its declaration', async () => {
    const inCell = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', nb.cellAt(1).document.uri, at(0, 0));
    assert.ok(inCell.some((l) => l.uri.toString() === nb.cellAt(0).document.uri.toString() && l.range.start.character === 6), JSON.stringify(inCell));
    const engine = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', nb.cellAt(4).document.uri, at(1, 2));
    const uris = engine.map((l) => ('uri' in l ? l.uri : l.targetUri).path);
    assert.ok(uris.some((p) => p.endsWith('.d.ts') && !p.endsWith('cells.d.ts')), uris.join(', '));
  });

  test('the cell with a type error still runs', async () => {
    await runCells(nb, 3);
    const summary = await waitForEnd(nb.cellAt(3));
    assert.equal(summary.success, true);
    assert.match(stdout(nb.cellAt(3)), /ran anyway/);
  });
});
