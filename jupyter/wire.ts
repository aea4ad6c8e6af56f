/*
 * Jupyter's wire format: a message is the routing identities, the delimiter `<IDS|MSG>`, the HMAC of the next four
 * frames, then header, parent header, metadata and content as JSON, then binary buffers. The key and scheme come
 * from the connection file; with an empty key messages are not signed. A message whose signature does not match is
 * rejected (the caller drops it): anyone who can reach the ports but lacks the key can run nothing.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { PROTOCOL_VERSION, type Header, type Message } from './messages';

const DELIMITER = '<IDS|MSG>';

export class SignatureError extends Error {}

/** Signs and checks messages with one key (`signature_scheme` is `hmac-sha256` and the like). */
export class Signer {
  private readonly algorithm: string;

  constructor(private readonly key: string, scheme = 'hmac-sha256') {
    const m = /^hmac-(\w+)$/.exec(scheme);
    if (!m) throw new Error(`connection file: signature_scheme '${scheme}' is not hmac-<digest>`);
    this.algorithm = m[1];
    createHmac(this.algorithm, 'probe');   // an unknown digest throws here, at start, naming it
  }

  sign(frames: readonly Buffer[]): string {
    if (!this.key) return '';
    const hmac = createHmac(this.algorithm, this.key);
    // latin1 carries every byte as it is
    for (const f of frames) hmac.update(f.toString('latin1'), 'latin1');
    return hmac.digest('hex');
  }

  verify(signature: string, frames: readonly Buffer[]): boolean {
    if (!this.key) return true;
    const expected = Buffer.from(this.sign(frames));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(new Uint8Array(given), new Uint8Array(expected));
  }
}

/** The frames of a message, signed. */
export function encode(signer: Signer, message: Omit<Message, 'buffers'> & { buffers?: Buffer[] }): Buffer[] {
  const parts = [message.header, message.parent_header, message.metadata, message.content].map((p) => Buffer.from(JSON.stringify(p)));
  return [...message.identities, Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts, ...message.buffers ?? []];
}

/** A message from its frames; throws SignatureError when the signature does not match, Error when malformed. */
export function decode(signer: Signer, frames: readonly Buffer[]): Message {
  const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString() === DELIMITER);
  if (at < 0 || frames.length < at + 6) throw new Error(`malformed message: ${frames.length} frames, delimiter at ${at}`);
  const signature = frames[at + 1].toString();
  const parts = frames.slice(at + 2, at + 6);
  if (!signer.verify(signature, parts)) throw new SignatureError('message signature does not match the connection key');
  const [header, parent_header, metadata, content] = parts.map((p) => JSON.parse(p.toString('utf8')) as unknown);
  return {
    identities: frames.slice(0, at), header: header as Header, parent_header: parent_header as Message['parent_header'],
    metadata: metadata as Record<string, unknown>, content, buffers: frames.slice(at + 6),
  };
}

/** A new header for a message of this kernel's session. */
export function newHeader(msgType: string, session: string): Header {
  return { msg_id: randomUUID(), session, username: 'backprop', date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION };
}
