// The runner page: starts worker.js with the program and the options of the
// query string (wasm=URL, arg=... repeated, threads=N, build=auto|plain|relaxed)
// and shows its output in #log and its result, JSON, in #result.
const q = new URLSearchParams(location.search);
const status = document.getElementById('status');
const log = document.getElementById('log');
const result = document.getElementById('result');
let text = '';

function done(r) {
  if (result.textContent) return; // errors after the program exited
  status.textContent = r.error ? `error: ${r.error}` :
    `exit ${r.exit}, ${r.threads} thread(s), ${r.relaxed ? 'relaxed' : 'plain'} SIMD, ` +
    `${r.shared ? 'shared' : 'plain'} memory, cross-origin isolated: ${r.isolated}`;
  result.textContent = JSON.stringify(r);
}

const worker = new Worker('worker.js', { type: 'module' });
worker.onmessage = ({ data }) => {
  if ('log' in data) {
    text += data.log;
    log.textContent = text;
  } else {
    done(data);
  }
};
worker.onerror = (e) => done({ exit: -1, error: `the worker failed: ${e.message}` });
worker.postMessage({
  wasm: q.get('wasm'),
  args: q.getAll('arg'),
  threads: q.has('threads') ? Number(q.get('threads')) : undefined,
  build: q.get('build') ?? 'auto',
});
