// abkernels' page: two builds of the kernel module (/a.wasm and /b.wasm,
// ABI: wasm/kernels/ABI.md), each over its own memory with the same inputs,
// run in alternating windows of ms milliseconds (query ?windows=&ms=) op by
// op on this one thread, so that both see the same state of a shared host.
// It writes one JSON object into #result: per op, the median time of a
// call of each and the median over adjacent windows of A's time over B's,
// and the largest difference between their outputs relative to A's
// largest output.

const q = new URLSearchParams(location.search);
const windows = +(q.get('windows') ?? 40), ms = +(q.get('ms') ?? 100);
const WS = 1 << 20; // a GEMM call's workspace (ABI.md)

// The ops: the arguments of one call, given the byte offsets of its
// buffers, which setup fills with the same numbers in both memories.
// Buffers are [name, floats, fill]; fill(i) is float i's value, or
// 'int:' + V for target ids below V.
const ops = [
  op('matmul 512x768x768', [['out', 512 * 768], ['inp', 512 * 768, sin(0.37)], ['w', 768 * 768, sin(0.11)], ['bias', 768, sin(1.3)], ['ws', WS / 4]],
    (b) => ['matmul', b.out, b.inp, b.w, 0, b.bias, b.ws, 768, 768, 0, 512, 0, 768], 'out'),
  op('matvec 1x768x3072', [['out', 3072], ['inp', 768, sin(0.37)], ['w', 3072 * 768, sin(0.11)], ['bias', 3072, sin(1.3)]],
    (b) => ['matvec', b.out, b.inp, b.w, 0, b.bias, 768, 0, 3072], 'out'),
  op('crossentropy 32x50257', [['losses', 32], ['logits', 32 * 50257, sin(0.7, 3)], ['targets', 32, 'int:50257']],
    (b) => ['crossentropy', b.losses, b.logits, b.targets, 50257, 0, 32], 'losses'),
  op('crossentropy_backward 32x50257', [['dlogits', 32 * 50257], ['logits', 32 * 50257, sin(0.7, 3)], ['targets', 32, 'int:50257'], ['dlosses', 32, () => 1 / 32]],
    (b) => ['crossentropy_backward', b.dlogits, b.logits, b.targets, b.dlosses, 50257, 0, 32], 'dlogits'),
  op('gelu 512x3072', [['out', 512 * 3072], ['inp', 512 * 3072, sin(0.37, 4)]],
    (b) => ['gelu', b.out, b.inp, 0, 512 * 3072], 'out'),
  op('gelu_backward 512x3072', [['dinp', 512 * 3072], ['inp', 512 * 3072, sin(0.37, 4)], ['dout', 512 * 3072, sin(0.9)]],
    (b) => ['gelu_backward', b.dinp, b.inp, b.dout, 0, 512 * 3072], 'dinp'),
];

function op(name, buffers, args, output) { return { name, buffers, args, output }; }
function sin(step, scale = 1) { return (i) => scale * Math.sin(i * step); }

async function load(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  const module = await WebAssembly.compile(await r.arrayBuffer());
  return (pages) => {
    const memory = new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true });
    return { memory, exports: new WebAssembly.Instance(module, { env: { memory } }).exports };
  };
}

// setup lays out o's buffers from byte 1024 (below it: reserved, ABI.md)
// in a fresh instance of the module and returns the call, and a call whose
// output is compared.
function setup(make, o) {
  const at = {};
  let top = 1024;
  for (const [name, n] of o.buffers) { at[name] = top; top += Math.ceil(4 * n / 64) * 64; }
  const { memory, exports } = make(Math.ceil(top / 65536) + 1);
  const f32 = new Float32Array(memory.buffer), i32 = new Int32Array(memory.buffer);
  for (const [name, n, fill] of o.buffers) {
    if (typeof fill === 'string') { const V = +fill.slice(4); for (let i = 0; i < n; i++) i32[at[name] / 4 + i] = (i * 7919) % V; }
    else if (fill) for (let i = 0; i < n; i++) f32[at[name] / 4 + i] = fill(i);
  }
  const [fn, ...a] = o.args(at);
  if (typeof exports[fn] !== 'function') throw new Error(`the module has no export ${fn}`);
  const n = o.buffers.find(([name]) => name === o.output)[1];
  const out = f32.subarray(at[o.output] / 4, at[o.output] / 4 + n);
  // once is a call on a zeroed output (backward kernels add to theirs).
  const once = () => { out.fill(0); exports[fn](...a); return out; };
  return { call: () => exports[fn](...a), once };
}

// perCall runs call for ms milliseconds (at least once) and returns the
// milliseconds a call took.
function perCall(call, ms) {
  const t0 = performance.now();
  let n = 0;
  do { call(); n++; } while (performance.now() - t0 < ms);
  return (performance.now() - t0) / n;
}

function median(x) { const s = [...x].sort((p, q) => p - q); return s[s.length >> 1]; }

try {
  const [a, b] = await Promise.all([load('/a.wasm'), load('/b.wasm')]);
  const results = [];
  for (const o of ops) {
    const A = setup(a, o), B = setup(b, o);
    perCall(A.call, 5 * ms); perCall(B.call, 5 * ms); // V8 tiers up
    const ta = [], tb = [], ratio = [];
    for (let w = 0; w < windows; w++) {
      const x = perCall(A.call, ms), y = perCall(B.call, ms);
      ta.push(x); tb.push(y); ratio.push(x / y);
    }
    const oa = A.once(), ob = B.once();
    let diff = 0, big = 0;
    for (let i = 0; i < oa.length; i++) { diff = Math.max(diff, Math.abs(oa[i] - ob[i])); big = Math.max(big, Math.abs(oa[i])); }
    results.push({ op: o.name, a_ms: median(ta), b_ms: median(tb), a_over_b: median(ratio), max_rel_diff: diff / (big || 1) });
  }
  document.getElementById('result').textContent = JSON.stringify({ results });
} catch (e) {
  document.getElementById('result').textContent = JSON.stringify({ error: String(e?.message ?? e) });
}
