// paper.js: what a paper page draws in the browser.
// 1. The BibTeX entry, drawn from the page's citation_* (Highwire) meta tags exactly as
// papermirror/site/cite.py's bibtex_entry writes it (tests/test_cite_browser.py holds the two equal), with a
// button that copies it. The Cite section (#cite) carries as data-* attributes only what those tags cannot
// give: the title or the authors as BibTeX has them when they hold TeX math (citation_title has no math
// delimiters), the year when the paper has no publication date. Without JavaScript the section keeps its
// link to arXiv's own BibTeX of the paper.
// 2. The links of the keyword chips (#keywords) that have no keyword page: each to a search for the keyword in
// quotes (its words, when it holds a word of symbols alone), at the address of the header's search form.
// Written into every page they cost 300 B a paper, for a search that runs only where this script runs too.
// 3. Printing: the authors a long list keeps one click away are printed too.
// 4. A formula wider than its column, which style.css cuts at the column's edge, scrolls sideways in its own box
// (class `wide`), which the keyboard can reach (tabindex); checked again when the window changes width.
"use strict";

(() => {
  const section = document.getElementById("cite");
  if (!section) return;
  const tags = (name) => Array.from(document.querySelectorAll(`meta[name="${name}"]`), (tag) => tag.content);
  // Python's str.split(): its whitespace, which is not quite JavaScript's \s
  const SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
  const words = (text) => text.split(SPACE).filter(Boolean);
  const asciiWord = (text) => text.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase().replace(/[^a-z0-9]/g, "");
  // cite.py's bibtex_plain: braces dropped, a backslash as \textbackslash{} (it would start a command), & % # _ $ ^ ~ escaped
  const ESCAPES = { "\\": "\\textbackslash{}", "^": "\\textasciicircum{}", "~": "\\textasciitilde{}" };
  const plain = (text) => text.replace(/[{}]/g, "").replace(/[\\^~&%#_$]/g, (c) => ESCAPES[c] ?? `\\${c}`);

  const [title = ""] = tags("citation_title");
  const [id = ""] = tags("citation_arxiv_id");
  const [published = ""] = tags("citation_publication_date");
  // one citation_authors tag, "A; B; C" (cite.py: no name holds a semicolon then), else a citation_author tag a name
  const [listed] = tags("citation_authors");
  const authors = listed === undefined ? tags("citation_author") : listed.split("; ");
  const given = section.dataset;
  const year = (given.year ?? published).slice(0, 4);
  const surname = authors.length ? asciiWord(words(authors[0]).pop() ?? "") : "";
  const titleWord = words(title).map(asciiWord).find((word) => word.length > 2) ?? "";
  const key = `${surname}${year}${titleWord}` || `arxiv${id.replace(/[^0-9a-z]/g, "")}`;
  const fields = [["title", `{${given.title ?? plain(title)}}`]];
  if (authors.length) fields.push(["author", given.author ?? plain(authors.join(" and "))]);
  if (year) fields.push(["year", year]);
  fields.push(["eprint", id], ["archivePrefix", "arXiv"]);
  const entry = `@misc{${key},\n${fields.map(([name, value]) => `${name}={${value}}`).join(",\n")}\n}`;

  const pre = document.createElement("pre");
  pre.className = "bibtex";
  pre.tabIndex = 0; // a scrollable region a keyboard can reach (and select: the stylesheet selects it whole)
  pre.setAttribute("role", "region");  // a name is allowed on a region, not on a bare <pre>
  pre.setAttribute("aria-label", "BibTeX");
  pre.appendChild(document.createElement("code")).textContent = entry;
  const copy = document.createElement("button");
  copy.type = "button";
  copy.textContent = "Copy BibTeX";
  const said = document.createElement("span");
  said.setAttribute("role", "status");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(entry);
      said.textContent = " Copied.";
    } catch {
      getSelection().selectAllChildren(pre); // no clipboard (a page served over plain HTTP): select it instead
      said.textContent = " Selected: press Ctrl+C (⌘C) to copy.";
    }
  });
  section.querySelector("p").prepend(copy, said, " · "); // before the link to arXiv's BibTeX
  section.querySelector("h2").after(pre);
})();

(() => {
  const chips = document.getElementById("keywords");
  const form = document.querySelector('form[role="search"]');
  if (!chips || !form) return;
  for (const chip of chips.children) {
    if (chip.querySelector("a")) continue; // a keyword with its own page
    const link = document.createElement("a");
    // Its quotes would break the phrase ('"Did You Know..." entries'), and Pagefind finds no phrase holding a word of
    // symbols alone (the "\&" of "Knights \& Knaves"), which its index does not hold: then the words are searched.
    const keyword = chip.textContent.replace(/"/g, "").split(/\s+/).filter(Boolean).join(" ");
    const phrase = keyword.split(" ").every((word) => /[\p{L}\p{N}]/u.test(word));
    link.href = `${form.getAttribute("action")}?${new URLSearchParams({ q: phrase ? `"${keyword}"` : keyword })}`;
    link.append(...chip.childNodes);
    chip.append(link);
  }
})();

(() => {
  // a closed <details> prints closed: "and 3 more" on paper, the names lost
  const hidden = () => Array.from(document.querySelectorAll(".authors details:not([open])"));
  let opened = [];
  window.addEventListener("beforeprint", () => {
    opened = hidden();
    for (const details of opened) details.open = true;
  });
  window.addEventListener("afterprint", () => {
    for (const details of opened) details.open = false;
  });
})();

(() => {
  const formulas = Array.from(document.querySelectorAll("main math")).filter((formula) => !formula.closest("a"));
  if (!formulas.length) return;
  let width = 0;
  const fit = () => {
    if (window.innerWidth === width) return;  // a phone's address bar showing or hiding changes the height alone
    width = window.innerWidth;
    for (const formula of formulas) formula.classList.remove("wide");
    // measured as style.css cuts them (all at once: one layout): each one's content's width against its box's
    const wide = formulas.map((formula) => formula.scrollWidth > formula.clientWidth + 1);
    formulas.forEach((formula, k) => {
      formula.classList.toggle("wide", wide[k]);
      if (wide[k]) formula.tabIndex = 0;
      else formula.removeAttribute("tabindex");
    });
  };
  fit();
  window.addEventListener("resize", fit);
})();
