// Drives the engine for tests/engine: phase1 before the reload, phase2
// after it. Each returns what the Go test compares with the native run.
'use strict';

function start() {
  return PrefixtuneEngine.start({ worker: '/engine-worker.js', wasm: '/engine.wasm', wasmExec: '/wasm_exec.js' });
}

// fixture returns a file of tests/reference/gpt2 as a File object, as a
// file picker would give it.
async function fixture(path, name) {
  const r = await fetch('/fixtures/' + path);
  if (!r.ok) {
    throw new Error(`${path}: HTTP ${r.status}`);
  }
  return new File([await r.blob()], name);
}

// train runs a training request to its end, keeping every step's log.
async function train(engine, options) {
  const log = [];
  const result = await engine.request('train', { options }, {
    onEvent: (ev) => { if (ev.body.log) { log.push(...ev.body.log); } },
  });
  return { result, log, adapter: await engine.request('export_adapter', { base_model: 'test/tiny-gpt2' }) };
}

// code returns the error code of a request that must fail.
async function code(promise) {
  try {
    await promise;
    return 'no error';
  } catch (e) {
    return e.code;
  }
}

async function loadModel(engine, hub) {
  const phases = new Set();
  const model = await engine.request('load_model', { hub: { base: hub, repo: 'test/tiny-gpt2' } }, {
    onEvent: (ev) => phases.add(ev.body.phase),
  });
  return { model, phases: [...phases].sort() };
}

async function phase1(hub, prompt, parity, long) {
  const engine = start();
  const out = { caps: await engine.ready };
  out.errors = { early: await code(engine.request('describe_data', {})) };
  Object.assign(out, await loadModel(engine, hub));
  out.data = await engine.request('load_data', { file: 0 }, { files: [await fixture('data.jsonl', 'data.jsonl')] });
  out.stats = await engine.request('describe_data', { seq_len: 16, prefix_len: 5 });
  out.imported = await engine.request('import_adapter', { config: 0, weights: 1 }, {
    files: [await fixture('init_adapter/adapter_config.json', 'adapter_config.json'),
      await fixture('init_adapter/adapter_model.safetensors', 'adapter_model.safetensors')],
  });
  out.eval = await engine.request('evaluate', {});
  out.tokens = [];
  out.generated = await engine.request('generate', { prompt, prefixed: true, max_tokens: 8 }, {
    onEvent: (ev) => out.tokens.push(ev.body),
  });
  out.estimate = await engine.request('estimate', { options: parity });
  out.parity = await train(engine, parity);
  out.whole = await train(engine, long);

  // The same run again, paused as soon as its first progress arrives.
  let paused = null;
  out.pausedLog = [];
  out.pausedRun = await engine.request('train', { options: long }, {
    onEvent: (ev) => {
      if (ev.body.log) {
        out.pausedLog.push(...ev.body.log);
        paused = paused || engine.request('pause');
      }
    },
  });
  out.paused = await paused;
  out.list = await engine.request('list_checkpoints');
  out.errors.badFile = await code(engine.request('load_data', { file: 3 }));
  out.errors.badOption = await code(engine.request('train', { options: { schedule: 'sawtooth' } }));
  out.errors.unknownField = await code(engine.request('train', { options: { learning_rate: 1 } }));
  // The same model from files, as a folder picker gives them.
  const names = ['config.json', 'model.safetensors', 'tokenizer.json'];
  const files = await Promise.all(names.map((f) => fixture('model/' + f, f)));
  out.fromFiles = await engine.request('load_model', { files: [2, 0, 1] }, { files });
  out.errors.noModelFiles = await code(engine.request('load_model', { files: [0] }, { files: [files[0]] }));
  engine.terminate();
  return out;
}

async function phase2(hub, runID, long) {
  const engine = start();
  const out = { caps: await engine.ready };
  Object.assign(out, await loadModel(engine, hub));
  out.list = await engine.request('list_checkpoints');
  out.loaded = await engine.request('load_checkpoint', { run_id: runID });
  out.resumedLog = [];
  out.resumed = await engine.request('resume', {}, {
    onEvent: (ev) => { if (ev.body.log) { out.resumedLog.push(...ev.body.log); } },
  });
  out.adapter = await engine.request('export_adapter', { base_model: 'test/tiny-gpt2' });

  // A long run stopped by Cancel at its first progress.
  let cancelled = null;
  out.cancelCode = await code(engine.request('train', { options: Object.assign({}, long, { steps: 1000000, save_every: 0 }) }, {
    onEvent: (ev) => { if (ev.body.log) { cancelled = cancelled || engine.request('cancel'); } },
  }));
  out.cancelled = await cancelled;
  out.deleted = await engine.request('delete_checkpoint', { run_id: runID });
  out.errors = { gone: await code(engine.request('load_checkpoint', { run_id: runID })) };
  engine.terminate();
  return out;
}
