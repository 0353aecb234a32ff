/* The search page (search.md): queries Pagefind's index of the paper pages, built into
   pagefind/ by overrides/search_index.py, in the reader's browser. Nothing is fetched until
   the reader searches; then pagefind.js, its WebAssembly, and only the index chunks and
   result fragments the query needs. The index may come in parts (pagefind/parts.json),
   which are merged.
   - Filters: topic, year and month, as Pagefind filters the paper pages carry.
   - Ranking: Pagefind's, over paper pages only; a paper whose title is the query, word for
     word, is put first.
   - Safety: titles and excerpts come from sources, so results are built as text nodes;
     only Pagefind's own <mark> around the matched words becomes an element.
   - The address holds the query and filters (?q=&topic=&year=&month=), so a search can be
     shared, and the header's search box opens this page with ?q=. */
(() => {
  "use strict";

  const form = document.querySelector("[data-digest-search]");
  if (!form) return;
  const input = form.elements.q;
  const status = document.querySelector("[data-digest-search-status]");
  const list = document.querySelector("[data-digest-search-results]");
  const more = document.querySelector("[data-digest-search-more]");
  const FILTERS = ["topic", "year", "month"];
  const PAGE = 20;
  document.querySelector(".digest-needs-js")?.remove();

  const { root } = window.digest;  // digest.js, loaded before this file

  // Pagefind, loaded once, on the first search; null when the digest has no papers.
  let engine = null;
  const load = () => engine ??= (async () => {
    const base = new URL("pagefind/", root());
    const response = await fetch(new URL("parts.json", base));
    if (!response.ok) throw new Error(`parts.json: ${response.status}`);
    const { parts } = await response.json();
    if (!parts.length) return null;
    const options = { baseUrl: root().pathname };
    const pagefind = await import(new URL(`${parts[0]}/pagefind.js`, base).href);
    await pagefind.options(options);
    // Every part's index is asked for at once, not one after the other: each merge waits
    // for the first part's WebAssembly, then fetches its own entry and page table. The
    // parts keep their order (each merge registers its part before its first wait).
    await Promise.all([pagefind.init(), ...parts.slice(1).map(
      (part) => pagefind.mergeIndex(new URL(`${part}/`, base).href, options))]);
    return pagefind;
  })().catch((error) => {
    engine = null;  // let a later search try again
    throw error;
  });

  const normal = (text) =>
    (text || "").normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();

  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  // Pagefind's excerpt is the page's text with "<" and ">" escaped and <mark> around hits.
  const excerpt = (marked) => {
    const paragraph = element("p", "digest-search__excerpt");
    let hit = false;
    for (const piece of marked.split(/(<mark>|<\/mark>)/)) {
      if (piece === "<mark>" || piece === "</mark>") {
        hit = piece === "<mark>";
        continue;
      }
      const text = piece.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
      paragraph.append(hit ? element("mark", "", text) : text);
    }
    return paragraph;
  };

  // Only this site's own pages are linked.
  const link = (url) => {
    const target = new URL(url, location.href);
    return target.origin === location.origin ? target.href : root().href;
  };

  const day = (iso) => {
    const date = new Date(`${iso}T00:00:00Z`);
    return Number.isNaN(date.getTime()) ? "" : date.toLocaleDateString("en-US",
      { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
  };

  const result = (data) => {
    const item = element("li", "digest-search__result");
    const heading = element("h2", "digest-search__title");
    const anchor = element("a", "", data.meta.title || data.url);
    anchor.href = link(data.url);
    heading.append(anchor);
    const facts = [];
    if (data.meta.listed) facts.push(`Listed ${day(data.meta.listed)}`);
    if (data.filters.topic?.length) facts.push(data.filters.topic.join(", "));
    item.append(heading, element("p", "digest-search__facts", facts.join(" · ")),
      excerpt(data.excerpt || ""));
    return item;
  };

  const chosen = () => {
    const values = new FormData(form);
    const filters = {};
    for (const name of FILTERS) {
      const value = values.get(name);
      if (value) filters[name] = value;
    }
    return { query: (values.get("q") || "").trim(), filters };
  };

  const remember = ({ query, filters }) => {
    const address = new URL(location.href);
    address.search = "";
    if (query) address.searchParams.set("q", query);
    for (const [name, value] of Object.entries(filters)) address.searchParams.set(name, value);
    history.replaceState(null, "", address);
  };

  // The newest search only: an older one that answers late is dropped.
  let latest = 0;
  let pending = [];

  // The next results, after those shown, or instead of them (a new search): the count is
  // announced once they are there.
  const show = async (count, fresh = null) => {
    const next = pending.splice(0, count);
    const mine = latest;
    const loaded = await Promise.all(next.map((r) => r.data()));
    if (mine !== latest) return;
    if (fresh !== null) {
      list.replaceChildren();
      status.textContent = fresh;
    }
    list.append(...loaded.map(result));
    more.hidden = pending.length === 0;
  };

  // The result whose title is the whole query, if Pagefind ranked it anywhere near the top:
  // a search for the exact phrase finds it among few.
  const exactTitle = async (pagefind, query, filters) => {
    if (!query) return null;
    const phrase = await pagefind.search(`"${query.replace(/"/g, " ")}"`, { filters });
    // The candidates' fragments at once, not one after the other; the first in rank wins.
    const candidates = phrase.results.slice(0, 5);
    const loaded = await Promise.all(candidates.map((candidate) => candidate.data()));
    const at = loaded.findIndex((data) => normal(data.meta.title) === normal(query));
    return at < 0 ? null : candidates[at];
  };

  const run = async () => {
    const mine = ++latest;
    const wanted = chosen();
    remember(wanted);
    const { query, filters } = wanted;
    if (!query && !Object.keys(filters).length) {
      list.replaceChildren();
      status.textContent = "";
      more.hidden = true;
      return;
    }
    status.textContent = "Searching…";
    let pagefind;
    try {
      pagefind = await load();
    } catch (error) {
      if (mine === latest) status.textContent = "The search index could not be loaded. Try again later.";
      return;
    }
    if (mine !== latest) return;
    if (!pagefind) {
      status.textContent = "There are no papers to search yet.";
      return;
    }
    // With no words, a filter lists its papers newest first.
    const [found, exact] = await Promise.all([
      pagefind.search(query || null, query ? { filters } : { filters, sort: { listed: "desc" } }),
      exactTitle(pagefind, query, filters),
    ]);
    if (mine !== latest) return;
    const results = found.results.filter((r) => !exact || r.id !== exact.id);
    pending = exact ? [exact, ...results] : results;
    const total = pending.length;
    await show(PAGE, total === 0 ? "No paper matches." : total === 1 ? "1 paper" : `${total} papers`);
  };

  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });

  // A month belongs to a year: choosing one picks its year; a year shows only its months.
  const year = form.elements.year;
  const month = form.elements.month;
  const fitMonths = () => {
    for (const option of month.options) {
      option.hidden = Boolean(option.value && year.value && option.dataset.year !== year.value);
    }
    if (month.selectedOptions[0]?.hidden) month.value = "";
  };
  year.addEventListener("change", () => { fitMonths(); run(); });
  month.addEventListener("change", () => {
    if (month.value) year.value = month.selectedOptions[0].dataset.year;
    fitMonths();
    run();
  });
  form.elements.topic.addEventListener("change", run);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  more.addEventListener("click", () => show(PAGE));

  // Start from the address: the header's box sends ?q=, a shared link may hold filters.
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  for (const name of FILTERS) {
    const field = form.elements[name];
    const value = params.get(name);
    if (value && [...field.options].some((o) => o.value === value)) field.value = value;
  }
  fitMonths();
  const header = document.querySelector("[data-digest-search-box]");
  if (header) header.value = input.value;
  if (input.value || FILTERS.some((name) => form.elements[name].value)) run();
  input.focus();
})();
