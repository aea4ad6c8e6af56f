// datasets.mnist(): the shipped subset loads as tensors in conv2d's layout with digit labels, sizes and dtypes
// are chosen by options, and other IDX files (the full MNIST) load from a folder.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { datasets } from '../../kernel/engine';

/** An IDX file of unsigned bytes with the given shape. */
function idx(shape: number[], data: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = 0x08;
  bytes[3] = shape.length;
  shape.forEach((n, d) => view.setUint32(4 + 4 * d, n));
  bytes.set(data, 4 + 4 * shape.length);
  return bytes;
}

describe('datasets.mnist', () => {
  it('loads the shipped 15,000 training and 3,000 test images with their digits', () => {
    const { train, test } = datasets.mnist();
    assert.deepEqual(train.images.shape, [15000, 1, 28, 28]);
    assert.deepEqual(test.images.shape, [3000, 1, 28, 28]);
    assert.deepEqual(train.labels.shape, [15000]);
    assert.deepEqual(test.labels.shape, [3000]);
    assert.equal(train.images.dtype, 'float32');
    assert.equal(train.labels.dtype, 'float64');
    // MNIST's first training digit is a 5 and its first test digit a 7
    assert.deepEqual(Array.from(train.labels.data.subarray(0, 5)), [5, 0, 4, 1, 9]);
    assert.deepEqual(Array.from(test.labels.data.subarray(0, 5)), [7, 2, 1, 0, 4]);
    let lo = Infinity, hi = -Infinity;
    for (const v of train.images.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    assert.equal(lo, 0);
    assert.equal(hi, 1);
    const counts = new Array<number>(10).fill(0);
    for (const d of train.labels.data) counts[d]++;
    assert.ok(counts.every((n) => n > 1200), `every digit is well represented: ${counts.join(' ')}`);
  });

  it('takes the first images when asked for fewer, in the dtype asked for', () => {
    const all = datasets.mnist();
    const few = datasets.mnist({ trainSize: 100, testSize: 10, dtype: 'float64' });
    assert.deepEqual(few.train.images.shape, [100, 1, 28, 28]);
    assert.equal(few.train.images.dtype, 'float64');
    assert.deepEqual(Array.from(few.test.labels.data), Array.from(all.test.labels.data.subarray(0, 10)));
    for (let i = 0; i < 784; i++) assert.equal(Math.fround(few.train.images.data[i]), all.train.images.data[i]);
  });

  it('gives tensors that do not require grad and can be trained on', () => {
    const { train } = datasets.mnist({ trainSize: 8, testSize: 1 });
    assert.equal(train.images.requiresGrad, false);
    assert.deepEqual(train.images.flatten().shape, [8 * 784]);
  });

  it('reads IDX files from a folder, gzipped or not, under the original names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnist-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), idx([2, 2, 2], [0, 255, 51, 102, 0, 0, 0, 255]));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), new Uint8Array(gzipSync(idx([2], [3, 9]))));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx([1, 2, 2], [255, 0, 0, 0]));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx([1], [1]));
    const { train, test } = datasets.mnist({ dir, dtype: 'float64' });
    assert.deepEqual(train.images.shape, [2, 1, 2, 2]);
    assert.deepEqual(Array.from(train.images.data), [0, 1, 0.2, 0.4, 0, 0, 0, 1]);
    assert.deepEqual(Array.from(train.labels.data), [3, 9]);
    assert.deepEqual(Array.from(test.labels.data), [1]);
  });

  it('says what is wrong with bad options and bad files', () => {
    assert.throws(() => datasets.mnist({ trainSize: 0 }), /datasets\.mnist: trainSize must be an integer from 1 to 15000, got 0/);
    assert.throws(() => datasets.mnist({ testSize: 3001 }), /testSize must be an integer from 1 to 3000, got 3001/);
    assert.throws(() => datasets.mnist({ trainSize: 1.5 }), /trainSize must be an integer/);
    assert.throws(() => datasets.mnist({ dtype: 'int8' as never }), /datasets\.mnist: unknown dtype 'int8'/);
    assert.throws(() => datasets.mnist({ size: 3 } as never), /datasets\.mnist/);
    const empty = mkdtempSync(join(tmpdir(), 'mnist-'));
    assert.throws(() => datasets.mnist({ dir: empty }), /datasets\.mnist: no train-images-idx3-ubyte in /);
    const bad = mkdtempSync(join(tmpdir(), 'mnist-'));
    writeFileSync(join(bad, 'train-images-idx3-ubyte'), new TextEncoder().encode('not an idx file'));
    assert.throws(() => datasets.mnist({ dir: bad }), /is not an IDX file of unsigned bytes/);
    writeFileSync(join(bad, 'train-images-idx3-ubyte'), idx([3, 2, 2], [1, 2, 3]));
    assert.throws(() => datasets.mnist({ dir: bad }), /holds 3 bytes of data, its header \[3,2,2\] says 12/);
  });
});
