// TensorFlow.js's wasm backend (XNNPACK; the threaded SIMD build when the
// page is cross-origin isolated) on out[N,OC] = inp[N,C] @ W + bias, the op
// the kernels' Matmul computes, timed in batches as the kernels are (rates).
//
// W is given as [C,OC], the layout of TensorFlow.js's fast path: with
// transposeB (the kernels' [OC,C]) its matMul leaves XNNPACK for a loop some
// 15 times slower. TensorFlow.js caps its threads at hardwareConcurrency/2,
// whatever setThreadsCount asks; the threads it uses are reported.
const dist = '/node_modules/@tensorflow/tfjs-backend-wasm/dist/';
importScripts('/node_modules/@tensorflow/tfjs-core/dist/tf-core.min.js', dist + 'tf-backend-wasm.min.js');

onmessage = async ({ data: { threads, seconds, shapes } }) => {
  try {
    tf.wasm.setWasmPaths(dist);
    tf.wasm.setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
    const results = [];
    for (const [N, C, OC] of shapes) {
      const a = tf.randomNormal([N, C]), b = tf.randomNormal([C, OC]), bias = tf.randomNormal([OC]);
      // The wasm backend computes when the op is called.
      const { best, median } = rates(2 * N * C * OC / 1e9, seconds, () => tf.fused.matMul({ a, b, bias }).dispose());
      results.push({ shape: `${N}x${C}x${OC}`, gflops: best, median_gflops: median });
      tf.dispose([a, b, bias]);
    }
    postMessage({
      threads: tf.wasm.getThreadsCount(),
      simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
      results,
    });
  } catch (e) {
    postMessage({ error: String(e?.stack ?? e) });
  }
};

// rates returns the best and the median rate, work per second, of f over
// batches of calls of at least 5 ms during seconds s, after a fifth of that
// of warm-up, as timeThreads of tests/browser/kernels/inwasm does on one
// thread.
function rates(work, seconds, f) {
  let got = [];
  for (const span of [seconds / 5, seconds]) {
    got = [];
    for (const start = performance.now(); performance.now() - start < 1000 * span;) {
      let n = 0;
      const t0 = performance.now();
      for (; n < 1 || performance.now() - t0 < 5; n++) f();
      got.push(work * n / ((performance.now() - t0) / 1000));
    }
  }
  got.sort((x, y) => x - y);
  const m = got.length >> 1;
  return { best: got[got.length - 1], median: got.length % 2 ? got[m] : (got[m - 1] + got[m]) / 2 };
}
