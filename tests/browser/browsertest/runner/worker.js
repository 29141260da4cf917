// The runner worker: creates the kernel pool, runs the Go program with it
// as the import module "kernels", forwards the program's output and posts
// its exit code and the pool's configuration.
import '../wasm_exec.js';
import { createKernels } from '../pool.js';

onmessage = async ({ data: { wasm, args, threads, build } }) => {
  const decoder = new TextDecoder();
  globalThis.fs.writeSync = (fd, buf) => {
    postMessage({ log: decoder.decode(buf, { stream: true }) });
    return buf.length;
  };
  const info = { isolated: globalThis.crossOriginIsolated === true, hardwareConcurrency: navigator.hardwareConcurrency };
  try {
    const pool = await createKernels({ threads, build });
    Object.assign(info, { threads: pool.threads, relaxed: pool.relaxed, shared: pool.shared });
    const go = new Go();
    go.argv = ['js', ...args];
    let exit = -1;
    go.exit = (code) => { exit = code; };
    go.importObject.kernels = pool.imports;
    const { instance } = await WebAssembly.instantiateStreaming(fetch(wasm), go.importObject);
    pool.attach(instance);
    await go.run(instance);
    pool.close();
    postMessage({ ...info, exit });
  } catch (e) {
    postMessage({ ...info, exit: -1, error: String(e?.stack ?? e) });
  }
};
