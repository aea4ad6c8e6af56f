// How a product is cut for the threads (schedule.ts): the pack units cover every depth block of every panel of
// op(B) exactly once, each waits for slabs of B that hold its rows, the slabs partition B, and the chunks
// partition C in whole stripes of rows and pieces of at least the least width — for both layouts of B and any
// thread count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Job, SLOT_INTS } from '../../kernel/engine/matmul/protocol';
import { MR, VB, cStride, chunkRects, jobChunks, packRect, panels, plan, slabCount, slabRange } from '../../kernel/engine/matmul/schedule';

/** The kernel's depth blocks (assembly/gemm.ts, KC = 256): equal blocks of at most 256 rows. */
function blockDepth(k: number): number {
  const blocks = Math.ceil(k / 256);
  return Math.ceil(k / blocks);
}

function jobFor(m: number, n: number, k: number, f32: boolean, transB: boolean, threads: number): Int32Array {
  const depth = blockDepth(k), cut = plan(m, n, k, f32, transB, threads, depth), job = new Int32Array(SLOT_INTS);
  Object.assign(job, { [Job.F32]: +f32, [Job.TransB]: +transB, [Job.M]: m, [Job.N]: n, [Job.K]: k, [Job.PackUnits]: cut.packUnits,
    [Job.Chunks]: cut.chunks.length, [Job.Threads]: threads, [Job.MinCells]: cut.minCells, [Job.Stripe]: cut.stripe,
    [Job.MinPanels]: cut.minPanels, [Job.Depth]: depth, [Job.BlockGroups]: cut.blockGroups });
  return job;
}

const shapes: [number, number, number][] = [
  [1024, 1024, 1024], [2048, 2048, 2048], [128, 256, 784], [300, 200, 400], [6, 3000, 257], [2000, 3, 20], [64, 10, 256],
  [80, 4000, 64], [100, 6000, 512],
];

test('pack units cover op(B) once, after the slabs holding their rows; slabs partition B; chunks partition C', () => {
  for (const [m, n, k] of shapes) for (const f32 of [true, false]) for (const transB of [false, true]) for (const threads of [1, 2, 3, 8]) {
    const what = `${m}x${n}x${k} f32=${f32} transB=${transB} threads=${threads}`, job = jobFor(m, n, k, f32, transB, threads);
    const np = panels(n, f32), depth = job[Job.Depth], blocks = Math.ceil(k / depth), nr = VB / (f32 ? 4 : 8);
    const slabs = Array.from({ length: slabCount(job) }, (_, s) => slabRange(job, s));
    assert.equal(slabs[0][0], 0, what);
    slabs.forEach(([e0, e1], s) => { assert.ok(e1 > e0, `${what}: slab ${s} is empty`); if (s > 0) assert.equal(e0, slabs[s - 1][1], what); });
    assert.equal(slabs[slabs.length - 1][1], k * n, `${what}: the slabs do not end at B's end`);

    const packed = new Uint8Array(blocks * np);
    for (let u = 0; u < job[Job.PackUnits]; u++) {
      const { j0, j1, q0, q1, slabs: need } = packRect(job, u);
      assert.ok(need >= 1 && need <= slabs.length, `${what}: unit ${u} waits for ${need} slabs`);
      const copied = slabs[need - 1][1];
      for (let j = j0; j < j1; j++) for (let q = q0; q < q1; q++) {
        packed[j * np + q]++;
        // The last element of B this (block, panel) reads must be among the copied slabs.
        const lastRow = Math.min(k, (j + 1) * depth) - 1, lastCol = Math.min(n, (q + 1) * nr) - 1;
        const last = transB ? lastCol * k + lastRow : lastRow * n + lastCol;
        assert.ok(last < copied, `${what}: unit ${u} packs block ${j} panel ${q} before its rows of B are copied`);
      }
    }
    assert.ok(packed.every((x) => x === 1), `${what}: some (block, panel) is packed ${Math.min(...packed)} or ${Math.max(...packed)} times`);

    const chunks = jobChunks(job), rowBlocks = Math.ceil(m / 6), cells = new Uint8Array(rowBlocks * np);
    assert.equal(chunks.length, job[Job.Chunks], what);
    if (threads === 1) assert.equal(chunks.length, 1, what);
    // Stripes start at row block 0, then every `stripe` row blocks after the first (the one not full).
    const stripe = job[Job.Stripe], first = rowBlocks % stripe || stripe;
    const atStripe = (i: number) => i === 0 || i === m || ((i / MR - first) % stripe === 0 && i / MR > 0);
    chunks.forEach(({ i0, i1, q0, q1 }, c) => {
      for (let i = i0; i < i1; i += 6) for (let q = q0; q < q1; q++) cells[(i / 6) * np + q]++;
      assert.ok(atStripe(i0) && atStripe(i1), `${what}: chunk ${c} rows [${i0}, ${i1}) are not whole stripes`);
      if (c > 0) assert.ok(i1 >= chunks[c - 1].i1, `${what}: chunk ${c} comes before rows it follows (A is copied in chunk order)`);
      if (q1 - q0 < np) assert.ok(q1 - q0 >= job[Job.MinPanels], `${what}: chunk ${c} is ${q1 - q0} panels wide`);
    });
    assert.ok(cells.every((x) => x === 1), `${what}: the chunks do not cover C exactly once`);
  }
});

test('chunks cover C once, in row order, in whole stripes and pieces of the least width, for random cuts', () => {
  let seed = 12345;
  const rand = (lo: number, hi: number) => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return lo + (seed % (hi - lo + 1)); };
  for (let trial = 0; trial < 500; trial++) {
    const m = rand(1, 3000), np = rand(1, 800), threads = rand(2, 8), minCells = rand(1, 50), stripe = rand(0, 1) ? 12 : 1;
    const minPanels = rand(1, 128), what = `m=${m} np=${np} threads=${threads} minCells=${minCells} stripe=${stripe} minPanels=${minPanels}`;
    const rows = Math.ceil(m / MR), first = rows % stripe || stripe, cells = new Uint8Array(rows * np);
    const chunks = chunkRects(m, np, threads, minCells, stripe, minPanels);
    chunks.forEach(({ i0, i1, q0, q1 }, c) => {
      const r0 = i0 / MR, r1 = Math.ceil(i1 / MR);
      assert.ok(i0 < i1 && q0 < q1, `${what}: chunk ${c} is empty`);
      for (const r of [r0, r1]) assert.ok(r === 0 || r === rows || (r >= first && (r - first) % stripe === 0), `${what}: chunk ${c} cuts a stripe`);
      if (c > 0) assert.ok(i1 >= chunks[c - 1].i1, `${what}: chunk ${c} is out of row order`);
      if (q1 - q0 < np) assert.ok(q1 - q0 >= minPanels, `${what}: chunk ${c} is ${q1 - q0} panels wide`);
      for (let r = r0; r < r1; r++) for (let q = q0; q < q1; q++) cells[r * np + q]++;
    });
    assert.ok(cells.every((x) => x === 1), `${what}: the chunks do not cover C exactly once`);
  }
});

test('rows of C in the arena are a cache line longer exactly when their stride is a multiple of 1 KiB, in large products', () => {
  assert.equal(cStride(2048, 2048, false), 2048 + 8);
  assert.equal(cStride(1024, 1024, true), 1024 + 16);
  assert.equal(cStride(512, 520, false), 512 + 8); // the padded shape of matmul.test.ts
  assert.equal(cStride(128, 2048, false), 128 + 8); // 1 KiB rows
  assert.equal(cStride(1000, 1000, false), 1000); // 8000 bytes: not a multiple of 1 KiB
  assert.equal(cStride(128, 2048, true), 128); // 512-byte rows spread over 8 cache sets already
  assert.equal(cStride(256, 784, true), 256); // the MLP's products: too small for row-by-row copies to pay
  assert.equal(cStride(256, 784, false), 256);
});
