// search.js: the search page, on Pagefind's JS API (pagefind/pagefind.js).
//
// What it loads, and when: Pagefind's runtime, its WASM and the index metadata as soon as the page
// opens (so the first query does not wait for them); for a query, only the index chunks of its words
// and the fragments of the ten results on screen; the filter values only when the filter panel is
// opened (or the address holds a filter). An archive split into several indexes (papermirror/search/shards.py)
// is searched through static/search-shards.js, which merges them as one index would rank the archive.
//
// The address is the search: /search/?q=masked+autoencoder&sort=date:desc&year=2024&keyword=…
// opens with its results, and typing, sorting and filtering keep it in step (history.replaceState).
// Titles, authors and excerpts are put on the page as text (the excerpt's matched words in <mark>).
(function () {
  "use strict";

  const root = document.getElementById("search");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const input = $("search-input");
  const sortSelect = $("search-sort");
  const filtersPanel = $("search-filters");
  const filterGroups = $("search-filter-groups");
  const filterCount = $("search-filter-count");
  const filterFound = $("search-filter-found");
  const filtersLoading = $("search-filters-loading");
  const statusLine = $("search-status");
  const list = $("search-results");
  const moreButton = $("search-more");
  const headerBox = $("site-search");
  const bundle = root.getAttribute("data-bundle-path");
  const paperLine = $("search-paper");

  const PAGE_SIZE = 10;
  const DEBOUNCE_MS = 120;
  const SLOW_MS = 400;  // a search running longer says "Searching…"
  const FIRST_VALUES = 12;  // values shown per filter group before "Show all"
  const GROUPS = [["year", "Year"], ["month", "Month"], ["keyword", "Keyword"], ["organization", "Organization"], ["code", "Has code"],
    ["linked", "On Hugging Face"]];
  const LINKED_LABELS = { model: "Has a model", dataset: "Has a dataset", space: "Has a Space" };
  const SORTS = { "date:desc": { date: "desc" }, "upvotes:desc": { upvotes: "desc" } };
  // Words on nearly every abstract, left out of a query that has other words (as lunr.py does in the
  // terminal): they narrow nothing, and Pagefind's time grows with the pages a word is on.
  const STOP_WORDS = new Set(("a an and are as at be by for from in into is it of on or our that the " +
    "their this to we with").split(" "));

  $("search-nojs").hidden = true;
  if ($("search-loading")) $("search-loading").hidden = true;
  root.hidden = false;

  // The search, as the address holds it. Without bidirectional controls: a link's ?q= that began with a
  // right-to-left override showed the status line's own words backwards, and whatever text it held as the
  // page's (no paper's text has them: the snapshot drops them, paper.BIDI_CONTROLS).
  const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;
  const typedText = (text) => text.replace(BIDI_CONTROLS, "").trim();
  const params = new URLSearchParams(window.location.search);
  let term = typedText(params.get("q") || "");
  let sortKey = Object.prototype.hasOwnProperty.call(SORTS, params.get("sort")) ? params.get("sort") : "";
  const chosen = {};
  for (const [group] of GROUPS) chosen[group] = new Set(params.getAll(group).map(typedText).filter(Boolean));
  input.value = term;
  sortSelect.value = sortKey;

  // A count with its thousands grouped as the pages write it (templates.grouped): "9,877" on an English site;
  // on any other, from 10,000 on, with a narrow no-break space.
  const LANGUAGE = (document.documentElement.getAttribute("lang") || "en").toLowerCase();
  function grouped(count) {
    const n = Number(count);
    if (!Number.isInteger(n)) return String(count);
    const english = n.toLocaleString("en-US");
    if (LANGUAGE === "en" || LANGUAGE.startsWith("en-")) return english;
    return Math.abs(n) >= 10000 ? english.replace(/,/g, "\u202f") : String(n);
  }

  // "1 paper", "2 papers"; `many` for an irregular plural.
  function plural(count, one, many) {
    return grouped(count) + " " + (Number(count) === 1 ? one : many || one + "s");
  }

  function chosenCount() {
    return GROUPS.reduce((sum, [group]) => sum + chosen[group].size, 0);
  }

  function syncAddress() {
    const next = new URLSearchParams();
    if (term) next.set("q", term);
    if (sortKey) next.set("sort", sortKey);
    for (const [group] of GROUPS) for (const value of chosen[group]) next.append(group, value);
    const query = next.toString();
    const url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      window.history.replaceState(null, "", url);
    }
    if (headerBox && document.activeElement !== headerBox) headerBox.value = term;
    filterCount.textContent = chosenCount() ? "(" + chosenCount() + " chosen)" : "";
  }

  // Pagefind, loaded once, through static/search-shards.js (shards.json lists the archive's indexes with their
  // pages and words), which ranks several as one index would and says which word stood in for a word no paper
  // has; Pagefind's own API when there is no such list or script.
  let pagefindReady = null;
  let archiveEmpty = false;
  function noPapers() {
    // an archive without papers (a fork before its first snapshot): there is no index to load; a search finds
    // nothing, and says why, not "the search index could not be loaded"
    archiveEmpty = true;
    const none = { results: [], filters: {}, totalFilters: {}, unfilteredResultCount: 0 };
    return { search: async () => none, filters: async () => ({}) };
  }
  function pagefind() {
    if (!pagefindReady && root.hasAttribute("data-archive-empty")) {
      // the page was built for an empty archive: nothing to ask the server for (a deploy that brings papers brings
      // this page without the mark)
      pagefindReady = Promise.resolve(noPapers());
    }
    if (!pagefindReady) {
      // read past the HTTP cache (GitHub Pages keeps a file 10 minutes: a cached list may name indexes a deploy
      // removed), once: for the indexes to open, and as the index this page opened (indexStamp)
      const opening = indexFiles();
      openedIndex = opening.then(indexStamp);
      pagefindReady = (async () => {
        let shards = [];
        const listed = (await opening)[1];
        try {
          shards = JSON.parse(listed || "[]");
        } catch (error) { /* no shards file, or not one: one index */ }
        if (listed && Array.isArray(shards) && !shards.length) return noPapers();  // the index stage lists no index
        if (Array.isArray(shards) && shards.length && window.papermirrorShards) {
          return window.papermirrorShards.open(bundle, shards);
        }
        const api = await import(bundle + "pagefind.js");
        await api.init();
        return api;
      })();
      pagefindReady.catch(failed);
    }
    return pagefindReady;
  }

  // Results.
  let generation = 0;
  let results = [];
  let shown = 0;
  let settled = 0;  // the generation whose whole results are drawn
  let settledAnswer = null;  // the words and filter counts of that search, for the filter panel opened after it
  let countedFrom = Infinity;  // the first search run with the filter index loaded: earlier ones' counts may lack it
  let counted = 0;  // the generation whose counts are shown or being asked for (counted once)
  let totalCounts = null;  // every paper's counts, shown when nothing is searched for

  // The excerpt: EXCERPT_WORDS words of the abstract around the most matched words, cut with "…". Pagefind's own
  // excerpt is taken from the whole indexed text, which begins with the title and the authors; paper.html marks
  // where the abstract and the keywords begin (Pagefind's anchors), and the words and matches come from the
  // result's plain text (Pagefind splits it at white space, as here). The AI summary is not indexed.
  const EXCERPT_WORDS = 36;

  function textRegions(data) {
    const words = (data.content || "").split(/[\r\n\s]+/);
    const at = {};
    for (const anchor of data.anchors || []) at[anchor.id] = anchor.location;
    const end = at.keywords !== undefined ? at.keywords : words.length;
    const regions = at.abstract !== undefined ? [[at.abstract, end]] : [];
    return { words, regions: regions.filter(([from, to]) => to > from) };
  }

  function bestWindow(regions, weights) {
    // The region with the most matched weight, and in it the window of EXCERPT_WORDS words with the most,
    // moved so that its matched words sit in the middle (the region's start when nothing matched).
    let best = null;
    for (const [from, to] of regions) {
      for (let start = from; start === from || start + EXCERPT_WORDS <= to; start++) {
        let sum = 0;
        for (let i = start; i < Math.min(to, start + EXCERPT_WORDS); i++) sum += weights[i] || 0;
        if (!best || sum > best.sum) best = { sum, from, to, start };
      }
    }
    if (!best || !best.sum) return best;
    const hits = Object.keys(weights).map(Number).filter((i) => i >= best.start && i < best.start + EXCERPT_WORDS);
    const middle = (Math.min(...hits) + Math.max(...hits)) / 2;
    best.start = Math.max(best.from, Math.min(best.to - EXCERPT_WORDS, Math.round(middle - EXCERPT_WORDS / 2)));
    return best;
  }

  function excerptNodes(data) {
    const { words, regions } = textRegions(data);
    const out = document.createDocumentFragment();
    const weights = {};
    for (const found of data.weighted_locations || []) weights[found.location] = (weights[found.location] || 0) + (found.balanced_score || 1);
    const best = bestWindow(regions, weights);
    if (!best) return out;
    const stop = Math.min(best.to, best.start + EXCERPT_WORDS);
    const marked = new Set(data.locations || []);
    if (best.start > best.from) out.appendChild(document.createTextNode("\u2026"));
    for (let i = best.start; i < stop; i++) {
      if (i > best.start) out.appendChild(document.createTextNode(" "));
      if (marked.has(i)) {
        const mark = document.createElement("mark");
        mark.textContent = words[i];
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(words[i]));
      }
    }
    if (stop < best.to) out.appendChild(document.createTextNode("\u2026"));
    return out;
  }

  // A result's day as the pages write it ("14 March 2025", contexts.human_day), from its datetime (meta "day"):
  // the index holds the day once, not its words too.
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December"];
  function humanDay(day) {
    const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || "");
    return parts && MONTHS[Number(parts[2]) - 1] ? `${Number(parts[3])} ${MONTHS[Number(parts[2]) - 1]} ${parts[1]}` : "";
  }

  function resultItem(data) {
    const meta = data.meta || {};
    const item = document.createElement("li");
    item.className = "search-result";
    const heading = document.createElement("h2");
    const link = document.createElement("a");
    link.className = "search-result-link";
    link.href = /^\//.test(data.url) ? data.url : "#";  // Pagefind's URLs are site paths
    link.textContent = meta.title || data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    const facts = [humanDay(meta.day), meta.authors, meta.upvotes !== undefined ? plural(meta.upvotes, "upvote") : ""].filter(Boolean);
    if (facts.length) {
      const line = document.createElement("p");
      line.className = "search-result-meta";
      line.textContent = facts.join(" · ");
      item.appendChild(line);
    }
    const excerpt = document.createElement("p");
    excerpt.className = "search-result-excerpt";
    excerpt.appendChild(excerptNodes(data));
    if (excerpt.hasChildNodes()) item.appendChild(excerpt);  // a paper without an abstract has none
    return item;
  }

  let loadingFor = null;  // the search whose next results are being loaded
  async function showMore(mine, focusFirst) {
    if (loadingFor === mine) return;  // a second click while the first one's results load would repeat them
    loadingFor = mine;
    moreButton.disabled = true;
    let next, data;
    try {
      next = await results.slice(shown, shown + PAGE_SIZE);  // a sorted merge of shards merges as it goes
      data = await Promise.all(next.map((result) => result.data()));
    } finally {
      if (loadingFor === mine) {
        loadingFor = null;
        moreButton.disabled = false;
      }
    }
    if (mine !== generation) return;
    const items = data.map(resultItem);
    // a search's first results replace the list's in one step: cleared before they were loaded, the list would
    // flash empty (and the page jump) on every key typed
    if (shown === 0) list.replaceChildren(...items);
    else list.append(...items);
    shown += next.length;
    if (shown > PAGE_SIZE) window.history.replaceState({ shown }, "");  // for Back from a result (below)
    const left = results.length - shown;
    moreButton.hidden = left <= 0;
    moreButton.textContent = left > PAGE_SIZE ? "Show " + PAGE_SIZE + " more of " + grouped(left) + " remaining" : "Show " + left + " more";
    if (focusFirst && items.length) items[0].querySelector("a").focus();
  }

  function pagefindFilters() {
    const filters = {};
    for (const [group] of GROUPS) {
      if (chosen[group].size) filters[group] = { any: Array.from(chosen[group]) };
    }
    return filters;
  }

  function failed() {
    root.hidden = true;
    $("search-failed").hidden = false;
  }

  // The index as this page opened it. Each deploy (the daily run) replaces the index and removes the old one's
  // files, which a page opened before then still asks for: Pagefind skips an index file it cannot load (fewer
  // or no results, without a word) and a result whose file is gone cannot be shown. So the page asks again
  // (pagefind-entry.json, the newest index's, and shards.json, which names every index of an archive of several
  // by its hashes: a few hundred bytes) when a search finds nothing or fails, and after a found one at most
  // every STALE_CHECK_MS; if they changed, it says so and offers to load the page again (its address holds the
  // search).
  const STALE_CHECK_MS = 15000;
  let openedIndex = null;
  let lastCheck = 0;
  let unreachable = false;  // the last check could not read the index's files: offline, or the server failing
  function indexFiles() {
    // [pagefind-entry.json, shards.json] as text: null when it cannot tell (offline, a server error); shards.json
    // missing (404) is "", an archive of one index
    const read = (name, missing) => fetch(bundle + name + "?ts=" + Date.now(), { cache: "no-store" })
      .then((response) => (response.ok ? response.text() : response.status === 404 ? missing : null))
      .catch(() => null);
    return Promise.all([read("pagefind-entry.json", null), read("shards.json", "")]);
  }
  const indexStamp = (files) => (files.includes(null) ? null : files.join("\n"));
  const staleNote = $("search-stale");  // none in a search.html older than this script
  async function indexReplaced(force) {
    if (!openedIndex || !staleNote) return false;
    if (!staleNote.hidden) return true;
    if (!force && Date.now() - lastCheck < STALE_CHECK_MS) return false;
    lastCheck = Date.now();
    const [before, now] = await Promise.all([openedIndex, indexFiles().then(indexStamp)]);
    unreachable = now === null;
    if (before === null || now === null || before === now) return false;
    staleNote.hidden = false;
    return true;
  }
  if (staleNote) $("search-reload").addEventListener("click", () => window.location.reload());
  async function searchFailed() {
    if (!(await indexReplaced(true))) return failed();
    // not "could not be loaded": the index this page opened is gone; the note above says what to do
    list.textContent = "";
    results = [];
    moreButton.hidden = true;
    statusLine.textContent = "This search could not be run on the index this page was opened with.";
  }

  // One Pagefind search at a time: a search asked for while one runs waits for it, and of several
  // such only the newest runs (a search for a common word can take a second on a big archive, and
  // the searches for each half-typed word must not queue up behind it).
  let running = false;
  let again = false;
  async function runSearch() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    list.setAttribute("aria-busy", "true");  // for screen readers (and tests): the results are being replaced
    // A search still running after SLOW_MS (the index loading on a slow connection) says so, where the status line
    // still showed the last search's count over its results (style.css dims them meanwhile).
    const before = statusLine.textContent;
    const slow = setTimeout(() => {
      if (running && statusLine.textContent === before) statusLine.textContent = "Searching\u2026";
    }, SLOW_MS);
    try {
      do {
        again = false;
        await search();
      } while (again);
    } catch (error) {
      await searchFailed();
    } finally {
      clearTimeout(slow);
      running = false;
      list.removeAttribute("aria-busy");
    }
  }

  // The terminal search's field: prefixes (author:xie), left out of what is searched.
  const FIELD_PREFIX = /(^|\s)(?:title|author|keyword|abstract|summary|id):/giu;
  // Typographic quotes (pasted from a PDF, or put in by a phone's keyboard) are quotes too.
  const straightQuotes = (typed) => typed.replace(/[\u201c\u201d\u201e\u201f\u00ab\u00bb]/g, '"');
  // Pagefind makes a phrase of a query only when quotes hold the whole of it; elsewhere they are dropped, and
  // each word searched (the page says so: PHRASE_NOTE).
  const WHOLE_PHRASE = /^\s*"[^"]+"\s*$/;
  const isPartPhrase = (asked) => {
    const words = searchedWords(asked);
    return words.includes('"') && !WHOLE_PHRASE.test(words);
  };

  function searchedWords(typed) {
    // Pagefind's index holds words without their symbols ("S^2" as s2, "iBOT++" as ibot), but its search keeps
    // them in the words typed, which then match nothing: they are taken out here, as the index took them out.
    // A terminal search's field: prefix goes too ("author:xie" would be searched as the word "authorxie").
    const plain = straightQuotes(typed).replace(FIELD_PREFIX, "$1");
    const unsymbolled = plain.replace(/\p{S}/gu, "");
    return unsymbolled.trim() ? unsymbolled : plain;
  }

  // A quoted phrase's papers are ranked as its words are (Pagefind scores every page holding a phrase alike): the
  // words as the same query unquoted searches them, stop words left out; null for a query that is no phrase.
  function rankWords(typed) {
    const words = searchedWords(typed);
    return WHOLE_PHRASE.test(words) ? pagefindTerm(words.replace(/"/g, " ")) : null;
  }

  function pagefindTerm(typed) {
    const words = searchedWords(typed);
    if (WHOLE_PHRASE.test(words)) return words;  // an exact phrase, as typed
    const kept = words.replace(/"/g, " ").split(/\s+/).filter((word) => word && !STOP_WORDS.has(word.toLowerCase()));
    return kept.length ? kept.join(" ") : words;
  }

  // An arXiv id, or an arXiv or Hugging Face address of a paper, also leads straight to the paper when the archive
  // has it: the index reads titles, authors, abstracts and keywords, not ids, so it would find other papers.
  // (the address may come without its scheme, and with a query or a fragment: ?utm_source=..., #section)
  const ARXIV_ID = /^\s*(?:arxiv:\s*|(?:https?:\/\/)?(?:www\.)?(?:arxiv\.org\/(?:abs|pdf)|huggingface\.co\/papers)\/)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?(?:\.pdf)?\/?(?:[?#]\S*)?\s*$/i;
  // The terminal search's syntax (lunr's -word, +word and field:word) is not this page's: every word counts.
  const UNSUPPORTED = /(?:^|\s)[-+]\p{L}|(?:^|\s)(?:title|author|keyword|abstract|summary|id):/iu;
  const UNSUPPORTED_NOTE = " (Here every word counts as typed: -word, +word and field: are not understood.)";
  // AND, OR, NOT in capitals, as typed for a search engine's operators: "CLIP OR DINO" found the papers holding both,
  // and "CLIP NOT DINO" papers about DINO, without a word
  const OPERATORS = /(?:^|\s)(?:AND|OR|NOT)(?=\s|$)/u;
  const OPERATORS_NOTE = " (AND, OR and NOT are words here, not operators: the papers found hold every word.)";
  const PHRASE_NOTE = " (Quotes make a phrase only around the whole query: here each word was searched.)";
  // A part of the index that could not be loaded (search-shards.js: the connection dropped, or the server failed
  // three times) is left out of every search until the page is loaded again.
  const PART_MISSING_NOTE = " (A part of the search index could not be loaded, so papers may be missing: "
    + "load the page again to search all of it.)";

  // A word no paper has a word beginning with: said, with the word that stood in for it, if one did
  // (search-shards.js's standIn: "dinov4" finds DINO papers; "vjepa" nothing, not an author's initial V.).
  function standInNote(asked, found) {
    const terms = found.terms || [];
    const typed = pagefindTerm(asked).toLocaleLowerCase().split(/\s+/).filter(Boolean);
    const shown = (k) => (typed.length === terms.length ? typed[k] : terms[k]);
    const notes = (found.standIns || []).map((standIn, k) => {
      if (!standIn) return "";
      return standIn.taken ? "no paper has a word beginning with \u201c" + shown(k) + "\u201d: these have \u201c"
        + standIn.word + "\u201d" : "no paper has a word beginning with \u201c" + shown(k) + "\u201d";
    }).filter(Boolean);
    if (!notes.length || (!results.length && terms.length === 1 && !found.standIns[0].taken)) return "";
    const text = notes.join("; ");
    return " (" + text[0].toLocaleUpperCase() + text.slice(1) + ".)";
  }

  async function showPaperById(asked, mine) {
    paperLine.hidden = true;
    paperLine.textContent = "";
    const id = ARXIV_ID.exec(asked || "");
    if (!id) return false;
    const address = bundle.replace(/pagefind\/$/, "") + "papers/" + id[1] + "/";
    let page;
    try {
      const response = await fetch(address);
      if (!response.ok) return false;
      page = new DOMParser().parseFromString(await response.text(), "text/html");  // parsed, never run
    } catch (error) {
      return false;
    }
    if (mine !== generation) return false;
    const heading = page.querySelector("h1");
    const own = heading && /^title:/.test(heading.dataset.pagefindMeta || "") ? heading.dataset.pagefindMeta.slice(6) : "";
    const title = (own || (heading ? heading.textContent : "")).trim();  // as the results show it (paper.html)
    const link = document.createElement("a");
    link.href = address;
    link.textContent = title || id[1];
    paperLine.append(`arXiv ${id[1]} in this archive: `, link);
    paperLine.hidden = false;
    return true;
  }

  async function search() {
    const mine = ++generation;
    const asked = term;  // the words this search is for (typing may go on while it runs)
    syncAddress();
    const byId = showPaperById(asked, mine);  // awaited only for the status line: the search goes on meanwhile
    if (!asked && !chosenCount()) {
      list.textContent = "";
      results = [];
      shown = 0;
      moreButton.hidden = true;
      statusLine.textContent = "";
      if (filterFound) filterFound.textContent = "";
      if (totalCounts) showCounts(totalCounts);
      return;
    }
    const api = await pagefind();
    // A term of null asks Pagefind for every page that passes the filters. An archive of several indexes
    // shows the newest one's first matches while the others are searched (`early`), then the whole list.
    const early = async (first) => {
      if (mine !== generation || settled === mine || !first.results.length) return;
      const data = await Promise.all(first.results.slice(0, PAGE_SIZE).map((result) => result.data()));
      if (mine !== generation || settled === mine) return;
      list.replaceChildren(...data.map(resultItem));
      moreButton.hidden = true;
      statusLine.textContent = "The newest papers that match; searching the rest of the archive\u2026";
    };
    const found = await api.search(asked ? pagefindTerm(asked) : null, { filters: pagefindFilters(), sort: SORTS[sortKey] || {} },
      sortKey ? null : early, asked ? rankWords(asked) : null);
    if (mine !== generation || !found) return;
    settled = mine;
    settledAnswer = { asked, filters: found.filters };
    results = found.results;
    shown = 0;
    await showMore(mine, false);
    // Back from a result of this page: as many results as were shown when it was left, and its place on them.
    for (const upTo = returning ? returning.shown || 0 : 0; shown < Math.min(upTo, results.length) && mine === generation;) {
      await showMore(mine, false);
    }
    if (mine !== generation) return;
    if (returning) {
      if (returning.scrollY) window.scrollTo(0, returning.scrollY);
      returning = null;
    }
    // a quoted phrase is named as one, its quotes not nested in the status's own
    // as typed between its quotes ("S^2", not the S2 searched), without a field: prefix
    const typed = asked ? straightQuotes(asked).replace(FIELD_PREFIX, "$1") : "";
    const phrase = rankWords(typed) !== null ? typed.slice(typed.indexOf('"') + 1, typed.lastIndexOf('"')).trim() : "";
    const what = phrase ? " for the phrase \u201c" + phrase + "\u201d" : asked ? " for \u201c" + asked + "\u201d" : "";
    const narrowed = chosenCount() ? " with the chosen filters" : "";
    // an id the archive holds: the paper's link (paperLine) is the answer, not "No papers found" (the live status
    // line is what a screen reader says)
    const idFound = !results.length && (await byId);
    if (mine !== generation) return;
    // also in the filter panel's heading, which stays in sight while the panel is scrolled (on a phone the open
    // panel is taller than the screen: a ticked filter changed nothing one could see)
    if (filterFound) filterFound.textContent = "\u00b7 " + plural(results.length, "paper") + " found";
    statusLine.textContent = archiveEmpty ? "The archive holds no papers yet, so a search finds nothing: they come with "
      + "the first snapshot." : (results.length
      ? plural(results.length, "paper") + " found" + what + narrowed
      : idFound ? "The paper " + ARXIV_ID.exec(asked)[1] + " is in this archive: its link is below. No other paper mentions it"
        + narrowed + "."
      : "No papers found" + what + narrowed + ". Try other or fewer words, or remove a filter.")
      + (asked && UNSUPPORTED.test(asked) && !ARXIV_ID.test(asked) ? UNSUPPORTED_NOTE : "")
      + (asked && OPERATORS.test(asked) ? OPERATORS_NOTE : "")
      + (asked && isPartPhrase(asked) ? PHRASE_NOTE : "")
      // which words the archive lacks is not known while a part of its index is missing
      + (found.partMissing ? PART_MISSING_NOTE : asked ? standInNote(asked, found) : "");
    if (countedFrom !== Infinity && counted !== mine) {  // before the panel has its values, the panel counts
      counted = mine;
      const counts = await searchCounts(api, asked, found.filters, mine);
      if (mine !== generation) return;
      showCounts(counts);
    }
    const none = !results.length;
    // a part that could not be loaded may be one a deploy removed: then the note on the new index says what to do
    if (archiveEmpty) return;  // no index to be replaced or unreachable
    indexReplaced(none || Boolean(found.partMissing)).then((replaced) => {  // not awaited: the next search need not wait for it
      if (replaced && none && mine === generation) {
        statusLine.textContent = "No papers found" + what + narrowed + " in the index this page was opened with.";
      } else if (none && unreachable && mine === generation) {
        // Pagefind skips a part of the index it cannot load: "nothing found" may only mean "nothing loaded"
        statusLine.textContent = "No papers found" + what + narrowed + ", but the search index could not be reached "
          + "(offline?), so papers may be missing. Try again when connected.";
      }
    });
  }

  let timer = null;
  function searchSoon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(runSearch, DEBOUNCE_MS);
  }

  // Filters: drawn when the panel first opens, from Pagefind's filter index.
  let filtersShown = false;
  const countSpans = {};

  function filterValue(group, value, count) {
    const label = document.createElement("label");
    label.className = "search-filter-value";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = group;
    box.value = value;
    box.checked = chosen[group].has(value);
    label.appendChild(box);
    const shown = group === "code" ? (value === "yes" ? "With code" : "Without code")
      : group === "linked" && Object.prototype.hasOwnProperty.call(LINKED_LABELS, value) ? LINKED_LABELS[value] : value;
    label.appendChild(document.createTextNode(" " + shown + " "));
    const counter = document.createElement("span");
    counter.className = "search-filter-n";
    counter.textContent = "(" + grouped(count) + ")";
    label.appendChild(counter);
    countSpans[group + "\u0000" + value] = counter;
    return label;
  }

  function drawFilters(all) {
    filterGroups.textContent = "";
    for (const [group, title] of GROUPS) {
      // A value chosen in the address that the index does not have (an old link: keyword filters change
      // when the month turns) is drawn too, ticked with its count of 0, so that it can be unticked.
      const counts = Object.assign(Object.create(null), all[group] || {});  // a value "constructor" is no method
      for (const value of chosen[group]) if (!(value in counts)) counts[value] = 0;
      let values = Object.keys(counts);
      if (!values.length) continue;
      if (group === "year" || group === "month") values.sort().reverse();
      else values.sort((a, b) => counts[b] - counts[a] || a.localeCompare(b));
      // Chosen values first, so a long group never hides what is ticked.
      values = values.filter((v) => chosen[group].has(v)).concat(values.filter((v) => !chosen[group].has(v)));
      const fieldset = document.createElement("fieldset");
      fieldset.className = "search-filter-group";
      const legend = document.createElement("legend");
      legend.textContent = title;
      fieldset.appendChild(legend);
      const first = Math.max(FIRST_VALUES, chosen[group].size);
      for (const value of values.slice(0, first)) fieldset.appendChild(filterValue(group, value, counts[value]));
      if (values.length > first) {
        const rest = document.createElement("button");
        rest.type = "button";
        rest.className = "search-filter-all";
        rest.textContent = "Show all " + values.length + " " + title.toLowerCase() + " values";
        rest.addEventListener("click", () => {
          const firstNew = filterValue(group, values[first], counts[values[first]]);
          fieldset.insertBefore(firstNew, rest);
          for (const value of values.slice(first + 1)) fieldset.insertBefore(filterValue(group, value, counts[value]), rest);
          rest.remove();
          firstNew.querySelector("input").focus();
        });
        fieldset.appendChild(rest);
      }
      filterGroups.appendChild(fieldset);
    }
  }

  // The values of one group are alternatives (any of them), so each group's counts are those of a search with
  // every filter but its own: a ticked year must not show the other years as (0) when ticking one would add
  // papers. Pagefind counts within all the chosen filters, so a group with values chosen costs a search more.
  async function countsBesideChoices(api, asked, counts) {
    const all = Object.assign({}, counts);
    const chosenGroups = GROUPS.map(([group]) => group).filter((group) => chosen[group].size);
    const searches = chosenGroups.map((group) => {
      const others = pagefindFilters();
      delete others[group];
      return api.search(asked ? pagefindTerm(asked) : null, { filters: others, sort: {} });
    });
    (await Promise.all(searches)).forEach((found, i) => {
      if (found && found.filters) all[chosenGroups[i]] = found.filters[chosenGroups[i]] || {};
    });
    return all;
  }

  // The counts of a search's results for the filter panel. A search run before the panel loaded the filter
  // index (Pagefind loads it on demand, an index of several shards one shard at a time) may have counted
  // without it: its counts are asked for again.
  async function searchCounts(api, asked, counts, mine) {
    if (mine < countedFrom) {
      const again = await api.search(asked ? pagefindTerm(asked) : null, { filters: pagefindFilters(), sort: {} });
      counts = again ? again.filters : counts;
    }
    return countsBesideChoices(api, asked, counts);
  }

  function showCounts(counts) {
    if (!counts) return;
    for (const key of Object.keys(countSpans)) {
      const [group, value] = key.split("\u0000");
      const n = counts[group] && Object.hasOwn(counts[group], value) ? counts[group][value] : 0;
      countSpans[key].textContent = "(" + grouped(n) + ")";
    }
  }

  async function openFilters() {
    if (filtersShown) return;
    filtersShown = true;
    try {
      const api = await pagefind();
      totalCounts = await api.filters();
      drawFilters(totalCounts);
      filtersLoading.hidden = true;
      // The counts of the results shown, without running their search again, which would draw the list anew
      // (the results a reader has shown with "more" gone). A search still running counts them when it ends.
      const mine = generation;
      countedFrom = mine + 1;
      if (settled === mine && counted !== mine && settledAnswer && (settledAnswer.asked || chosenCount())) {
        counted = mine;
        const counts = await searchCounts(api, settledAnswer.asked, settledAnswer.filters, mine);
        if (mine === generation) showCounts(counts);
      }
    } catch (error) {
      filtersLoading.textContent = "The filters could not be loaded.";
    }
  }

  filtersPanel.addEventListener("toggle", () => { if (filtersPanel.open) openFilters(); });
  filterGroups.addEventListener("change", (event) => {
    const box = event.target;
    if (!box || box.type !== "checkbox") return;
    if (box.checked) chosen[box.name].add(box.value);
    else chosen[box.name].delete(box.value);
    runSearch();
  });
  input.addEventListener("input", () => {
    term = typedText(input.value);
    searchSoon();
  });
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    window.clearTimeout(timer);
    term = typedText(input.value);
    runSearch();
  });
  sortSelect.addEventListener("change", () => {
    sortKey = sortSelect.value;
    runSearch();
  });
  moreButton.addEventListener("click", () => showMore(generation, true).catch(searchFailed));
  // The browser cannot put a reader back on the results it drew after the page loaded: the page does it, from
  // what it kept in its history entry when it was left (how many results were shown, and where it was).
  let returning = window.history.state && window.history.state.shown ? window.history.state : null;
  if (returning) window.history.scrollRestoration = "manual";
  window.addEventListener("pagehide", () => {  // the first ten too: they are drawn after the browser would scroll
    if (shown > 0) window.history.replaceState({ shown, scrollY: window.scrollY }, "");
  });

  if (chosenCount()) filtersPanel.open = true;  // the toggle event draws them
  if (!term) input.focus();
  syncAddress();
  if (term || chosenCount()) runSearch();
  else pagefind();  // load the index now, so the first query only fetches its own words
})();
