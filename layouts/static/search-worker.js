// search-worker.js: Pagefind's own web worker (pagefind/pagefind-worker.js), for search.js, which runs one
// Pagefind instance per index (shard) of the archive in a few such workers and merges their results.
//
// Every bundle holds a copy of Pagefind's WASM, and every instance fetches the copy of its own bundle: here
// they all get the main bundle's, fetched once, so a search page pays for the WASM once per worker (and the
// HTTP cache makes the later workers' copies free). The bundle is given in this script's address: ?bundle=/pagefind/
"use strict";
(function () {
  const bundle = new URL(self.location.href).searchParams.get("bundle") || "/pagefind/";
  const fetchFromNetwork = self.fetch.bind(self);
  const wasm = {};
  self.fetch = (input, init) => {
    const name = /\/(wasm\.[\w-]+\.pagefind)$/.exec(typeof input === "string" ? input : String(input.url || input));
    if (!name) return fetchFromNetwork(input, init);
    if (!wasm[name[1]]) wasm[name[1]] = fetchFromNetwork(bundle + name[1]).then((response) => response.arrayBuffer());
    return wasm[name[1]].then((bytes) => new Response(bytes.slice(0)));
  };
  self.importScripts(bundle + "pagefind-worker.js");
})();
