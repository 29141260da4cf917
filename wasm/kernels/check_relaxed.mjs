// Checks the relaxed-SIMD build against the plain one in V8:
//   node --experimental-wasm-relaxed-simd check_relaxed.mjs [--bench]
// Both builds must have the same exports with the same arity, and their three
// GEMM exports must match a float64 reference at awkward shapes. With --bench
// it also prints one JSON line per build with GEMM GFLOP/s at 512x768x768 on
// one thread, timed in process CPU time. Exits non-zero on any mismatch.
import { readFileSync } from 'node:fs';

const dir = new URL('.', import.meta.url);
const memory = new WebAssembly.Memory({ initial: 2048, maximum: 65536, shared: true });
const load = (name) => {
  const bytes = readFileSync(new URL(name, dir));
  if (!WebAssembly.validate(bytes)) throw new Error(`${name} does not validate (relaxed SIMD needs --experimental-wasm-relaxed-simd in Node 20)`);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
};
const builds = { plain: load('kernels.wasm'), relaxed: load('kernels_relaxed.wasm') };

let failed = false;
const fail = (msg) => { console.error('FAIL ' + msg); failed = true; };

const names = (e) => Object.keys(e).sort().join(' ');
if (names(builds.plain) !== names(builds.relaxed)) fail(`exports differ:\n  ${names(builds.plain)}\n  ${names(builds.relaxed)}`);
for (const name of Object.keys(builds.plain)) {
  if (builds.relaxed[name]?.length !== builds.plain[name].length) fail(`${name}: arity differs`);
}

// A bump allocator over the shared memory; pointers are byte offsets.
const f32 = new Float32Array(memory.buffer);
let top = 64;
const alloc = (n) => { const p = top; top += (4 * n + 63) & ~63; return p; };
let seed = 1;
const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 * 2 - 1; };
const fill = (n) => { const p = alloc(n); for (let i = 0; i < n; i++) f32[p / 4 + i] = rand(); return p; };
const ws = alloc(1 << 18);

// check compares n floats at p with want, normalised by max(1, max|want|).
const check = (what, p, want) => {
  let maxWant = 0, maxErr = 0;
  for (let i = 0; i < want.length; i++) {
    maxWant = Math.max(maxWant, Math.abs(want[i]));
    maxErr = Math.max(maxErr, Math.abs(f32[p / 4 + i] - want[i]));
  }
  const rel = maxErr / Math.max(1, maxWant);
  if (!(rel <= 1e-5)) fail(`${what}: normalised error ${rel}`);
};

for (const [N, C, OC] of [[1, 1, 1], [5, 3, 7], [4, 8, 8], [13, 17, 19], [67, 33, 9], [100, 300, 70], [37, 1025, 13]]) {
  const inp = fill(N * C), w = fill(OC * C), bias = fill(OC), dout = fill(N * OC);
  const at = (p, i) => f32[p / 4 + i];
  const out = new Float64Array(N * OC), dinp = new Float64Array(N * C), dw = new Float64Array(OC * C);
  const dinp0 = fill(N * C), dw0 = fill(OC * C);
  for (let i = 0; i < N; i++) for (let o = 0; o < OC; o++) {
    let s = at(bias, o);
    for (let k = 0; k < C; k++) s += at(inp, i * C + k) * at(w, o * C + k);
    out[i * OC + o] = s;
  }
  for (let i = 0; i < N * C; i++) dinp[i] = at(dinp0, i);
  for (let i = 0; i < OC * C; i++) dw[i] = at(dw0, i);
  for (let i = 0; i < N; i++) for (let o = 0; o < OC; o++) {
    const g = at(dout, i * OC + o);
    for (let k = 0; k < C; k++) { dinp[i * C + k] += g * at(w, o * C + k); dw[o * C + k] += g * at(inp, i * C + k); }
  }
  for (const [build, k] of Object.entries(builds)) {
    const shape = `${build} ${N}x${C}x${OC}`;
    const o = alloc(N * OC), di = alloc(N * C), dwt = alloc(OC * C);
    f32.copyWithin(di / 4, dinp0 / 4, dinp0 / 4 + N * C);
    f32.copyWithin(dwt / 4, dw0 / 4, dw0 / 4 + OC * C);
    // Split in two calls by rows and by columns, as a pool would.
    const hr = Math.floor(N / 2), hc = Math.floor(OC / 2);
    k.matmul(o, inp, w, 0, bias, ws, C, OC, 0, hr, 0, OC);
    k.matmul(o, inp, w, 0, bias, ws, C, OC, hr, N, 0, OC);
    check(`matmul ${shape}`, o, out);
    k.matmul_backward_dinp(di, dout, w, 0, ws, C, OC, 0, N, 0, Math.floor(C / 2));
    k.matmul_backward_dinp(di, dout, w, 0, ws, C, OC, 0, N, Math.floor(C / 2), C);
    check(`matmul_backward_dinp ${shape}`, di, dinp);
    k.matmul_backward_dweight(dwt, dout, inp, ws, N, C, OC, 0, hc, 0, C);
    k.matmul_backward_dweight(dwt, dout, inp, ws, N, C, OC, hc, OC, 0, C);
    check(`matmul_backward_dweight ${shape}`, dwt, dw);
  }
  top = ws + (1 << 20);
}

if (process.argv.includes('--bench')) {
  const [N, C, OC] = [512, 768, 768];
  const inp = fill(N * C), w = fill(OC * C), bias = fill(OC), out = alloc(N * OC);
  for (const [build, k] of Object.entries(builds)) {
    const run = () => k.matmul(out, inp, w, 0, bias, ws, C, OC, 0, N, 0, OC);
    // Timed in process CPU time, so that other processes on the machine do
    // not count; V8 tiers up during the first 0.5 s.
    const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
    for (const t0 = cpu(); cpu() - t0 < 0.5;) run();
    let n = 0;
    const t0 = cpu();
    while (cpu() - t0 < 1.5) { run(); n++; }
    const sec = cpu() - t0;
    console.log(JSON.stringify({ engine: `node ${process.version}`, build, shape: `${N}x${C}x${OC}`, threads: 1, clock: 'cpu', gflops: +(2 * N * C * OC * n / sec / 1e9).toFixed(2) }));
  }
}

if (failed) process.exit(1);
console.log('ok: plain and relaxed builds agree with the float64 reference');
