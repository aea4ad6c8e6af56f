// The hover and the variables view never run user code: getters are reported, not called; proxies are reported,
// their traps never run; previews call no custom inspect function. Unit level with counting traps, then through
// the kernel with a getter and a proxy that would loop forever.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { nn, tensor } from '../../kernel/engine';
import { inspectExpression } from '../../kernel/tools/inspect';
import { listVariables } from '../../kernel/tools/variables';
import type { KernelClient } from '../../kernel/client/client';
import { startKernel } from './helpers/kernelProcess';

/** An object whose every trap counts its calls (and would run any code the user wrote). */
function countingProxy(target: object = {}): { proxy: object; calls: string[] } {
  const calls: string[] = [];
  const handler = new Proxy({}, { get: (_, trap) => (...args: unknown[]) => { calls.push(String(trap)); return Reflect.get(Reflect, trap as string)(...args); } });
  return { proxy: new Proxy(target, handler), calls };
}

function markdown(reply: { data?: Record<string, unknown> }): string {
  return String(reply.data?.['text/markdown']);
}

describe('inspect runs no user code', () => {
  test('a getter is reported, not called, wherever it is on the path or the prototype chain', () => {
    let called = 0;
    class Point { x = 1; get norm() { called++; return 5; } }
    const o = { get x() { called++; return 1; }, p: new Point() };
    const scope = { o };
    for (const path of ['o.x', 'o.p.norm']) {
      const reply = inspectExpression(path, scope);
      assert.equal(reply.found, true, path);
      assert.match(markdown(reply), /`getter`, not called/, path);
      assert.match(String(reply.data?.['text/plain']), /getter, not called/, path);
    }
    assert.equal(inspectExpression('o.x.y', scope).found, true, 'a path past a getter stops at it');
    assert.match(markdown(inspectExpression('o.p.x', scope)), /```js\n1\n```/, 'data properties are still read');
    // the object holding getters is previewed with them shown as [Getter]
    assert.match(markdown(inspectExpression('o', scope)), /x: \[Getter\]/);
    assert.equal(called, 0);
  });

  test('a proxy is reported, and none of its traps runs (not even getPrototypeOf or has)', () => {
    const { proxy, calls } = countingProxy({ a: 1 });
    const behind = Object.create(countingProxy().proxy) as object;
    const scope = { p: proxy, o: { p: proxy }, behind, list: [1, proxy] };
    for (const path of ['p', 'p.a', 'o.p', 'o.p.a', 'behind', 'behind.x', 'list']) {
      const reply = inspectExpression(path, scope);
      assert.equal(reply.found, true, path);
      assert.match(markdown(reply), /Proxy|not previewed/, path);
    }
    assert.deepEqual(calls, []);
  });

  test('a module whose parameters a getter or its own method would list is described without listing them', () => {
    let called = 0;
    class Net extends nn.Module {
      fc = new nn.Linear(2, 1, { seed: 1 });
      get wide() { called++; return 2; }
      forward(x: ReturnType<typeof tensor>) { return this.fc.forward(x); }
    }
    class Sneaky extends Net {
      override namedParameters(): [string, ReturnType<typeof tensor>][] { called++; return []; }
    }
    const withGetterField = new Net();
    Object.defineProperty(withGetterField, 'extra', { get: () => { called++; return 1; }, enumerable: true });
    assert.match(markdown(inspectExpression('net', { net: new Net() })), /`Net` · 2 parameters/, 'a getter on the class is never listed');
    assert.match(markdown(inspectExpression('net', { net: new Sneaky() })), /parameters not listed.*namedParameters/);
    assert.match(markdown(inspectExpression('net', { net: withGetterField })), /parameters not listed.*getter \\\(extra\\\)/);
    assert.equal(called, 0);
  });

  test('previews call no custom inspect function and no toStringTag getter', () => {
    let called = 0;
    const custom = { [inspect.custom]: () => { called++; return 'custom'; }, a: 1 };
    class Tagged { get [Symbol.toStringTag]() { called++; return 'T'; } }
    const scope = { custom, tagged: new Tagged(), nested: { deeper: { t: new Tagged() } } };
    assert.match(markdown(inspectExpression('custom', scope)), /a: 1/);
    assert.match(markdown(inspectExpression('tagged', scope)), /`Tagged`[\s\S]*not previewed/);
    assert.match(markdown(inspectExpression('nested', scope)), /not previewed/);
    assert.equal(called, 0);
  });

  test('the variables view lists getters and proxies as such, without calling them', () => {
    let called = 0;
    const scope = {};
    Object.defineProperty(scope, 'lazy', { get: () => { called++; return 1; } });
    const { proxy, calls } = countingProxy();
    Object.assign(scope, { p: proxy, w: tensor([1, 2]), obj: { get x() { called++; return 1; } } });
    const vars = listVariables(['lazy', 'p', 'w', 'obj'], scope);
    const by = Object.fromEntries(vars.map((v) => [v.name, v]));
    assert.equal(by.w.type, 'Tensor');
    assert.equal(by.lazy.summary, 'getter, not called');
    assert.equal(by.p.type, 'Proxy');
    assert.match(by.p.summary, /not inspected/);
    assert.match(by.obj.summary, /\[Getter\]/);
    assert.equal(called, 0);
    assert.deepEqual(calls, []);
  });
});

describe('inspect through the kernel: a hover cannot hang it', () => {
  let kernel: KernelClient;
  before(async () => { kernel = await startKernel(); });
  after(async () => { await kernel.shutdown(); });

  /** Fails (rather than hangs the test run) when the kernel does not answer. */
  function within<T>(ms: number, p: Promise<T>): Promise<T> {
    return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms: the kernel hangs`)), ms).unref())]);
  }

  test('hovering a getter or a proxy that never returns answers, and the kernel keeps running cells', async () => {
    const setup = await kernel.run([
      'const o = { get x(): number { for (;;) {} }, y: 2 };',
      'const p = new Proxy({}, { get() { for (;;) {} }, has() { for (;;) {} }, getPrototypeOf() { for (;;) {} }, ownKeys() { for (;;) {} }, getOwnPropertyDescriptor() { for (;;) {} } });',
      'const w = tensor([1, 2], { requiresGrad: true });',
    ].join('\n'));
    assert.equal(setup.status, 'ok');
    assert.match(markdown(await within(5000, kernel.request('inspect', { expression: 'o.x' }))), /`getter`, not called/);
    assert.match(markdown(await within(5000, kernel.request('inspect', { expression: 'o' }))), /x: \[Getter\][\s\S]*y: 2/);
    assert.match(markdown(await within(5000, kernel.request('inspect', { expression: 'p' }))), /`Proxy`, not inspected/);
    assert.match(markdown(await within(5000, kernel.request('inspect', { expression: 'p.anything' }))), /`Proxy`, not inspected/);
    const vars = (await within(5000, kernel.request('variables', {}))).variables;
    assert.equal(vars.find((v) => v.name === 'p')?.type, 'Proxy');
    assert.match(vars.find((v) => v.name === 'o')?.summary ?? '', /x: \[Getter\]/);
    assert.equal(vars.find((v) => v.name === 'w')?.type, 'Tensor');
    const after = await within(5000, kernel.run('o.y + 1'));
    assert.equal(after.status, 'ok');
    assert.deepEqual(after.outputs.map((out) => (out.kind === 'executeResult' ? out.data['text/plain'] : out.kind)), ['3']);
  });
});
