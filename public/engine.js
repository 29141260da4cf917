// The page side of the Prefixtune engine: checks what the browser offers,
// starts the engine worker, buffers requests until the engine is ready,
// matches events to requests, and starts a fresh engine when the worker
// dies. A classic script: it defines globalThis.PrefixtuneEngine for pages
// and for Go (syscall/js) alike.
//
//   const engine = PrefixtuneEngine.start({ onEvent(ev) {...} });
//   // options: worker, wasm, wasmExec, pool (URLs, default beside the page:
//   // engine-worker.js, engine.wasm, wasm_exec.js, pool.js, which finds
//   // kernels.wasm beside itself), threads (of the kernel pool), silence
//   // (ms, see below) and test (hooks for the Go engine, wasm/engine/main.go).
//   // globalThis.prefixtuneEngineDefaults, if set, gives defaults for them.
//   const caps = await engine.ready;          // {simd, relaxed, isolated, threads}, device
//   const res = await engine.request('load_data', { file: 0 }, { files: [file], onEvent });
//
// request() resolves with the body of the request's result event (plus its
// type) and rejects with an EngineError {code, message} (core/protocol's
// Error codes). Progress and Token events go to the request's onEvent and
// every event to the engine's onEvent and listeners. The messages are
// core/protocol envelopes; a Go UI can post its own with post(text, files)
// (use either post's ids or request's, not both).
//
// The engine worker dies if it crashes (an error event, or the Go program
// ends) or stops answering: it posts a heartbeat every second that it makes
// progress (engine-worker.js), and while a request runs a silence longer
// than the bound (options.silence, default 30 s, or four times the longest
// silence seen, if longer) counts as death. Then every request it held
// ends with an Error of code engine_stopped, the listeners get one with id
// 0 saying why, and a fresh worker starts (up to 5 times) and sends Ready
// again: the page loads its model again and offers to resume from the last
// checkpoint.
//
// PrefixtuneEngine.clearStorage() deletes what the site stores in the
// browser (the model cache and the saved runs) and says what it removed.
(function () {
  'use strict';

  // (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt))
  const SIMD = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  // the same with i8x16.relaxed_swizzle
  const RELAXED = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15, 253, 128, 2, 11]);

  function validate(bytes) {
    try {
      return WebAssembly.validate(bytes);
    } catch (e) {
      return false;
    }
  }

  // capabilities reports what the browser offers the engine.
  function capabilities() {
    return {
      simd: typeof WebAssembly === 'object' && validate(SIMD),
      relaxed: typeof WebAssembly === 'object' && validate(RELAXED),
      isolated: globalThis.crossOriginIsolated === true,
      threads: (globalThis.navigator && navigator.hardwareConcurrency) || 1,
    };
  }

  class EngineError extends Error {
    constructor(code, message) {
      super(message);
      this.name = 'EngineError';
      this.code = code;
    }
  }

  const TERMINAL_EXCEPT = new Set(['progress', 'token', 'ready']);

  // How often the watchdog looks, and how many times an engine that died
  // is started again before the page gives up.
  const WATCH_MS = 500;
  const MAX_RESTARTS = 5;

  class Engine {
    constructor(opts) {
      opts = Object.assign({}, globalThis.prefixtuneEngineDefaults, opts);
      this.caps = capabilities();
      this.device = '';
      this.restarts = 0; // engines started again after one died
      this._opts = opts;
      this._listeners = new Set();
      if (opts.onEvent) {
        this._listeners.add(opts.onEvent);
      }
      this._pending = new Map(); // id -> {resolve, reject, onEvent}, of request()
      this._inflight = new Set(); // ids of every request posted and not yet answered
      this._buffer = []; // [text, files] posted before ready
      this._nextID = 1;
      this._failed = null;
      this._worker = null;
      this._live = false; // the worker's engine has sent Ready
      this._heard = performance.now(); // the worker's latest message
      this._longest = 0; // the longest silence of the worker so far
      this.ready = new Promise((resolve, reject) => {
        this._ready = resolve;
        this._notReady = reject;
      });
      this.ready.catch(() => {}); // failures also reach every request
      if (!this.caps.simd) {
        this._fail('unsupported', 'This browser cannot run WebAssembly SIMD, which Prefixtune needs: use a current version of Chrome, Edge, Firefox or Safari.');
        return;
      }
      this._spawn();
      this._watch = setInterval(() => this._check(), WATCH_MS);
    }

    // listen calls fn with every event envelope; it returns a function that
    // stops it.
    listen(fn) {
      this._listeners.add(fn);
      return () => this._listeners.delete(fn);
    }

    // post sends a request envelope (JSON text) with the Files or Blobs it
    // names by index.
    post(text, files = []) {
      if (this._failed) {
        return;
      }
      try {
        const id = JSON.parse(text).id;
        if (id) {
          this._inflight.add(id);
        }
      } catch (e) {
        // the engine answers a malformed request itself
      }
      if (this._buffer) {
        this._buffer.push([text, files]);
      } else {
        this._worker.postMessage({ text, files });
      }
    }

    // request sends a request of the given type and body and resolves with
    // its result.
    request(type, body = {}, { files = [], onEvent } = {}) {
      if (this._failed) {
        return Promise.reject(this._failed);
      }
      const id = this._nextID++;
      return new Promise((resolve, reject) => {
        this._pending.set(id, { resolve, reject, onEvent });
        this.post(JSON.stringify({ id, type, body }), files);
      });
    }

    terminate() {
      if (this._worker) {
        this._worker.terminate();
      }
      this._fail('cancelled', 'The engine was stopped.');
    }

    // _spawn starts an engine worker.
    _spawn() {
      const opts = this._opts;
      const base = globalThis.document ? document.baseURI : globalThis.location.href;
      const url = (u, def) => new URL(u || def, base).href;
      let w;
      try {
        w = new Worker(url(opts.worker, 'engine-worker.js'), { type: 'module' });
      } catch (e) {
        this._fail('unsupported', `The engine worker could not start: ${e.message}`);
        return;
      }
      this._worker = w;
      this._live = false;
      this._heard = performance.now();
      w.onmessage = (ev) => {
        if (w !== this._worker) {
          return;
        }
        const now = performance.now();
        this._longest = Math.max(this._longest, now - this._heard);
        this._heard = now;
        if (typeof ev.data === 'string') { // else a heartbeat
          this._receive(ev.data);
        }
      };
      w.onerror = (ev) => {
        ev.preventDefault();
        if (w !== this._worker) {
          return;
        }
        if (this._live) {
          this._died(`it failed (${ev.message || 'no details'})`);
        } else {
          this._fail('internal', `The engine worker failed to load (${ev.message || 'no details'}). If the page is cross-origin isolated, every script needs Cross-Origin-Embedder-Policy: require-corp.`);
        }
      };
      w.postMessage({
        init: {
          caps: this.caps,
          wasm: url(opts.wasm, 'engine.wasm'),
          wasmExec: url(opts.wasmExec, 'wasm_exec.js'),
          pool: url(opts.pool, 'pool.js'),
          threads: opts.threads || 0,
          test: opts.test,
        },
      });
    }

    // _check runs every WATCH_MS: while a request runs, a worker that has
    // sent nothing, not even a heartbeat, for longer than the silence
    // bound is dead. The bound is opts.silence (default 30 s) or four
    // times the longest silence seen so far (a long step), whichever is
    // longer.
    _check() {
      if (this._failed || !this._worker || this._inflight.size === 0) {
        return;
      }
      const quiet = performance.now() - this._heard;
      if (quiet <= Math.max(this._opts.silence || 30000, 4 * this._longest)) {
        return;
      }
      const why = `it did not answer for ${Math.round(quiet / 1000)} s`;
      if (this._live) {
        this._died(why);
      } else {
        this._fail('internal', `The engine did not start: ${why}. Reload the page.`);
      }
    }

    // _died ends every request the dead engine held with an engine_stopped
    // error, tells the listeners (an engine_stopped error with id 0) and
    // starts a fresh engine, which sends Ready when it takes requests.
    _died(reason) {
      if (this._failed) {
        return;
      }
      this._worker.terminate();
      this._worker = null;
      this.restarts++;
      const again = this.restarts <= MAX_RESTARTS;
      const message = again
        ? `The engine stopped: ${reason}. A fresh engine is starting; what it was doing is lost, and a training run can resume from its last checkpoint.`
        : `The engine stopped: ${reason}, for the ${this.restarts}th time. Reload the page.`;
      const lost = [...this._inflight];
      this._inflight.clear();
      this._handle({ id: 0, type: 'error', body: { code: 'engine_stopped', message } });
      for (const id of lost) {
        this._handle({ id, type: 'error', body: { code: 'engine_stopped', message } });
      }
      if (!again) {
        this._fail('engine_stopped', message);
        return;
      }
      this._buffer = [];
      this._spawn();
    }

    _receive(text) {
      let env;
      try {
        env = JSON.parse(text);
      } catch (e) {
        this._fail('internal', `The engine sent a message that is not JSON: ${text}`);
        return;
      }
      if (env.id === 0 && env.type === 'error' && this._live) { // the Go program ended
        this._died(env.body.message);
        return;
      }
      this._handle(env);
    }

    _handle(env) {
      for (const fn of this._listeners) {
        fn(env);
      }
      if (env.type === 'ready') {
        this.device = env.body.device;
        this._live = true;
        const buffered = this._buffer;
        this._buffer = null;
        for (const [t, f] of buffered) {
          this._worker.postMessage({ text: t, files: f });
        }
        this._ready(Object.assign({ device: this.device }, env.body.caps));
        return;
      }
      if (env.id === 0 && env.type === 'error') {
        if (env.body.code !== 'engine_stopped') {
          this._fail(env.body.code, env.body.message);
        }
        return;
      }
      if (!TERMINAL_EXCEPT.has(env.type)) {
        this._inflight.delete(env.id);
      }
      const p = this._pending.get(env.id);
      if (!p) {
        return;
      }
      if (!TERMINAL_EXCEPT.has(env.type)) {
        this._pending.delete(env.id);
        if (env.type === 'error') {
          p.reject(new EngineError(env.body.code, env.body.message));
        } else {
          p.resolve(Object.assign({ type: env.type }, env.body));
        }
      } else if (p.onEvent) {
        p.onEvent(env);
      }
    }

    _fail(code, message) {
      if (this._failed) {
        return;
      }
      clearInterval(this._watch);
      this._failed = new EngineError(code, message);
      this._notReady(this._failed);
      for (const p of this._pending.values()) {
        p.reject(this._failed);
      }
      this._pending.clear();
      this._inflight.clear();
      this._buffer = [];
    }
  }

  // clearStorage deletes everything the site keeps in this browser: every
  // Cache API cache (downloaded model files) and everything in the
  // origin-private file system (saved runs: their checkpoints, history and
  // data). Do not call it while the engine works. It resolves with what
  // it removed: {caches: [{name, files, bytes}], runs, files, bytes},
  // where runs, files and bytes count the file system's part.
  async function clearStorage() {
    const out = { caches: [], runs: 0, files: 0, bytes: 0 };
    if (globalThis.caches) {
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        const c = { name, files: 0, bytes: 0 };
        for (const req of await cache.keys()) {
          const r = await cache.match(req);
          const n = r && r.headers.get('Content-Length');
          c.files++;
          c.bytes += n ? Number(n) : r ? (await r.blob()).size : 0;
        }
        await caches.delete(name);
        out.caches.push(c);
      }
    }
    const storage = globalThis.navigator && navigator.storage;
    if (storage && storage.getDirectory) {
      const root = await storage.getDirectory();
      const walk = async (dir, depth) => {
        for await (const h of dir.values()) {
          if (h.kind === 'file') {
            out.files++;
            out.bytes += (await h.getFile()).size;
          } else {
            out.runs += depth === 2 ? 1 : 0; // prefixtune/runs/<run id>
            await walk(h, depth + 1);
          }
        }
      };
      await walk(root, 0);
      for await (const name of root.keys()) {
        await root.removeEntry(name, { recursive: true });
      }
    }
    return out;
  }

  // bytes decodes the base64 of an exported file (AdapterFiles) into a
  // Uint8Array.
  function bytes(base64) {
    const s = atob(base64);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      out[i] = s.charCodeAt(i);
    }
    return out;
  }

  globalThis.PrefixtuneEngine = {
    capabilities,
    start: (opts = {}) => new Engine(opts),
    bytes,
    clearStorage,
    EngineError,
  };
})();
