// search-worker.js: Pagefind's own web worker (pagefind/pagefind-worker.js), for search.js, which runs one
// Pagefind instance per index (shard) of the archive in a few such workers and merges their results.
//
// Every bundle holds a copy of Pagefind's WASM, and every instance fetches the copy of its own bundle: here
// they all get the main bundle's, fetched once, so a search page pays for the WASM once per worker (and the
// HTTP cache makes the later workers' copies free). The bundle is given in this script's address: ?bundle=/pagefind/
//
// Pagefind skips an index or filter chunk it cannot load, for as long as the page is open, and says nothing:
// a search then finds fewer papers, or none, as if the archive had no more. So a file of the index is fetched
// again after a dropped connection (before or while its body comes) or a server error (RETRY_AFTER_MS), and a chunk
// that still cannot be loaded is reported to the page ({partMissing: its address}), which says that papers may be
// missing.
"use strict";
(function () {
  const RETRY_AFTER_MS = [300, 1000];  // the waits before a second and a third try
  const CHUNK = /\.pf_(?:index|filter)(?:[?#]|$)/;
  const bundle = new URL(self.location.href).searchParams.get("bundle") || "/pagefind/";
  const fetchFromNetwork = self.fetch.bind(self);
  const transient = (response) => response.status >= 500 || response.status === 408 || response.status === 429;

  async function fetchAgain(input, init) {
    const url = typeof input === "string" ? input : String(input.url || input);
    for (let attempt = 0; ; attempt++) {
      let response = null;
      let error = null;
      try {
        response = await fetchFromNetwork(input, init);
        if (response.ok && CHUNK.test(url)) {
          // a chunk's body is read here: a connection dropped half-way through it fails the read, which
          // Pagefind would take for a chunk it cannot load (and skip, without a word)
          const bytes = await response.arrayBuffer();
          response = new Response(bytes, { status: response.status, statusText: response.statusText, headers: response.headers });
        }
      } catch (failure) {
        response = null;
        error = failure;
      }
      if ((response && !transient(response)) || attempt === RETRY_AFTER_MS.length) {
        if (CHUNK.test(url) && !(response && response.ok)) self.postMessage({ partMissing: url });
        if (error) throw error;
        return response;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS[attempt]));
    }
  }

  const wasm = {};
  self.fetch = (input, init) => {
    const name = /\/(wasm\.[\w-]+\.pagefind)$/.exec(typeof input === "string" ? input : String(input.url || input));
    if (!name) return fetchAgain(input, init);
    if (!wasm[name[1]]) {
      const loading = fetchAgain(bundle + name[1]).then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status + " for " + bundle + name[1]);
        return response.arrayBuffer();
      });
      wasm[name[1]] = loading;
      loading.catch(() => { if (wasm[name[1]] === loading) delete wasm[name[1]]; });  // a later instance tries again
    }
    return wasm[name[1]].then((bytes) => new Response(bytes.slice(0)));
  };
  self.importScripts(bundle + "pagefind-worker.js");
})();
