// What both helper threads (interruptWatcher.ts, outputRescuer.ts) do to reach the main thread: an inspector
// session connected to it. Node has `connectToMainThread` since 12.11; @types/node 20.9 does not declare it.
import { Session } from 'node:inspector';

/** A connected session on the main thread, from a worker; disconnect it when done (else exit waits for the debugger). */
export function mainThreadSession(): Session {
  const session = new Session() as Session & { connectToMainThread(): void };
  session.connectToMainThread();
  return session;
}
