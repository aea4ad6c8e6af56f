// MNIST handwritten digits from files that ship with the package (media/datasets/mnist: a subset of 15,000
// training and 3,000 test images, CC BY-SA 3.0, Yann LeCun and Corinna Cortes), so cells load real data with no
// download. Decoded bytes are kept after the first call: later calls only build tensors.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Dtype, alloc, allocForOverwrite, checkDtype } from '../dtype';
import { checkOptions } from '../options';
import { Tensor } from '../tensor';
import { IdxArray, readIdx } from './idx';

/** Options of datasets.mnist. @example datasets.mnist({ trainSize: 5000 }) */
export interface MnistOptions {
  /** How many training images (the first ones; default all 15,000 shipped). */
  trainSize?: number;
  /** How many test images (the first ones; default all 3,000 shipped). */
  testSize?: number;
  /** The images' dtype (default 'float32'); labels are always float64. */
  dtype?: Dtype;
  /** A folder holding the four IDX files (gzipped or not) to read instead, e.g. the full MNIST. */
  dir?: string;
}

/** One split: images [N, 1, 28, 28] scaled to [0, 1], labels [N] holding the digit (a class index, 0–9). */
export interface MnistSplit {
  /** The images, [N, 1, 28, 28], each pixel in [0, 1] (0 is the background). */
  images: Tensor;
  /** The digit each image shows, [N], values 0–9 (float64 holding integers: usable as class indices). */
  labels: Tensor;
}

/** Both splits of MNIST. */
export interface Mnist {
  /** The training images and their digits. */
  train: MnistSplit;
  /** The test images and their digits (never train on these). */
  test: MnistSplit;
}

const FILES = { train: 'train', test: 't10k' } as const;
const cache = new Map<string, IdxArray>();
/** Each byte's value scaled to [0, 1] (a table read is cheaper than a division per pixel). */
const SCALED = Float64Array.from({ length: 256 }, (_, b) => b / 255);

/** The shipped files: media/datasets/mnist under the package root, found from this file (source or bundle). */
function shippedDir(): string {
  let dir = __dirname;
  for (let up = 0; up < 6; up++) {
    const candidate = join(dir, 'media', 'datasets', 'mnist');
    if (existsSync(join(candidate, 'train-labels-idx1-ubyte.gz'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`datasets.mnist: the MNIST files are missing (looked for media/datasets/mnist above ${__dirname})`);
}

/** Reads one file of a split, accepting the shipped names (train-, test-) and the original ones (train-, t10k-). */
function load(dir: string, split: 'train' | 'test', kind: 'images-idx3' | 'labels-idx1'): IdxArray {
  const names = [`${split}-${kind}-ubyte`, `${FILES[split]}-${kind}-ubyte`].flatMap((n) => [`${n}.gz`, n]);
  const file = names.map((n) => join(dir, n)).find((p) => existsSync(p));
  if (!file) throw new Error(`datasets.mnist: no ${names[1]} in ${dir}`);
  let idx = cache.get(file);
  if (!idx) { idx = readIdx(file); cache.set(file, idx); }
  return idx;
}

function count(what: string, n: number | undefined, available: number): number {
  if (n === undefined) return available;
  if (!Number.isInteger(n) || n < 1 || n > available) {
    throw new Error(`datasets.mnist: ${what} must be an integer from 1 to ${available}, got ${String(n)}`);
  }
  return n;
}

function split(dir: string, which: 'train' | 'test', n: number | undefined, dtype: Dtype): MnistSplit {
  const images = load(dir, which, 'images-idx3');
  const labels = load(dir, which, 'labels-idx1');
  if (images.shape.length !== 3 || labels.shape[0] !== images.shape[0]) {
    throw new Error(`datasets.mnist: ${which} images [${images.shape.join(',')}] and labels [${labels.shape.join(',')}] do not match`);
  }
  const size = count(`${which}Size`, n, images.shape[0]);
  const [, h, w] = images.shape;
  const pixels = allocForOverwrite('datasets.mnist', dtype, [size, 1, h, w]);
  const src = images.data;
  for (let i = 0; i < size * h * w; i++) pixels[i] = SCALED[src[i]];
  const digits = alloc('datasets.mnist', 'float64', [size]);
  for (let i = 0; i < size; i++) digits[i] = labels.data[i];
  return { images: new Tensor(pixels, [size, 1, h, w]), labels: new Tensor(digits, [size]) };
}

/**
 * MNIST handwritten digits, with no download: 15,000 training and 3,000 test images ship with the package (the
 * first of each original split); `dir` reads other IDX files, such as the full set. Images are [N, 1, 28, 28]
 * in [0, 1] (conv2d's layout; `.flatten(1)` for an MLP), labels [N] are digits 0–9, usable as class indices.
 * @example
 * const { train, test } = datasets.mnist();
 * train.images.shape // [15000, 1, 28, 28]
 * train.labels.shape // [15000]
 */
export function mnist(opts: MnistOptions = {}): Mnist {
  checkOptions('datasets.mnist', opts, ['trainSize', 'testSize', 'dtype', 'dir']);
  const dtype = opts.dtype ?? 'float32';
  checkDtype('datasets.mnist', dtype);
  const dir = opts.dir ?? shippedDir();
  return { train: split(dir, 'train', opts.trainSize, dtype), test: split(dir, 'test', opts.testSize, dtype) };
}
