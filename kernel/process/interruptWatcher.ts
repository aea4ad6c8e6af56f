/*
 * The interrupt watcher thread (bundled as dist/interruptWatcher.js; started by interrupt.ts, which explains the
 * whole scheme). It reads request ids from the interrupt pipe and stops the one running: it asks the main thread
 * first, and if no answer comes within ASK_MS (the thread is busy) terminates the running JavaScript through an
 * inspector session.
 */
import { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { mainThreadSession } from './mainThreadSession';

/** What the watcher is started with: the state it shares with the main thread (see interrupt.ts), and the pipe. */
export interface WatcherData {
  shared: SharedArrayBuffer;
  fd: number;
}

/** Watcher → main thread: 'ask' (abandon your cell, and answer), 'terminated' (your running code was stopped). */
export interface WatcherMessage {
  kind: 'ask' | 'terminated';
  requestId: string;
}

/** Main thread → watcher: this request has started (an interrupt that came early for it can act now). */
export interface StartedMessage {
  kind: 'started';
  requestId: string;
}

/** How long the watcher waits for an idle main thread to answer before it terminates the running code. */
const ASK_MS = 300;
/** Ids remembered in each list below. */
const REMEMBERED = 64;

const { shared, fd } = workerData as WatcherData;
const port = parentPort!;
const state = new Int32Array(shared, 0, 2);
const idBytes = new Uint8Array(shared, 8);

function runningRequest(): string {
  return Buffer.from(idBytes.subarray(0, Atomics.load(state, 1))).toString('utf8');
}

// The pipe can overtake the 'execute' message: an id not started yet is kept until its run starts (the main
// thread tells us: 'started'); ids already started are late (that run ended) and dropped.
const early: string[] = [];
const started: string[] = [];

function remember(list: string[], requestId: string): void {
  list.push(requestId);
  if (list.length > REMEMBERED) list.shift();
}

function request(requestId: string): void {
  if (requestId === '') return;
  if (requestId === runningRequest()) interrupt(requestId);
  else if (!started.includes(requestId) && !early.includes(requestId)) remember(early, requestId);
}

port.on('message', (m: StartedMessage) => {
  remember(started, m.requestId);
  const i = early.indexOf(m.requestId);
  if (i < 0) return;
  early.splice(i, 1);
  interrupt(m.requestId);
});

function tell(m: WatcherMessage): void {
  port.postMessage(m);
}

function interrupt(requestId: string): void {
  // Only the request the client means: if it has ended, the cell running now is another one.
  if (requestId === '' || requestId !== runningRequest()) return;
  Atomics.store(state, 0, 1);
  tell({ kind: 'ask', requestId });
  Atomics.wait(state, 0, 1, ASK_MS);
  if (Atomics.load(state, 0) === 0) return;
  // A session left connected would make the process print "Waiting for the debugger" when it exits.
  const session = mainThreadSession();
  session.post('Runtime.terminateExecution', () => {
    session.disconnect();
    Atomics.store(state, 0, 0);
    tell({ kind: 'terminated', requestId });
  });
}

// '<requestId>\n' stops that request; a lone '!' stops whatever runs.
let buffered = '';
const pipe = new Socket({ fd, readable: true, writable: false });
pipe.setEncoding('utf8');
pipe.on('data', (text: string) => {
  for (const c of text) {
    if (c === '!' && buffered === '') interrupt(runningRequest());
    else if (c === '\n') { request(buffered); buffered = ''; }
    else buffered += c;
  }
});
pipe.on('error', () => {});
