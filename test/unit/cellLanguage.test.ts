// Type-aware cells: the cells as TypeScript modules (kernel/language/virtualNotebook.ts) and the language
// service over them (cellLanguageService.ts), against the engine's declarations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { CellLanguageService } from '../../kernel/language/cellLanguageService';
import { languageFiles } from '../../kernel/language/languageFiles';
import { offsetOf, positionOf, VirtualNotebook, type CellInput } from '../../kernel/language/virtualNotebook';

const root = resolve(__dirname, '../..');

/** The engine's declarations, written by the build. */
function declarations(): string {
  const dist = join(root, 'dist');
  for (const f of ['cells.d.ts', 'engine.d.ts']) {
    if (!existsSync(join(dist, f))) throw new Error(`dist/${f} is missing: build first with \`node scripts/build.mjs\``);
  }
  return dist;
}

const ts_ = (text: string, key: string): CellInput => ({ key, text, language: 'typescript' });

/** A language service over these cells (keys c0, c1, …) of a notebook in `folder`. */
async function open(folder: string, ...cells: string[]): Promise<{ nb: VirtualNotebook; ls: CellLanguageService }> {
  const nb = new VirtualNotebook(ts, folder, 'nb');
  nb.update(cells.map((c, i) => ts_(c, `c${i}`)));
  return { nb, ls: new CellLanguageService(ts, nb, languageFiles(root, declarations())) };
}

test('mapping: a cell offset and its file offset map both ways, past the header of imports', () => {
  const nb = new VirtualNotebook(ts, '/nb', 'my notebook');
  nb.update([ts_('const a = 1;\nlet b = 2;', 'x'), ts_('const c = a + b;\nc', 'y')]);
  const [x, y] = nb.list();
  assert.equal(x.header, '');
  assert.match(y.header, /^import \{ a, b \} from '\.\/\.my_notebook\.cell0';\n$/);
  assert.match(y.footer, /export \{ c \}/);
  const text = nb.fileText(y);
  const at = y.text.indexOf('a +');
  const file = nb.toFile('y', at);
  assert.equal(text.slice(file.offset, file.offset + 3), 'a +');
  assert.deepEqual(nb.toCell(y.fileName, file.offset), { key: 'y', offset: at });
  assert.equal(nb.toCell(y.fileName, 3), undefined, 'the header is no place in the cell');
  assert.equal(nb.toCell(y.fileName, text.length - 2), undefined, 'nor is the footer');
  assert.throws(() => nb.toFile('y', y.text.length + 1), /outside the cell/);
  assert.throws(() => nb.toFile('z', 0), /no cell z/);
  // line and character of the same place
  const pos = positionOf(y.text, at);
  assert.deepEqual(pos, { line: 0, character: 10 });
  assert.equal(offsetOf(y.text, pos.line, pos.character), at);
  assert.equal(offsetOf(y.text, 1, 99), y.text.length, 'a character past the line end is clamped');
  assert.throws(() => offsetOf(y.text, 5, 0), /past the end/);
});

test('mapping: a name comes from the latest earlier cell; the cell order decides; own names are not imported', () => {
  const nb = new VirtualNotebook(ts, '/nb', 'nb');
  nb.update([ts_('const x = 1;', 'a'), ts_('const x = "s";\nfunction f() {}', 'b'), ts_('x; f();', 'c'), ts_('let x = true;', 'd')]);
  const [a, b, c, d] = nb.list();
  assert.match(c.header, new RegExp(`import \\{ x, f \\} from '\\./${b.fileName.split('/').pop()!.replace(/\.ts$/, '').replace(/\./g, '\\.')}'`));
  assert.equal(b.header, '', 'b declares x itself');
  assert.equal(d.header.includes('x'), false);
  assert.match(d.header, /import \{ f \}/);
  // moved: c before b now sees x from a, and no f
  nb.update([ts_('const x = 1;', 'a'), ts_('x; f();', 'c'), ts_('const x = "s";\nfunction f() {}', 'b')]);
  assert.equal(nb.list()[1], c, 'a moved cell keeps its file');
  assert.match(c.header, new RegExp(`import \\{ x \\} from '.*cell0'`));
  assert.equal(nb.cell('d'), undefined, 'a deleted cell is gone');
  assert.equal(nb.cellOfFile(d.fileName), undefined);
  assert.equal(a.header, '');
  assert.throws(() => nb.update([ts_('', 'a'), ts_('', 'a')]), /appears twice/);
});

test('mapping: an edit bumps its cell; later cells change only when the names change', () => {
  const nb = new VirtualNotebook(ts, '/nb', 'nb');
  nb.update([ts_('const x = 1;', 'a'), ts_('x', 'b')]);
  const [a, b] = nb.list();
  const [va, vb] = [a.version, b.version];
  nb.edit('a', 'const x = 2;');
  assert.ok(a.version > va);
  assert.equal(b.version, vb, 'same names: the next cell is untouched');
  nb.edit('a', 'const x = 2, y = 3;');
  assert.ok(b.version > vb);
  assert.match(b.header, /import \{ x, y \}/);
  nb.edit('a', 'const { p, q: [r, , s] } = obj; class K {} interface I {} type T = 1; enum E { A } import z from "m";');
  assert.deepEqual(a.names.map((n) => n.name), ['p', 'r', 's', 'K', 'I', 'T', 'E', 'z']);
});

test('completions: `w.` offers the tensor methods with their docs; earlier cells and the engine are known', async () => {
  const { ls } = await open(tmpdir(),
    'const w = tensor([1, 2], { requiresGrad: true });',
    'w.',
    'const model = new nn.MLP([2, 4, 1]);\nnn.',
    'optim.');
  const members = ls.completions('c1', 2, '.');
  assert.ok(members?.isMemberCompletion);
  const names = members.entries.map((e) => e.name);
  for (const n of ['backward', 'grad', 'matmul', 'sum', 'item']) assert.ok(names.includes(n), `w. offers ${n}`);
  const details = ls.completionDetails('c1', 2, { name: 'matmul' });
  assert.match(details?.detail ?? '', /matmul\(/);
  const nnNames = ls.completions('c2', 40, '.')?.entries.map((e) => e.name) ?? [];
  for (const n of ['Linear', 'MLP', 'Sequential']) assert.ok(nnNames.includes(n), `nn. offers ${n}`);
  const optimNames = ls.completions('c3', 6, '.')?.entries.map((e) => e.name) ?? [];
  for (const n of ['SGD', 'Adam']) assert.ok(optimNames.includes(n), `optim. offers ${n}`);
  const globals = ls.completions('c1', 0)?.entries.map((e) => e.name) ?? [];
  for (const n of ['w', 'tensor', 'randn', 'process', 'Buffer', 'console']) assert.ok(globals.includes(n), `in scope: ${n}`);
  assert.equal(globals.includes('model'), false, 'a later cell\'s name is not in scope');
});

test('quick info, signature help and definition', async () => {
  const { ls } = await open(tmpdir(), 'const w = tensor([1, 2], { requiresGrad: true });', 'w.sum();\ntensor(', 'randn(');
  assert.equal(ls.quickInfo('c1', 0)?.signature, 'const w: Tensor', 'no (alias) line for a name of an earlier cell');
  assert.equal(ls.quickInfo('c0', 6)?.signature, 'const w: Tensor');
  const tensorInfo = ls.quickInfo('c1', 10);
  assert.match(tensorInfo?.documentation ?? '', /\S/, 'tensor has its doc comment');
  const help = ls.signatureHelp('c1', 'w.sum();\ntensor('.length);
  assert.ok(help && help.signatures.length > 0);
  assert.match(help.signatures[0].label, /^tensor\(data/);
  assert.match(ls.signatureHelp('c2', 6)?.signatures[0].label ?? '', /^randn\(shape/);
  assert.deepEqual(ls.definition('c1', 0), [{ key: 'c0', start: 6, length: 1 }]);
  const engine = ls.definition('c1', 10);
  assert.ok(engine.length >= 1);
  for (const d of engine) {
    assert.ok('fileName' in d && /\.d\.ts$/.test(d.fileName) && !d.fileName.endsWith('cells.d.ts'),
      `tensor's definition is the engine's declaration, got ${JSON.stringify(engine)}`);
  }
});

test('diagnostics: typos with suggestions; redeclaring and reassigning across cells as the kernel allows', async () => {
  const { ls } = await open(tmpdir(),
    'const w = tensor([1, 2]);\nlet n = 1;\nconst k = 2;',
    'const y = tensr([1]);\nw.sumx();',
    'const w = 3;\nn = 2;\nconst s: string = w;',
    'k = 5;\nw.toFixed(1);');
  assert.deepEqual(ls.diagnostics('c0'), []);
  const typos = ls.diagnostics('c1');
  assert.equal(typos.length, 2);
  assert.equal(typos[0].message, "Cannot find name 'tensr'. Did you mean 'tensor'?");
  assert.deepEqual([typos[0].start, typos[0].length], [10, 5]);
  assert.match(typos[1].message, /Property 'sumx' does not exist on type 'Tensor'. Did you mean 'sum'\?/);
  const third = ls.diagnostics('c2');
  assert.equal(third.length, 1, `only the real type error: ${JSON.stringify(third)}`);
  assert.match(third[0].message, /Type 'number' is not assignable to type 'string'/);
  const fourth = ls.diagnostics('c3');
  assert.equal(fourth.length, 1, 'k is a const of an earlier cell; w is now the number of cell 3');
  assert.equal(fourth[0].message, "Cannot assign to 'k' because it is a constant.");
});

test('imports: the engine by its module names, Node built-ins, and a package next to the notebook with its types', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'backprop-nb-'));
  try {
    const pkg = join(folder, 'node_modules', 'tiny-stats');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'tiny-stats', version: '1.0.0', main: 'index.js', types: 'index.d.ts' }));
    writeFileSync(join(pkg, 'index.js'), 'exports.mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;');
    writeFileSync(join(pkg, 'index.d.ts'), '/** The mean of some numbers. */\nexport declare function mean(xs: number[]): number;');
    const { ls } = await open(folder,
      "import { mean } from 'tiny-stats';\nimport { tensor as t } from 'backprop';\nimport { readFileSync } from 'node:fs';",
      'const m = mean([1, 2]);\nconst x = t([1]);\nconst s = readFileSync;\nmean("no");');
    assert.deepEqual(ls.diagnostics('c0'), []);
    assert.equal(ls.quickInfo('c1', 6)?.signature, 'const m: number');
    assert.equal(ls.quickInfo('c1', 30)?.signature, 'const x: Tensor');
    assert.match(ls.quickInfo('c1', 48)?.signature ?? '', /^const s: \{\n\s+\(path: PathOrFileDescriptor/, 'typed by @types/node');
    const errors = ls.diagnostics('c1');
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /Argument of type 'string' is not assignable to parameter of type 'number\[\]'/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
