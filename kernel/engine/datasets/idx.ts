// The IDX file format MNIST is distributed in: a magic number whose third byte is the element type (0x08 =
// unsigned byte) and fourth the number of dimensions, the dimensions as big-endian 32-bit integers, then the data.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** An IDX array of unsigned bytes. */
export interface IdxArray { shape: number[]; data: Uint8Array }

/**
 * Reads an IDX file of unsigned bytes, gunzipping it when its name ends in `.gz`.
 * @example readIdx('train-labels-idx1-ubyte.gz') // { shape: [15000], data: Uint8Array }
 */
export function readIdx(path: string): IdxArray {
  const raw = new Uint8Array(readFileSync(path));
  const bytes = path.endsWith('.gz') ? new Uint8Array(gunzipSync(raw)) : raw;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08) {
    throw new Error(`datasets: ${path} is not an IDX file of unsigned bytes`);
  }
  const dims = bytes[3];
  const shape: number[] = [];
  for (let d = 0; d < dims; d++) shape.push(view.getUint32(4 + 4 * d));
  const start = 4 + 4 * dims;
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== start + size) {
    throw new Error(`datasets: ${path} holds ${bytes.length - start} bytes of data, its header [${shape.join(',')}] says ${size}`);
  }
  return { shape, data: new Uint8Array(bytes.buffer, bytes.byteOffset + start, size) };
}
