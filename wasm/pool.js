// The kernel pool of Prefixtune's browser device (wasm/kernels, ABI.md).
//
// createKernels loads the SIMD128 kernel module (kernels_relaxed.wasm when
// the browser validates it, else kernels.wasm) over one arena memory and
// returns the import module "kernels" that the Go device calls through
// //go:wasmimport (wasm/kernels/browser.go):
//
//   const pool = await createKernels();
//   go.importObject.kernels = pool.imports;
//   const { instance } = await WebAssembly.instantiate(bytes, go.importObject);
//   pool.attach(instance);
//   await go.run(instance);
//
// When the page is cross-origin isolated and this runs in a worker (the
// engine worker), the arena is a shared WebAssembly.Memory and helper
// workers, each with its own instance of the module over that memory, take
// the second and later tasks of every call; the calling thread runs the
// first task itself and then waits with Atomics.wait. Tasks reach helpers
// through a SharedArrayBuffer control block. Otherwise everything runs on
// the calling thread over a plain memory, with the same results.
//
// This file is also the helper workers' script (a module worker named
// HELPER).

const HELPER = 'prefixtune-kernel-helper';

// Control block, in int32 slots.
const PENDING = 0;  // helper tasks of the current call not yet done
const FAILED = 1;   // 0, or 1 + the task that threw first
const MSGLEN = 2;   // length of its message
const MSG = 16;     // the message, UTF-16 code units
const MSGCAP = 240;
const SLOTS = MSG + MSGCAP; // helper h's slot: SLOTS + h*SLOT
const SLOT = 32;    // seq (bumped per task), export index, arity, arguments
// A waiting thread polls for SPIN_MS before it sleeps in Atomics.wait:
// waking a sleeping thread costs tens of microseconds, as much as a whole
// matrix-vector product of generation, and the gaps between the ops of a
// step or a generated token are mostly shorter than this.
const SPIN_MS = 1;

const MAX_THREADS = 16;
const PAGE = 65536;

// defaultThreads is the calling thread plus hardwareConcurrency - 1
// helpers, at most 8.
export function defaultThreads() {
  return 1 + Math.min(8, Math.max(0, (globalThis.navigator?.hardwareConcurrency ?? 1) - 1));
}

// createKernels loads the kernels and starts the helpers.
// Options: base, the URL of the directory holding kernels.wasm and
// kernels_relaxed.wasm (default: this file's); threads, the number of
// threads including the calling one (default defaultThreads(); 1 when the
// page is not cross-origin isolated or this is not a worker); build,
// 'auto' (relaxed when valid), 'plain' or 'relaxed'.
export async function createKernels({ base = new URL('./', import.meta.url), threads = defaultThreads(), build = 'auto' } = {}) {
  const shared = globalThis.crossOriginIsolated === true;
  const inWorker = typeof WorkerGlobalScope !== 'undefined';
  if (!shared || !inWorker) threads = 1;
  threads = Math.max(1, Math.min(MAX_THREADS, threads | 0));

  const load = async (name) => {
    const r = await fetch(new URL(name, base));
    if (!r.ok) throw new Error(`kernels: fetching ${r.url}: HTTP ${r.status}`);
    const bytes = new Uint8Array(await r.arrayBuffer());
    return shared ? bytes : unshared(bytes);
  };
  let bytes = null, relaxed = false;
  if (build !== 'plain') {
    bytes = await load('kernels_relaxed.wasm');
    relaxed = WebAssembly.validate(bytes);
    if (!relaxed && build === 'relaxed') throw new Error('kernels: this browser does not support WebAssembly relaxed SIMD');
  }
  if (!relaxed) {
    bytes = await load('kernels.wasm');
    if (!WebAssembly.validate(bytes)) {
      throw new Error('This browser does not support WebAssembly SIMD128, which Prefixtune needs: use a current Chrome, Edge, Firefox or Safari.');
    }
  }
  const module = await WebAssembly.compile(bytes);
  const memory = newMemory(shared);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const names = exportList(module);
  const fns = names.map((name) => instance.exports[name]);

  const ctl = new Int32Array(new (shared ? SharedArrayBuffer : ArrayBuffer)(4 * (SLOTS + SLOT * MAX_THREADS)));
  const helpers = [];
  try {
    for (let h = 0; h + 1 < threads; h++) helpers.push(await startHelper(module, memory, ctl, h));
  } catch (e) {
    helpers.forEach((w) => w.terminate());
    throw e;
  }

  // Views of Go's memory and of the arena, re-made when a memory grows
  // (growth detaches a plain memory's buffer; a shared one gets a new,
  // longer buffer).
  let goMem = null;
  let go8 = new Uint8Array(0), go32 = new Int32Array(0), arena8 = new Uint8Array(0);
  const goBytes = () => {
    if (go8.buffer !== goMem.buffer) { go8 = new Uint8Array(goMem.buffer); go32 = new Int32Array(goMem.buffer); }
    return go8;
  };
  const arenaBytes = () => {
    const buf = memory.buffer;
    if (arena8.buffer !== buf) arena8 = new Uint8Array(buf);
    return arena8;
  };

  const index = [], arity = [];                    // by the Go export number
  const argv = Array.from({ length: 32 }, (_, n) => new Array(n).fill(0)); // by arity
  let lastError = '';
  const encoder = new TextEncoder(), decoder = new TextDecoder();

  const imports = {
    threads: () => threads,
    relaxed: () => (relaxed ? 1 : 0),
    bind(fn, ptr, n, nargs) {
      const name = decoder.decode(goBytes().subarray(ptr >>> 0, (ptr >>> 0) + n));
      const j = names.indexOf(name);
      if (j < 0 || fns[j].length !== nargs || nargs > SLOT - 3) return 1;
      index[fn] = j;
      arity[fn] = nargs;
      return 0;
    },
    run(fn, ptr, tasks) {
      const j = index[fn], n = arity[fn];
      goBytes();
      const at = (ptr >>> 0) >> 2;
      for (let t = 1; t < tasks; t++) {
        const s = SLOTS + SLOT * (t - 1);
        ctl[s + 1] = j;
        ctl[s + 2] = n;
        ctl.set(go32.subarray(at + t * n, at + (t + 1) * n), s + 3);
      }
      if (tasks > 1) {
        Atomics.store(ctl, PENDING, tasks - 1);
        for (let t = 1; t < tasks; t++) {
          const s = SLOTS + SLOT * (t - 1);
          Atomics.add(ctl, s, 1);
          Atomics.notify(ctl, s, 1);
        }
      }
      const a = argv[n];
      for (let i = 0; i < n; i++) a[i] = go32[at + i];
      let bad = 0;
      try {
        fns[j].apply(null, a);
      } catch (e) {
        bad = 1;
        lastError = String(e?.message ?? e);
      }
      if (tasks > 1) {
        for (let p; (p = Atomics.load(ctl, PENDING)) !== 0;) waitWhile(ctl, PENDING, p);
        const failed = Atomics.exchange(ctl, FAILED, 0);
        if (!bad && failed) {
          bad = failed;
          lastError = String.fromCharCode(...ctl.subarray(MSG, MSG + ctl[MSGLEN]));
        }
      }
      return bad;
    },
    error(ptr, n) {
      const b = encoder.encode(lastError);
      goBytes().set(b.subarray(0, n), ptr >>> 0);
      return b.length;
    },
    size: () => memory.buffer.byteLength,
    grow(n) {
      const have = memory.buffer.byteLength;
      if ((n >>>= 0) <= have) return 0;
      try {
        memory.grow(Math.ceil((n - have) / PAGE));
        return 0;
      } catch {
        return 1;
      }
    },
    read(dst, off, n) {
      off >>>= 0;
      goBytes().set(arenaBytes().subarray(off, off + (n >>> 0)), dst >>> 0);
    },
    write(off, src, n) {
      src >>>= 0;
      arenaBytes().set(goBytes().subarray(src, src + (n >>> 0)), off >>> 0);
    },
  };

  return {
    threads, relaxed, shared, memory, imports,
    // attach gives the pool the Go instance whose memory "mem" the
    // forwarders copy to and from; call it before go.run.
    attach(goInstance) { goMem = goInstance.exports.mem; },
    // close stops the helpers; the pool cannot be used after.
    close() { helpers.forEach((w) => w.terminate()); helpers.length = 0; },
  };
}

// newMemory makes the arena: up to 4 GiB, or 1 GiB where the browser
// cannot reserve that much.
function newMemory(shared) {
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 65536, shared });
  } catch {
    return new WebAssembly.Memory({ initial: 1, maximum: 16384, shared });
  }
}

// exportList is the module's exported functions in module order, the same
// on every thread.
function exportList(module) {
  return WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
}

// unshared returns a copy of the module whose imported memory is not
// shared (a plain memory, for pages that are not cross-origin isolated).
function unshared(bytes) {
  const b = bytes.slice();
  let p = 8;
  const leb = () => {
    let r = 0, s = 0, x;
    do { x = b[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
    return r;
  };
  while (p < b.length) {
    const id = b[p++], size = leb(), end = p + size;
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        for (let name = 0; name < 2; name++) { // module and field names
          const len = leb();
          p += len;
        }
        if (b[p++] !== 2) break; // not a memory: the kernels import only one
        b[p] &= ~2;              // limits flags: bit 1 is "shared"
        return b;
      }
    }
    p = end;
  }
  throw new Error('kernels: the kernel module does not import its memory first; it is not a Prefixtune kernel module');
}

// waitWhile returns ctl[i] once it is no longer v: it polls for SPIN_MS,
// then sleeps in Atomics.wait.
function waitWhile(ctl, i, v) {
  let x, deadline = 0;
  for (let n = 1; (x = Atomics.load(ctl, i)) === v; n++) {
    if (n % 256 !== 0) continue;
    const t = performance.now();
    if (deadline === 0) deadline = t + SPIN_MS;
    else if (t > deadline) Atomics.wait(ctl, i, v);
  }
  return x;
}

// startHelper starts helper worker h and waits until its instance is ready.
function startHelper(module, memory, ctl, h) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { type: 'module', name: HELPER });
    const timer = setTimeout(() => {
      w.terminate();
      reject(new Error('kernels: a helper worker did not start within 20 s; pool.js must be served with the same Cross-Origin-Embedder-Policy as the page'));
    }, 20000);
    w.onmessage = ({ data }) => {
      clearTimeout(timer);
      if (data === 'ready') resolve(w);
      else { w.terminate(); reject(new Error(`kernels: helper worker ${h}: ${data}`)); }
    };
    w.onerror = (e) => {
      clearTimeout(timer);
      w.terminate();
      reject(new Error(`kernels: helper worker ${h} failed: ${e.message}`));
    };
    w.postMessage({ module, memory, ctl, h });
  });
}

// helper is the body of a helper worker: run the tasks of slot h forever.
// It never returns to the event loop; the pool terminates it.
function helper({ data: { module, memory, ctl, h } }) {
  let fns;
  try {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    fns = exportList(module).map((name) => instance.exports[name]);
  } catch (e) {
    postMessage(String(e?.message ?? e));
    return;
  }
  postMessage('ready');
  const s = SLOTS + SLOT * h;
  const argv = Array.from({ length: SLOT }, (_, n) => new Array(n).fill(0));
  for (let seen = Atomics.load(ctl, s); ;) {
    seen = waitWhile(ctl, s, seen);
    const n = ctl[s + 2], a = argv[n];
    for (let i = 0; i < n; i++) a[i] = ctl[s + 3 + i];
    try {
      fns[ctl[s + 1]].apply(null, a);
    } catch (e) {
      if (Atomics.compareExchange(ctl, FAILED, 0, h + 2) === 0) {
        const m = String(e?.message ?? e).slice(0, MSGCAP);
        for (let i = 0; i < m.length; i++) ctl[MSG + i] = m.charCodeAt(i);
        ctl[MSGLEN] = m.length;
      }
    }
    if (Atomics.sub(ctl, PENDING, 1) === 1) Atomics.notify(ctl, PENDING);
  }
}

if (typeof WorkerGlobalScope !== 'undefined' && globalThis.name === HELPER) {
  globalThis.onmessage = helper;
}
