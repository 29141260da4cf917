// The page's bootstrap: starts the engine (engine.js), then runs the UI
// (ui.wasm, Go and Vugu) with globalThis.prefixtuneUI, the small bridge it
// uses for what Go cannot do without waiting on JavaScript: posting to the
// engine, fetching the site's own files, reading the start of a file,
// saving a download. Nothing here computes or reads a whole user file.
//
// The Content-Security-Policy forbids eval. Vugu's renderer installs its
// helper script with window.eval: vugu.js is that script as a file, loaded
// first, and the eval below answers only that call (the script returns at
// once when its functions exist); anything else still reaches the real
// eval, which the policy refuses.
(function () {
  'use strict';

  const VUGU_HELPER = '(function(){if(window.vuguRender)return;';

  function showError(message) {
    const boot = document.getElementById('boot');
    if (boot) {
      boot.setAttribute('role', 'alert');
      boot.querySelector('p').textContent = message;
      boot.classList.add('failed');
    }
    console.error(message);
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`${src} did not load: reload the page`));
      document.head.append(s);
    });
  }

  async function start() {
    for (const [name, src] of [['PrefixtuneEngine', 'engine.js'], ['Go', 'wasm_exec.js'], ['vuguRender', 'vugu.js']]) {
      if (!globalThis[name]) {
        await loadScript(src);
      }
    }
    const nativeEval = globalThis.eval;
    globalThis.eval = function (src) {
      if (typeof src === 'string' && src.startsWith(VUGU_HELPER) && globalThis.vuguRender) {
        return undefined;
      }
      return nativeEval(src);
    };

    // Engine messages are kept until the UI listens, so none is lost
    // while ui.wasm loads.
    const engine = PrefixtuneEngine.start();
    let early = [];
    let deliver = null;
    engine.listen((env) => {
      const text = JSON.stringify(env);
      if (deliver) {
        deliver(text);
      } else {
        early.push(text);
      }
    });

    globalThis.prefixtuneUI = {
      post: (text, files) => engine.post(text, files),
      listen(onMessage, onFail) {
        deliver = onMessage;
        for (const text of early) {
          onMessage(text);
        }
        early = null;
        engine.ready.catch((err) => onFail(err.message));
      },
      async fetchFile(url, name) {
        const r = await fetch(url);
        if (!r.ok) {
          throw new Error(`${url}: HTTP ${r.status}`);
        }
        const blob = await r.blob();
        return new File([blob], name, { type: blob.type });
      },
      readText: (file, max) => file.slice(0, max).text(),
      readBytes: async (file, max) => new Uint8Array(await file.slice(0, max).arrayBuffer()),
      makeFile: (bytes, name) => new File([bytes], name),
      save(bytes, name, type) {
        const url = URL.createObjectURL(new Blob([bytes], { type }));
        const a = document.createElement('a');
        a.href = url;
        a.download = name;
        a.hidden = true;
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
      },
    };

    const go = new Go();
    const { instance } = await WebAssembly.instantiateStreaming(fetch('ui.wasm'), go.importObject);
    go.run(instance).then(() => showError('The page stopped. Reload it to start again.'));
  }

  start().catch((err) => showError(`Prefixtune could not start: ${err.message}`));
})();
