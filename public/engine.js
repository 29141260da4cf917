// The page side of the Prefixtune engine: checks what the browser offers,
// starts the engine worker, buffers requests until the engine is ready, and
// matches events to requests. A classic script: it defines
// globalThis.PrefixtuneEngine for pages and for Go (syscall/js) alike.
//
//   const engine = PrefixtuneEngine.start({ onEvent(ev) {...} });
//   // options: worker, wasm, wasmExec, pool (URLs, default beside the page:
//   // engine-worker.js, engine.wasm, wasm_exec.js, pool.js, which finds
//   // kernels.wasm beside itself) and threads (of the kernel pool).
//   const caps = await engine.ready;          // {simd, relaxed, isolated, threads}, device
//   const res = await engine.request('load_data', { file: 0 }, { files: [file], onEvent });
//
// request() resolves with the body of the request's result event (plus its
// type) and rejects with an EngineError {code, message} (core/protocol's
// Error codes). Progress and Token events go to the request's onEvent and
// every event to the engine's onEvent and listeners. The messages are
// core/protocol envelopes; a Go UI can post its own with post(text, files)
// (use either post's ids or request's, not both).
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

  class Engine {
    constructor(opts) {
      this.caps = capabilities();
      this.device = '';
      this._listeners = new Set();
      if (opts.onEvent) {
        this._listeners.add(opts.onEvent);
      }
      this._pending = new Map(); // id -> {resolve, reject, onEvent}
      this._buffer = []; // [text, files] posted before ready
      this._nextID = 1;
      this._failed = null;
      this._worker = null;
      this.ready = new Promise((resolve, reject) => {
        this._ready = resolve;
        this._notReady = reject;
      });
      this.ready.catch(() => {}); // failures also reach every request
      if (!this.caps.simd) {
        this._fail('unsupported', 'This browser cannot run WebAssembly SIMD, which Prefixtune needs: use a current version of Chrome, Edge, Firefox or Safari.');
        return;
      }
      const base = globalThis.document ? document.baseURI : globalThis.location.href;
      const url = (u, def) => new URL(u || def, base).href;
      try {
        this._worker = new Worker(url(opts.worker, 'engine-worker.js'), { type: 'module' });
      } catch (e) {
        this._fail('unsupported', `The engine worker could not start: ${e.message}`);
        return;
      }
      this._worker.onmessage = (ev) => this._receive(ev.data);
      this._worker.onerror = (ev) => {
        ev.preventDefault();
        this._fail('internal', `The engine worker failed to load (${ev.message || 'no details'}). If the page is cross-origin isolated, every script needs Cross-Origin-Embedder-Policy: require-corp.`);
      };
      this._worker.postMessage({
        init: {
          caps: this.caps,
          wasm: url(opts.wasm, 'engine.wasm'),
          wasmExec: url(opts.wasmExec, 'wasm_exec.js'),
          pool: url(opts.pool, 'pool.js'),
          threads: opts.threads || 0,
        },
      });
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

    _receive(text) {
      let env;
      try {
        env = JSON.parse(text);
      } catch (e) {
        this._fail('internal', `The engine sent a message that is not JSON: ${text}`);
        return;
      }
      for (const fn of this._listeners) {
        fn(env);
      }
      if (env.type === 'ready') {
        this.device = env.body.device;
        const buffered = this._buffer;
        this._buffer = null;
        for (const [t, f] of buffered) {
          this._worker.postMessage({ text: t, files: f });
        }
        this._ready(Object.assign({ device: this.device }, env.body.caps));
        return;
      }
      if (env.id === 0 && env.type === 'error') {
        this._fail(env.body.code, env.body.message);
        return;
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
      this._failed = new EngineError(code, message);
      this._notReady(this._failed);
      for (const p of this._pending.values()) {
        p.reject(this._failed);
      }
      this._pending.clear();
      this._buffer = [];
    }
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
    EngineError,
  };
})();
