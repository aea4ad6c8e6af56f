// What a JupyterHub pays per student: N Backprop Jupyter kernels (default 20) started side by side on this machine,
// as a hub starts them, each as Jupyter runs it (`backprop-nb kernel -f <connection file>`). For each: the time from
// spawn to its first kernel_info reply, to its first cell's reply (the kernel process up and running a cell), and
// the resident memory (RSS) of its two processes, the ZeroMQ front and the kernel process it drives; then the
// memory a front adds once a student asks for a completion (TypeScript's language service is loaded then).
// Usage: node bench/jupyterKernels.mjs [--kernels N]   (after `npm run build`). Prints a table and one JSON line.
import { spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const zmq = require('zeromq');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--kernels');
const N = at > 0 ? Number(process.argv[at + 1]) : 20;
const dir = mkdtempSync(join(tmpdir(), 'backprop-bench-jupyter-'));
const key = randomUUID();

/** A Jupyter message's frames, signed as the connection file says. */
function frames(msgType, content) {
  const header = { msg_id: randomUUID(), session: 'bench', username: 'bench', date: new Date().toISOString(), msg_type: msgType, version: '5.3' };
  const parts = [header, {}, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
  const hmac = createHmac('sha256', key);
  for (const p of parts) hmac.update(p);
  return [Buffer.from('<IDS|MSG>'), Buffer.from(hmac.digest('hex')), ...parts];
}

/** Sends a request on a DEALER socket and resolves with the reply's content. */
async function request(socket, msgType, content) {
  await socket.send(frames(msgType, content));
  const reply = await socket.receive();
  const i = reply.findIndex((f) => f.toString() === '<IDS|MSG>');
  return JSON.parse(reply[i + 5].toString());
}

const rssMB = (pid) => {
  try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024; } catch { return NaN; }
};
const childrenOf = (pid) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

let port = 20000 + Math.floor(Math.random() * 20000);
const kernels = [];
for (let i = 0; i < N; i++) {
  const conn = { transport: 'tcp', ip: '127.0.0.1', shell_port: port++, iopub_port: port++, stdin_port: port++, control_port: port++, hb_port: port++, key, signature_scheme: 'hmac-sha256' };
  const file = join(dir, `kernel-${i}.json`);
  writeFileSync(file, JSON.stringify(conn));
  kernels.push({ conn, file });
}

// every kernel at once, as a class logging in together
const started = performance.now();
await Promise.all(kernels.map(async (k) => {
  const t0 = performance.now();
  k.child = spawn(process.execPath, [join(root, 'dist', 'cli.js'), 'kernel', '-f', k.file], { stdio: ['ignore', 'ignore', 'ignore'], cwd: dir });
  k.shell = new zmq.Dealer();
  k.shell.connect(`tcp://127.0.0.1:${k.conn.shell_port}`);
  await request(k.shell, 'kernel_info_request', {});
  k.infoMs = performance.now() - t0;
  const reply = await request(k.shell, 'execute_request', { code: 'const w = randn([4, 4], { requiresGrad: true }); w.sum().backward();', silent: false });
  if (reply.status !== 'ok') throw new Error(`kernel ${k.file}: ${JSON.stringify(reply)}`);
  k.cellMs = performance.now() - t0;
}));
const allMs = performance.now() - started;
for (const k of kernels) {
  k.frontMB = rssMB(k.child.pid);
  k.kernelMB = childrenOf(k.child.pid).reduce((s, pid) => s + rssMB(pid), 0);
}
// one completion on the first kernel: the language service's cost, paid by a front once
const first = kernels[0];
await request(first.shell, 'complete_request', { code: 'w.ma', cursor_pos: 4 });
const frontAfterCompleteMB = rssMB(first.child.pid);

await Promise.all(kernels.map(async (k) => {
  const control = new zmq.Dealer();
  control.connect(`tcp://127.0.0.1:${k.conn.control_port}`);
  await request(control, 'shutdown_request', { restart: false });
  control.close();
  k.shell.close();
}));
rmSync(dir, { recursive: true, force: true });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const max = (xs) => Math.max(...xs);
const row = (name, xs, unit) => console.log(`${name.padEnd(44)} ${median(xs).toFixed(0).padStart(8)} ${max(xs).toFixed(0).padStart(8)}  ${unit}`);
console.log(`${N} Backprop Jupyter kernels started side by side (${process.platform}, ${(await import('node:os')).cpus().length} cores, Node ${process.version})`);
console.log(`${''.padEnd(44)} ${'median'.padStart(8)} ${'max'.padStart(8)}`);
row('start → first kernel_info reply', kernels.map((k) => k.infoMs), 'ms');
row('start → first cell done (kernel process up)', kernels.map((k) => k.cellMs), 'ms');
row('RSS, ZeroMQ front process', kernels.map((k) => k.frontMB), 'MB');
row('RSS, kernel process (engine, cells)', kernels.map((k) => k.kernelMB), 'MB');
row('RSS, both', kernels.map((k) => k.frontMB + k.kernelMB), 'MB');
console.log(`all ${N} ready in ${(allMs / 1000).toFixed(1)} s; one front after its first completion: ${frontAfterCompleteMB.toFixed(0)} MB (+${(frontAfterCompleteMB - first.frontMB).toFixed(0)} MB, TypeScript's language service)`);
console.log(JSON.stringify({
  kernels: N, allMs, infoMs: kernels.map((k) => k.infoMs), cellMs: kernels.map((k) => k.cellMs),
  frontMB: kernels.map((k) => k.frontMB), kernelMB: kernels.map((k) => k.kernelMB), frontAfterCompleteMB,
}));
