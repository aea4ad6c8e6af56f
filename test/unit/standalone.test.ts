// The repository stands alone: no tracked file points at design notes or paths that live outside it (a user of
// the repository has neither), and every relative link in its markdown leads to a file, and heading, it has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { Lexer, walkTokens, type Token, type Tokens } from 'marked';

const root = resolve(__dirname, '../..');

/** Folders that are never tracked (see .gitignore), for a copy of the tree without git. */
const UNTRACKED = new Set(['.git', 'node_modules', 'dist', 'out', 'tools', '.state', 'test-results', '.vscode-test']);

function walk(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const p = dir ? `${dir}/${name}` : name;
    if (UNTRACKED.has(name)) return [];
    return statSync(join(root, p)).isDirectory() ? walk(p) : [p];
  });
}

/**
 * The repository's files, repo-relative: tracked ones and new ones git does not ignore (so a file is checked
 * before its first commit). A tree without git (an unpacked archive) is walked instead.
 */
function repositoryFiles(): string[] {
  let list: string[];
  try {
    list = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 })
      .split('\0');
  } catch {
    list = walk('');
  }
  // Regular files only: a checkout may link node_modules/ or tools/ in from elsewhere.
  return [...new Set(list)].filter((f) => f && existsSync(join(root, f)) && lstatSync(join(root, f)).isFile());
}

const files = repositoryFiles();

// Spelled as regular expressions so that this file does not match itself.
const OUTSIDE: { pattern: RegExp; what: string }[] = [
  { pattern: /\/work\//, what: 'an absolute path of a developer\'s machine' },
  { pattern: /\.\.\/shared\b/, what: 'a folder beside the repository' },
  { pattern: /\b(?:API|RENDERER|DESIGN)\.md\b/, what: 'design notes that are not in the repository (see docs/)' },
];

/** Every line of a text file that refers to something outside the repository, as `file:line: what`. */
function outsideReferences(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const { pattern, what } of OUTSIDE) if (pattern.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 100)}`);
  });
  return found;
}

test('the file list is the repository', () => {
  for (const f of ['README.md', 'package.json', 'docs/api.md', 'test/unit/standalone.test.ts']) assert.ok(files.includes(f), f);
});

test('no file refers to files outside the repository', () => {
  const found = files
    .filter((f) => f !== 'package-lock.json')
    .flatMap((f) => {
      const bytes = readFileSync(join(root, f));
      return bytes.includes(0) ? [] : outsideReferences(f, bytes.toString('utf8'));
    });
  assert.deepEqual(found, []);
});

test('the check finds each kind of outside reference, and not the docs/ files', () => {
  // Assembled from parts, so that this file does not hold what it looks for.
  const [md, up, work, notes] = ['.md', '..', 'work', 'shared'];
  const text = [`see /${work}/${notes}/x${md}`, `as in ${up}/${notes}/y`, `(see RENDERER${md})`, `API${md}'s table`,
    `DESIGN${md}`, 'see docs/api.md and docs/graph-format.md', 'the API: docs/api.md', 'workers/ and shared memory'].join('\n');
  assert.deepEqual(outsideReferences('x', text).map((l) => l.split(':')[1]), ['1', '2', '3', '4', '5']);
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');
}

/** The links and images of a markdown text (code spans and blocks hold none), and its headings' anchors. */
function readMarkdown(text: string): { targets: string[]; anchors: Set<string> } {
  const tokens = new Lexer({ gfm: true }).lex(text);
  const targets: string[] = [];
  const anchors = new Set<string>();
  void walkTokens(tokens, (t: Token) => {
    if (t.type === 'link' || t.type === 'image') targets.push((t as Tokens.Link | Tokens.Image).href);
    if (t.type === 'heading') anchors.add(slug((t as Tokens.Heading).text));
  });
  return { targets, anchors };
}

/** Each relative link in `text` (the markdown of `file`) whose file, or heading, does not exist. */
function brokenLinks(file: string, text = readFileSync(join(root, file), 'utf8')): string[] {
  const { targets, anchors } = readMarkdown(text);
  const broken: string[] = [];
  for (const href of targets) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) continue;   // http:, mailto:, data: ...
    const [path, anchor] = decodeURI(href).split('#', 2);
    if (!path) {
      if (!anchors.has(anchor)) broken.push(`${file}: ${href} names a heading it does not have`);
      continue;
    }
    const target = posix.normalize(posix.join(posix.dirname(file), path));
    const full = join(root, target);
    if (target.startsWith('../') || relative(root, full).startsWith('..')) { broken.push(`${file}: ${href} leaves the repository`); continue; }
    if (!existsSync(full)) { broken.push(`${file}: ${href} points at ${target}, which does not exist`); continue; }
    if (anchor && target.endsWith('.md') && !readMarkdown(readFileSync(full, 'utf8')).anchors.has(anchor)) {
      broken.push(`${file}: ${href} names a heading ${target} does not have`);
    }
  }
  return broken;
}

test('relative links in README.md and docs/ lead to files and headings that exist', () => {
  const markdown = files.filter((f) => f.endsWith('.md') && (f === 'README.md' || f.startsWith('docs/') || f.endsWith('/README.md')));
  assert.ok(markdown.includes('docs/api.md') && markdown.includes('docs/graph-format.md') && markdown.includes('docs/architecture.md'));
  assert.deepEqual(markdown.flatMap((f) => brokenLinks(f)), []);
});

test('the link check reads links as markdown does, and names each broken one', () => {
  const { targets, anchors } = readMarkdown('# How it works\n[a](docs/api.md) `[b](nope.md)` ![c](media/icon.png)\n\n```\n[d](nope.md)\n```\n');
  assert.deepEqual(targets, ['docs/api.md', 'media/icon.png']);
  assert.deepEqual([...anchors], ['how-it-works']);
  assert.equal(slug('Tests and benchmarks'), 'tests-and-benchmarks');
  assert.equal(slug('Running notebooks headless: `backprop-nb`'), 'running-notebooks-headless-backprop-nb');
  const links = '[ok](api.md#tensors) [ok](../README.md#tests-and-benchmarks) [ok](https://example.com/x.md) [ok](#x)\n' +
    '# X\n[bad](#y) [bad](nope.md) [bad](api.md#nope) [bad](../../outside.md)';
  assert.deepEqual(brokenLinks('docs/x.md', links), [
    'docs/x.md: #y names a heading it does not have',
    'docs/x.md: nope.md points at docs/nope.md, which does not exist',
    'docs/x.md: api.md#nope names a heading docs/api.md does not have',
    'docs/x.md: ../../outside.md leaves the repository',
  ]);
});

test('the docs are linked from README.md', () => {
  const { targets } = readMarkdown(readFileSync(join(root, 'README.md'), 'utf8'));
  for (const doc of ['docs/api.md', 'docs/graph-format.md', 'docs/architecture.md']) assert.ok(targets.includes(doc), doc);
});
