// search.js: the search page. Starts Pagefind's Default UI on #search, adds a sort control (the
// Default UI takes a sort only when it starts, so a new sort starts it again), opens with the search
// in the address (?q=masked+autoencoder&sort=date:desc) and keeps the address in step as you type.
(function () {
  "use strict";

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
  var ui = null;

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

  function start() {
    var options = {
      element: "#search",
      bundlePath: root.getAttribute("data-bundle-path"),
      showSubResults: false,
      showImages: false,
      showEmptyFilters: false,
      autofocus: !term,
      translations: { placeholder: "Search papers" },
    };
    if (sortKey) options.sort = SORTS[sortKey];
    ui = new PagefindUI(options);
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

  sortSelect.value = sortKey;
  sortRow.hidden = false;
  sortSelect.addEventListener("change", function () {
    sortKey = sortSelect.value;
    syncAddress();
    if (ui) ui.destroy();
    root.textContent = "";
    start();
  });

  syncAddress();
  start();
})();
