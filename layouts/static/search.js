// search.js: the search page. Starts Pagefind's Default UI on #search, adds a sort control, opens
// with the search in the address (?q=masked+autoencoder&sort=date:desc) and keeps the address in
// step as you type, so the address is the search to bookmark or share.
(function () {
  "use strict";

  var FOCUS_SORT = "papermirror-focus-sort";
  var SORTS = { "date:desc": { date: "desc" }, "upvotes:desc": { upvotes: "desc" } };
  var root = document.getElementById("search");
  var sortRow = document.getElementById("search-sort-row");
  var sortSelect = document.getElementById("search-sort");
  var headerBox = document.getElementById("site-search");
  if (!root) return;
  document.getElementById("search-nojs").hidden = true;
  if (typeof PagefindUI === "undefined") {
    document.getElementById("search-failed").hidden = false;
    return;
  }

  var params = new URLSearchParams(window.location.search);
  var term = (params.get("q") || "").trim();
  var sortKey = Object.prototype.hasOwnProperty.call(SORTS, params.get("sort")) ? params.get("sort") : "";

  function syncAddress() {
    var next = new URLSearchParams();
    if (term) next.set("q", term);
    if (sortKey) next.set("sort", sortKey);
    var query = next.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      window.history.replaceState(null, "", url);
    }
    if (headerBox && document.activeElement !== headerBox) headerBox.value = term;
  }

  // A big archive has one Pagefind index per year (see papermirror/index.py): pagefind/shards.json
  // lists the older years' bundles, merged into the newest one's search.
  function startWithShards() {
    var bundle = root.getAttribute("data-bundle-path");
    var shards = window.fetch ? fetch(bundle + "shards.json").then(function (response) {
      return response.ok ? response.json() : [];
    }) : Promise.resolve([]);
    shards.catch(function () { return []; }).then(function (names) {
      start(bundle, Array.isArray(names) ? names : []);
    });
  }

  function start(bundle, shards) {
    var options = {
      element: "#search",
      bundlePath: bundle,
      showSubResults: false,
      showImages: false,
      showEmptyFilters: true,
      autofocus: !term && !sortKey,
      translations: { placeholder: "Search papers" },
    };
    if (sortKey) options.sort = SORTS[sortKey];
    if (shards.length) options.mergeIndex = shards.map(function (name) { return { bundlePath: bundle + name }; });
    var ui = new PagefindUI(options);
    var input = root.querySelector(".pagefind-ui__search-input");
    if (input) {
      input.id = "search-input";  // for the visible <label> above the interface
      input.type = "search";
      document.getElementById("search-label").hidden = false;
    }
    if (term) ui.triggerSearch(term);
  }

  root.addEventListener("input", function (event) {
    if (event.target && event.target.classList.contains("pagefind-ui__search-input")) {
      term = event.target.value.trim();
      syncAddress();
    }
  });

  // The Default UI takes its sort only when it starts, and stopping it mid-search can leave its
  // worker dead, so a new sort loads the page again with the new address (the index files come
  // from the browser's cache) and puts the focus back on the sort control.
  sortSelect.value = sortKey;
  sortRow.hidden = false;
  sortSelect.addEventListener("change", function () {
    sortKey = sortSelect.value;
    syncAddress();
    try { window.sessionStorage.setItem(FOCUS_SORT, "1"); } catch (error) { /* private mode: no focus return */ }
    window.location.reload();
  });
  try {
    if (window.sessionStorage.getItem(FOCUS_SORT)) {
      window.sessionStorage.removeItem(FOCUS_SORT);
      sortSelect.focus();
    }
  } catch (error) { /* storage unavailable */ }

  syncAddress();
  startWithShards();
})();
