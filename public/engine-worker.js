// The Prefixtune engine worker, a module worker. public/engine.js starts it
// and posts one message, {init: {caps, wasm, wasmExec, pool, threads,
// test}}; the worker loads Go's wasm_exec.js and the kernel pool
// (wasm/pool.js: the SIMD128 kernels over one arena, with helper workers
// when the page is cross-origin isolated), runs engine.wasm over them, and
// the Go engine takes over onmessage and answers with a "ready" event. If
// the engine cannot start or stops, the worker posts an "error" event with
// id 0.
//
// The worker posts a heartbeat, the number 1 rather than an envelope, at
// most once a second while the engine makes progress, so that the page can
// tell a busy engine from a dead or hung one: from a timer whenever its
// event loop is free (between training steps, while it awaits the
// browser), and from inside long computations, which keep the event loop
// busy (a validation pass, tokenising a large file): on calls to the
// kernels and on the Go runtime's clock reads. init.test holds test hooks
// for the Go engine (globalThis.prefixtuneTest; see wasm/engine/main.go).
// The worker also gives the engine the pool's size (prefixtunePoolThreads).

let started = false;
let lastBeat = 0;

function beat() {
  const now = performance.now();
  if (now - lastBeat >= 1000) {
    lastBeat = now;
    self.postMessage(1);
  }
}

// beating returns fn, which also beats.
function beating(fn) {
  return (...args) => {
    beat();
    return fn(...args);
  };
}

setInterval(beat, 1000);

function fatal(message) {
  self.postMessage(JSON.stringify({ id: 0, type: 'error', body: { code: 'internal', message } }));
}

self.onmessage = async (ev) => {
  const init = ev.data && ev.data.init;
  if (!init || started) {
    return;
  }
  started = true;
  try {
    await import(init.wasmExec); // defines globalThis.Go
    const { createKernels } = await import(init.pool);
    const pool = await createKernels(init.threads ? { threads: init.threads } : {});
    self.prefixtuneCaps = init.caps;
    self.prefixtuneTest = init.test;
    const resp = await fetch(init.wasm);
    if (!resp.ok) {
      throw new Error(`${init.wasm}: HTTP ${resp.status}`);
    }
    const go = new Go();
    go.importObject.kernels = Object.assign({}, pool.imports, { run: beating(pool.imports.run) });
    self.prefixtunePoolThreads = pool.threads;
    const clock = go.importObject.gojs;
    clock['runtime.nanotime1'] = beating(clock['runtime.nanotime1']);
    const { instance } = await WebAssembly.instantiate(await resp.arrayBuffer(), go.importObject);
    pool.attach(instance);
    // The engine's main never returns: ending means it crashed (a Go panic,
    // or memory ran out) or found no device.
    go.run(instance).then(
      () => fatal('the engine stopped (it ran out of memory or failed; the browser console has details): reload the page'),
      (err) => fatal(`the engine failed: ${err && err.message}; reload the page`));
  } catch (err) {
    fatal(`the engine could not start: ${err && err.message}`);
  }
};
