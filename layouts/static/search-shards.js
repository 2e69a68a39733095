// search-shards.js: one search over the archive's Pagefind indexes (shards, papermirror/search/shards.py),
// ranked as one index of the whole archive would rank it (but for the two departures below). Used by search.js (window.papermirrorShards).
//
// Pagefind's own mergeIndex sums the indexes' results as each index scored them, with its own page count,
// average page length and word counts (BM25); orders a sorted search by each page's place in its own index;
// and falls back to the nearest word in each index on its own. Here each index is a Pagefind instance of its
// own (in a few web workers, static/search-worker.js), asked in "playground mode", which reports what each
// score is made of; the scores are then computed again with the whole archive's figures:
//   score = sum over matched words w of m(w) * idf(w) * tf(w)  +  sum over meta fields f of weight(f) * M * (M / T)^2
// with idf(w) = ln((N - n(w) + 0.5) / (n(w) + 0.5) + 1) over the N pages of the archive and the n(w) containing
// w; tf(w) BM25's saturated term frequency against the archive's average page length; m(w) = 1.8 when the typed
// word and w begin one another (else 1, as for the stem "scale" of "scaling": Pagefind 1.5); M the idf of the
// query terms matched in field f (title, authors) and T that of all of them (term idfs from the pages each term
// matches). Each instance's own scores are computed the same way from its own figures first: if one differs
// from Pagefind's, the merge falls back to Pagefind's scores (the order may then differ from one index's).
// Two departures from Pagefind, so that a query term counts once however many words of a page it matched
// (judged on the recorded stream, benchmarks/search_relevance.py): (1) M counts each query term once. Pagefind
// lists, in a small index, every title word a term matched ("Video-Foley: ... Video-To-Sound Generation" matched
// video, videofoley and videotosound for "video") and adds the term's idf for each, so M exceeded T and the
// title's weight grew with its hyphenated words: "video generation" ranked such titles first (174.8 against 20.8)
// in an index of 2,209 papers, but not in one of 9,877, which listed the term once. (2) The words a term matched
// on a page are added up before BM25 saturates them: tf(t) = saturated sum of m(w)/m* tf(w) over t's words w,
// times m* (the largest m(w)), where Pagefind saturates each word on its own and adds them up, so "sampling ...
// samples ... samplers" (two stems: sampl, sampler) outranked six times "SAM" for the query SAM.
// A sorted search merges the indexes' sorted lists by the value sorted on (meta "day" or "upvotes", read from
// each list's next result). A query word that no index has words beginning with falls back to the longest
// word that begins it, as one index does: only the indexes holding the longest such word answer; but a word
// that is only a scrap of it ("v" for "vjepa") is not taken: the word then matches nothing (`standIn`). An
// archive of one index is searched here too (one instance), for the same rule and the words that stood in.
// An answer says `partMissing` once a chunk of an index could not be loaded (search-worker.js tries it three
// times): Pagefind leaves it out of this search and every later one, so papers may be missing from them.
//
// Speed: the newest index starts first and its own first matches are handed to `early` while the others
// are searched (Pagefind spends 25-40 us on each page a word is on, more in a bigger index, so a common
// word takes the big indexes a while: benchmarks/search_cost.py); the whole ranked list follows, without
// asking the newest index again. Which words an index matched for a query term is seen in its results
// when one of them begins with the term; otherwise it is learnt from a search for that term alone (kept
// for the next queries), unless the query was that.
(function () {
  "use strict";

  const MAX_WORKERS = 4;
  const REST_AFTER_MS = 1000;  // when the older indexes start loading on a page opened without a search
  const EXTENSION_BONUS = 1.8;  // Pagefind 1.5's factor of a word that begins, or is begun by, the typed word
  const K1 = 1.4;  // Pagefind's default term saturation
  const B = 0.75;  // and page length weight
  const SORT_META = { date: "day", upvotes: "upvotes" };
  const STAND_IN_LETTERS = 3;  // the shortest word taken for a query term no word begins with (standIn)
  const STAND_IN_SHARE = 0.5;  // and the least share of that term it must be
  const scriptUrl = document.currentScript ? document.currentScript.src : window.location.href;

  function normalised(term) {
    // What Pagefind searches for: lower case, without punctuation, single spaces.
    return term.toLocaleLowerCase().replace(/[\p{Pd}\p{Pe}\p{Pf}\p{Pi}\p{Po}\p{Ps}]/gu, "").replace(/\s+/g, " ").trim();
  }

  function idf(pages, containing) {
    return Math.log((pages - containing + 0.5) / (containing + 0.5) + 1);
  }

  function containingFromIdf(pages, value) {
    // The pages a term matches, from the idf Pagefind reports for it over `pages` pages.
    const x = Math.exp(value) - 1;
    return Math.max(0, Math.round((pages + 0.5 - 0.5 * x) / (x + 1)));
  }

  function saturated(weighted, page, stats) {
    // BM25's term frequency of a weighted count on a page
    return (K1 + 1) * weighted / (K1 * (1 - B + B * (page.document_length / stats.averageLength)) + weighted);
  }

  function wordScore(word, page, stats) {
    const weighted = word.params.weighted_term_frequency * word.params.length_bonus;
    return idf(stats.pages, stats.containing(word.search_term)) * saturated(weighted, page, stats);
  }

  function score(result, stats, bonus) {
    let total = 0;
    const found = result.scores || [];
    const terms = stats.termOf && found.length > 1 ? found.map((word) => stats.termOf(word.search_term)) : null;
    if (terms && terms.some((k, i) => terms.indexOf(k) !== i)) {
      // the page's (departure 2, at the top): each query term's words added up, then saturated once (a term with
      // one word is scored as Pagefind scores it)
      const byTerm = new Map();
      found.forEach((word, i) => {
        const entry = byTerm.get(terms[i]) || { words: [], top: 0 };
        entry.words.push(word);
        entry.top = Math.max(entry.top, bonus(word.search_term));
        byTerm.set(terms[i], entry);
      });
      for (const { words, top } of byTerm.values()) {
        const weighted = words.reduce((sum, word) => sum + word.params.weighted_term_frequency * word.params.length_bonus
          * bonus(word.search_term) / top, 0);
        total += top * idf(stats.pages, stats.containing(words[0].search_term)) * saturated(weighted, result.params, stats);
      }
    } else {
      for (const word of found) total += bonus(word.search_term) * wordScore(word, result.params, stats);
    }
    const all = stats.termIdfs.reduce((sum, value) => sum + value, 0);
    // the fields in a fixed order: Pagefind lists a page's matched fields (title, authors) in no fixed order, and a
    // sum's last digit follows the order (equal scores then swapped places from one search to the next)
    const fields = (result.verbose_meta_scores || []).slice().sort(ascending("field_name"));
    for (const field of fields) {
      const matched = stats.matchedIdf(field.matched_terms);
      if (all > 0) total += field.field_weight * matched * (matched / all) ** 2;
    }
    return total;
  }

  // Workers: each runs Pagefind instances for some shards (round robin), spoken to by message.
  function workerPool(bundle, count, partMissing) {
    const url = new URL("search-worker.js", scriptUrl);
    const pending = new Map();
    let next = 0;
    const workers = [];
    for (let i = 0; i < count; i++) {
      const worker = new Worker(url.pathname + "?bundle=" + encodeURIComponent(bundle) + "&" + new URL(scriptUrl).search.slice(1));
      worker.addEventListener("message", (event) => {
        // a chunk of an index the worker could not load (search-worker.js), reported before the answer it is missing from
        if (event.data.partMissing) return partMissing(event.data.partMissing);
        const waiting = pending.get(event.data.id);
        if (!waiting) return;
        pending.delete(event.data.id);
        if (event.data.error) waiting.reject(new Error(event.data.error));
        else waiting.resolve(event.data.result);
      });
      worker.addEventListener("error", (event) => {
        for (const waiting of pending.values()) waiting.reject(new Error("search worker failed: " + event.message));
        pending.clear();
      });
      workers.push(worker);
    }
    return (index, instanceId, method, args) => new Promise((resolve, reject) => {
      const id = "m" + next++;
      pending.set(id, { resolve, reject });
      workers[index % workers.length].postMessage({ id, instanceId, method, args });
    });
  }

  async function open(bundle, shards) {
    const count = Math.max(1, Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 2, shards.length));
    const missing = new Set();  // chunks Pagefind skipped: it does not ask for them again while the page is open
    const call = workerPool(bundle, count, (url) => missing.add(url));
    const language = (document.documentElement.getAttribute("lang") || "unknown").toLowerCase();
    const instances = shards.map((shard, index) => ({
      index, bundle: bundle + shard.bundle, pages: shard.pages, words: shard.words, id: "shard" + index,
      ask: (method, args) => call(index, "shard" + index, method, args),
      known: new Map(),  // term -> {word: pages containing it} in this shard, once known in full
    }));
    // A worker's instances share one WASM module: the first one of each worker loads it before the others
    // start (two loading at once would each make one, and the first one's pointers would be stale).
    const firstOfWorker = [];
    const start = (shard) => {
      if (!shard.ready) {
        const slot = shard.index % count;
        const before = shard.index < count ? Promise.resolve() : firstOfWorker[slot] || Promise.resolve();
        shard.ready = before.then(async () => {
          await shard.ask("init", [{ basePath: shard.bundle, language, primary: true }]);
          await shard.ask("enterPlaygroundMode", []);  // resolves once the instance has its WASM and metadata
        });
        if (shard.index < count) firstOfWorker[slot] = shard.ready;
      }
      return shard.ready;
    };
    // The newest index first (the first results of a search come from it); the others after a search's
    // first results (a shared address shows them before loading the other indexes' metadata), or a
    // moment after the page opened (so that the first query typed finds them ready).
    let others = null;
    const rest = () => others || (others = Promise.all(instances.map(start)));
    await start(instances[0]);
    // (a failure here, such as an index a deploy removed meanwhile, is the next search's: search.js says it)
    window.setTimeout(() => rest().catch(() => {}), REST_AFTER_MS);
    const pages = instances.reduce((sum, shard) => sum + shard.pages, 0);
    const averageLength = instances.reduce((sum, shard) => sum + shard.words, 0) / Math.max(1, pages);
    return {
      // `rankBy`: for a quoted phrase, the words its papers are ranked by (byWords); without it (a search for the
      // filter counts alone), they are not ranked.
      search: async (term, options, early, rankBy) => {
        // What the newest index alone finds, in its own order, is shown while the other indexes are searched
        // (a common word takes them a while); the whole search then uses that answer, not asking it again.
        let newest = null;
        const rank = isPhrase(term) && rankBy ? { words: rankBy, newest: null } : null;
        if (early && instances.length > 1) {
          newest = await searchIn(instances[0], term, options);
          // not when a term's words there do not begin with it: they may be a scrap of it (standIn)
          const scraps = !isPhrase(term) && (newest.search_keywords || []).some((t) => !wordsOf(matchedWords(newest, (w) => w.startsWith(t))).length);
          let shown = term === null || isPhrase(term) ? newest.results : ownOrder(newest.results.filter(inText), newest, term);
          if (rank && shown.length > 1) {
            // in the order of the newest index's own search for the words, which the whole ranking then reuses
            rank.newest = await searchIn(instances[0], rank.words, options);
            shown = inOrderOf(shown, ownOrder(rank.newest.results.filter(inText), rank.newest, rank.words), (result) => result.id);
          }
          if (!scraps) await early({ results: shown.map((result) => withData(instances[0], result)) });
        }
        await rest();
        const answer = await search(instances, { pages, averageLength }, term, options, newest, false, rank);
        return Object.assign(answer, { partMissing: missing.size > 0 });
      },
      filters: async () => { await rest(); return filters(instances); },
      shards: instances.length,
    };
  }

  // Pagefind 1.5.2 loads, for a typed word, only the chunk of an index where the word falls, so its longer forms past
  // that chunk's end were missed ("llm" found no paper saying only "LLMs" when a chunk ended at "llmb": 3 of 89 papers
  // of "llm agents" in an index of 2,000). Asking it first to preload each word followed by U+10FFFF, which sorts after
  // every word beginning with it, loads the chunk where those words end too (a chunk in between, for a word whose
  // longer forms fill more than two chunks, is still not loaded: benchmarks/README.md, Relevance). The words themselves
  // are preloaded with them, so that all their chunks are fetched at once, not the search's after the probe's (a round
  // trip more for every index a word's forms run past a chunk's end in).
  const PAST_EVERY_WORD = "\u{10FFFF}";

  async function searchIn(shard, term, options) {
    if (term !== null && !isPhrase(term)) {
      const probe = term.split(/\s+/).filter(Boolean).map((word) => word + PAST_EVERY_WORD).join(" ");
      if (probe) await shard.ask("preload", [term + " " + probe, {}]);
    }
    return shard.ask("search", [term, options]);
  }

  async function filters(instances) {
    const all = await Promise.all(instances.map((shard) => shard.ask("filters", [])));
    return mergeCounts(all);
  }

  // Objects without a prototype hold the values and words the index names: a keyword, an organization or a word
  // such as "constructor" or "__proto__" is a key like any other (on a plain object it read Object's own).
  const table = () => Object.create(null);

  function mergeCounts(list) {
    const merged = table();
    for (const counts of list) {
      for (const [group, values] of Object.entries(counts || {})) {
        merged[group] = merged[group] || table();
        for (const [value, n] of Object.entries(values)) merged[group][value] = (merged[group][value] || 0) + n;
      }
    }
    return merged;
  }

  function withData(shard, result) {
    return Object.assign({}, result, { shard, data: () => shard.ask("getData", [result.data]) });
  }

  // Which words each shard matched for each query term: learnt from a search's results when they hold every
  // page of the term (one term, no filter), else seen in them or asked for with a search for the term alone
  // (termWords).
  function learn(shard, terms, answer, complete) {
    if (complete) shard.known.set(terms[0], matchedWords(answer, () => true));
  }

  async function termWords(shard, term, answer) {
    if (!shard.known.has(term)) {
      const entry = (answer.query_term_idfs || []).find((item) => item.term === term);
      if (entry && containingFromIdf(shard.pages, entry.idf) === 0) shard.known.set(term, table());
      else {
        // A shard whose results hold a word beginning with the term matched the words beginning with it, not
        // its nearest word: the words seen are then as good as all of them for ranking (each is a word one
        // index of the archive matches too), and spare a search for the term alone. Not kept: not all of them.
        const seen = matchedWords(answer, (word) => word.startsWith(term));
        if (wordsOf(seen).length) return seen;
        learn(shard, [term], await searchIn(shard, term, {}), true);
      }
    }
    return shard.known.get(term);
  }

  // The words an index matched in an answer's results (those `keep` takes), with the pages each is on there.
  function matchedWords(answer, keep) {
    const words = table();
    for (const result of answer.results) {
      for (const word of result.scores || []) {
        if (keep(word.search_term)) words[word.search_term] = word.params.pages_containing_term;
      }
    }
    return words;
  }

  async function search(instances, totals, term, options, newest, again, rank) {
    const exact = isPhrase(term);
    const answers = await Promise.all(instances.map((shard, i) => (i === 0 && newest) || searchIn(shard, term, options)));
    const terms = answers[0] && answers[0].search_keywords ? answers[0].search_keywords : [];
    if (term !== null && !exact && terms.length) {
      for (const answer of answers) answer.results = answer.results.filter(inText);
    }
    const filtered = Object.keys(options.filters || {}).length > 0;
    answers.forEach((answer, i) => learn(instances[i], terms, answer, terms.length === 1 && !filtered));
    let kept = instances.map((shard, i) => ({ shard, answer: answers[i] }));
    let ranked = null;
    let standIns = [];
    const sorted = Boolean(options.sort && Object.keys(options.sort).length);  // ranked by a value: no scores to make
    if (term !== null && !exact && terms.length) {
      const words = await Promise.all(kept.map(({ shard, answer }) => Promise.all(terms.map((t) => termWords(shard, t, answer)))));
      const valid = terms.map((t, k) => validWords(t, words.map((perShard) => perShard[k])));
      const typed = normalised(term).split(" ");  // the words as typed (a term is Pagefind's stem of one)
      standIns = terms.map((t, k) => standIn(t, typed.length === terms.length ? typed[k] : t, words.map((perShard) => perShard[k])));
      if (!again && standIns.some((found) => found && !found.taken && (found.word || terms.length > 1))) {
        // A term whose only stand-in is a scrap of it matches nothing: searched again without it (Pagefind
        // leaves out a term that matches nothing); nothing is found when no term is left. The other terms'
        // stand-ins are the second search's (the first one's words for them came from pages holding the scrap).
        // A term no word stands in for ("") matches nothing either: searched again without it when there are other
        // terms (alone, it has no result left once those matched in metadata only are dropped: inText).
        const keep = terms.map((_t, k) => !standIns[k] || standIns[k].taken);
        const left = terms.filter((_t, k) => keep[k]);
        const answer = left.length ? await search(instances, totals, left.join(" "), options, null, true)
          : { results: [], filters: {}, totalFilters: mergeCounts(answers.map((a) => a.totalFilters)), unfilteredResultCount: 0 };
        const second = answer.standIns && answer.standIns.length === left.length ? answer.standIns : left.map(() => null);
        let next = 0;
        return Object.assign(answer, { terms, standIns: standIns.map((found, k) => (keep[k] ? second[next++] : found)) });
      }
      ranked = sorted ? null : rescore(kept, terms, words, valid, totals, normalised(term).split(" "));
      // A term without words in a shard is passed over there (Pagefind searches for the other terms), not
      // in one index, where another shard has words for it.
      const somewhere = terms.map((_t, k) => words.some((perShard) => wordsOf(perShard[k]).length > 0));
      kept = kept.filter((_entry, i) => valid.every((isValid, k) => {
        const own = wordsOf(words[i][k]);
        return own.length ? own.every(isValid) : !somewhere[k];
      }));
      if (ranked) ranked = ranked.filter((result) => kept.some(({ shard }) => shard === result.shard));
    }
    let results = sorted ? await mergeSorted(kept, options.sort)
      : ranked || byScore(kept.flatMap(({ shard, answer }) => answer.results.map((result) => withData(shard, result))));
    if (exact && rank && !sorted && results.length > 1) results = await byWords(instances, totals, rank, options, results);
    return {
      results,
      filters: mergeCounts(kept.map(({ answer }) => answer.filters)),
      totalFilters: mergeCounts(kept.map(({ answer }) => answer.totalFilters)),
      unfilteredResultCount: kept.reduce((sum, { answer }) => sum + answer.unfilteredResultCount, 0),
      terms,
      standIns,
    };
  }

  // Pagefind scores every page that holds a quoted phrase alike (1.0, in one index as in several), so its results came
  // in no order of relevance, the newest index's first ("diffusion transformer": 101 papers of 2026, then 2025's): they
  // are ranked as the phrase's words are (`rank.words`: as the query unquoted searches them, stop words left out),
  // searched over the whole archive, a page holding the words most ahead. One more search (the newest index's answer
  // reused when the first results were ranked by it).
  async function byWords(instances, totals, rank, options, results) {
    const loose = await search(instances, totals, rank.words, options, rank.newest, true);
    return inOrderOf(results, loose.results, (result) => result.shard.index + " " + result.id);
  }

  // `results` in the order their like (same `key`) have in `order`; those missing from it last, as they came.
  function inOrderOf(results, order, key) {
    const place = new Map(order.map((result, i) => [key(result), i]));
    return results.map((result, i) => ({ result, i, rank: place.get(key(result)) ?? place.size }))
      .sort((a, b) => a.rank - b.rank || a.i - b.i).map(({ result }) => result);
  }

  const wordsOf = (perTerm) => Object.keys(perTerm);
  // A result matched in the text the page indexes (title, authors, abstract, keywords), not only in its metadata:
  // Pagefind also matches the words of a page's day and upvotes, with no word of the text ("2025" listed 54 papers
  // of that year above the two that mention it; "7b" the papers of 7 upvotes). The page searches the text.
  const inText = (result) => Boolean(result.scores && result.scores.length);
  const isPhrase = (term) => term !== null && /^\s*".+"\s*$/.test(term);
  // Quoted phrases and filters alone: Pagefind reports no parts of these scores (a phrase scores alike in
  // every index); the indexes' results are merged by them, newest index first among equals.
  // (`then`: a last tie-break; scores the page made, rescore and ownOrder, take Pagefind's id of the page, since
  // Pagefind's own order of equal scores is not fixed: a search lists them alike every time.)
  const byScore = (results, then = () => 0) => results.sort((a, b) => b.score - a.score || a.shard.index - b.shard.index || then(a, b));
  const ascending = (key) => (a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0);
  const byId = ascending("id");

  // The words one index of the whole archive matches for `term`, as a test: every word that begins with it
  // in any shard or, when there is none, the longest word that begins the term. A shard whose own words for
  // the term are others (its own nearest word) has no page that one index would find.
  function validWords(term, perShard) {
    const all = perShard.flatMap(wordsOf);
    if (all.some((w) => w.startsWith(term))) return (w) => w.startsWith(term);
    const longest = Math.max(0, ...all.map((w) => w.length));
    return (w) => w.length === longest;
  }

  // A query term that no word of the archive begins with: Pagefind then matches the longest word that begins the
  // term instead, down to a single letter ("dinov4": dino; "vjepa": v, an author's initial). Which word stood in
  // (for the page to say), and whether it is taken: only when it is most of the word typed (STAND_IN_SHARE of the
  // longer of it and its stem `term`, at least STAND_IN_LETTERS letters). null: words begin with the term; word "":
  // no word begins it either.
  function standIn(term, typed, perShard) {
    const all = perShard.flatMap(wordsOf);
    if (all.some((w) => w.startsWith(term))) return null;
    const word = all.reduce((longest, w) => (w.length > longest.length ? w : longest), "");
    const whole = Math.max(term.length, typed.length);  // "federated" is searched as "feder": "fed" is a third of it
    return { term, word, taken: word.length >= STAND_IN_LETTERS && word.length >= STAND_IN_SHARE * whole };
  }

  function termOf(terms, matched) {
    // The query term a meta field's matched word stands for (the term itself, or a word it begins or ends).
    const exact = terms.indexOf(matched);
    return exact >= 0 ? exact : terms.findIndex((t) => matched.startsWith(t) || t.startsWith(matched));
  }

  // A result's score factor for a matched word w: Pagefind's, when the typed word and w begin one another.
  const bonusFor = (typed) => (w) => (typed.some((word) => word.startsWith(w) || w.startsWith(word)) ? EXTENSION_BONUS : 1);

  // The idf a field's matched words add up to: each query term once, however many of the field's words it matched
  // (Pagefind adds it for each: see the top). Added in the query's order: Pagefind lists a field's matched words in
  // no fixed order, and a sum taken in another order can differ in its last digit, which swapped papers of equal
  // scores from one search to the next.
  const eachTermOnce = (terms, idfs) => (words) => {
    const matched = new Set(words.map((w) => termOf(terms, w)));
    return idfs.reduce((sum, value, k) => sum + (matched.has(k) ? value || 0 : 0), 0);
  };

  const idfsOf = (answer) => (answer.query_term_idfs || []).map((entry) => entry.idf);

  // A result's figures in its own index (`idfs`: idfsOf its answer, made once for all its results): Pagefind's formula
  // with `once` false (to check the scores are made as expected), the page's (each term once: the departures at the
  // top) with `once` true.
  function ownStats(result, idfs, terms, once) {
    return { pages: result.params.total_pages, averageLength: result.params.average_page_length,
      containing: (w) => (result.scores.find((s) => s.search_term === w) || { params: {} }).params.pages_containing_term || 0,
      termIdfs: idfs,
      matchedIdf: once ? eachTermOnce(terms, idfs) : (words) => words.reduce((sum, w) => sum + (idfs[termOf(terms, w)] || 0), 0),
      termOf: once ? (w) => termOf(terms, w) : null };
  }

  // The newest index's own results, ranked as the page ranks (each query term once) with that index's
  // figures: the first results shown while the other indexes are searched.
  function ownOrder(results, answer, term) {
    const terms = answer.search_keywords || [];
    if (!terms.length || !results.every((result) => result.params)) return results;
    const bonus = bonusFor(normalised(term).split(" "));
    const idfs = idfsOf(answer);
    const scored = results.map((result) => ({ result, score: score(result, ownStats(result, idfs, terms, true), bonus) }));
    return scored.sort((a, b) => b.score - a.score || byId(a.result, b.result)).map(({ result }) => result);
  }

  function rescore(kept, terms, words, valid, totals, typed) {
    // Pagefind counts the pages of a typed word once for all the indexed words it matches ("dino": dino,
    // dinov2 and dinov3 each report the pages holding any of them), so a matched word's count in the whole
    // archive is its typed word's, summed over the indexes; not the sum of the indexes that hold that word.
    const termPages = terms.map((_t, k) => kept.reduce((sum, { shard, answer }, i) => {
      const entry = (answer.query_term_idfs || [])[k];
      const counts = entry && wordsOf(words[i][k]).every(valid[k]);
      return sum + (counts ? containingFromIdf(shard.pages, entry.idf) : 0);
    }, 0));
    const termIdfs = termPages.map((n) => idf(totals.pages, n));
    const bonus = bonusFor(typed);
    const global = { pages: totals.pages, averageLength: totals.averageLength, containing: (w) => termPages[termOf(terms, w)] || 0,
      termIdfs, matchedIdf: eachTermOnce(terms, termIdfs), termOf: (w) => termOf(terms, w) };
    const all = [];
    let faithful = true;
    for (const { shard, answer } of kept) {
      const idfs = idfsOf(answer);
      for (const result of answer.results) {
        const local = ownStats(result, idfs, terms, false);
        if (Math.abs(score(result, local, bonus) - result.score) > 1e-3 * Math.max(1, Math.abs(result.score))) faithful = false;
        all.push(Object.assign(withData(shard, result), { score: score(result, global, bonus), pagefindScore: result.score }));
      }
    }
    if (!faithful) {
      console.warn("search: Pagefind's scores are not made as search-shards.js expects; results are ranked by each index's own scores");
      for (const result of all) result.score = result.pagefindScore;
    }
    return byScore(all, byId);
  }

  // Sorted searches: every shard's list is in order; merge them by the value sorted on, read from the meta of
  // each list's next result (one fragment a list, then one per result taken).
  async function mergeSorted(kept, sort) {
    const [key, direction] = Object.entries(sort)[0];
    const lists = kept.map(({ shard, answer }) => ({ shard, results: answer.results.map((r) => withData(shard, r)), at: 0 }));
    const value = async (list) => {
      const result = list.results[list.at];
      if (!result) return null;
      if (result.sortValue === undefined) {
        const meta = (await result.data()).meta || {};
        result.sortValue = meta[SORT_META[key] || key];
      }
      return result.sortValue;
    };
    const compare = (a, b) => {
      const x = Number(a), y = Number(b);
      const order = !Number.isNaN(x) && !Number.isNaN(y) ? x - y : String(a).localeCompare(String(b));
      return direction === "asc" ? order : -order;
    };
    const merged = [];
    const total = lists.reduce((sum, list) => sum + list.results.length, 0);
    // Later results are merged when asked for: results past the first screens cost nothing until shown.
    const take = async (upTo) => {
      while (merged.length < Math.min(upTo, total)) {
        let best = null, bestValue = null;
        for (const list of lists) {
          const v = await value(list);
          if (v === null || v === undefined) continue;
          if (!best || compare(v, bestValue) < 0) { best = list; bestValue = v; }
        }
        if (!best) break;
        merged.push(best.results[best.at++]);
      }
      return merged;
    };
    await take(10);
    return lazyList(merged, total, take);
  }

  function lazyList(merged, total, take) {
    // An array-like of `total` results whose first ones are merged; slice(from, to) merges up to `to` first.
    return { length: total, merged, take, async slice(from, to) { await take(to); return merged.slice(from, to); } };
  }

  window.papermirrorShards = { open };
})();
