/* The reader's own state, kept in this browser only (localStorage): no account, no
   server, no request to anyone but this site. Three things:
   - a save toggle on every card and paper page (rendered hidden; shown here);
   - the Reading list page (reading-list.md), with export to BibTeX and to a list of links;
   - "New since your last visit" on the cards of papers listed after the newest day the
     reader had seen before the site last grew.
   Without JavaScript the toggles stay hidden and the Reading list says it needs it. */
(() => {
  "use strict";

  // The site's root, so that two digests on one host keep separate lists. Material sets
  // __md_scope from the site's base; #__config holds the same base otherwise.
  const root = () => {
    try {
      if (window.__md_scope) return new URL(window.__md_scope, location.href);
      const config = JSON.parse(document.getElementById("__config").textContent);
      return new URL(config.base, location.href);
    } catch (error) {
      return new URL("/", location.href);
    }
  };
  // Shared with search.js, which the search page loads after this file.
  window.digest = Object.freeze({ root });
  const key = (name) => `digest:${root().pathname}:${name}`;

  // Storage can be full, or refused (private modes): then nothing is kept, nothing breaks.
  const load = (name, fallback) => {
    try {
      const text = localStorage.getItem(key(name));
      return text ? JSON.parse(text) : fallback;
    } catch (error) {
      return fallback;
    }
  };
  const store = (name, value) => {
    try {
      localStorage.setItem(key(name), JSON.stringify(value));
    } catch (error) { /* not kept */ }
  };

  // Saved papers, oldest first: {slug, title, url (from the site's root), listed, bib}.
  const saved = () => load("saved", []);
  const isSaved = (slug) => saved().some((p) => p.slug === slug);
  // A paper saved again keeps its place (filling in its BibTeX must not reorder the list).
  const remember = (paper) => {
    const papers = saved();
    const at = papers.findIndex((p) => p.slug === paper.slug);
    if (at < 0) papers.push(paper); else papers[at] = paper;
    store("saved", papers);
  };
  const forget = (slug) => store("saved", saved().filter((p) => p.slug !== slug));

  const pagePath = (slug) => `papers/${slug}/`;
  const absolute = (path) => new URL(path, root()).href;
  const listedDays = (button) => (button.dataset.listed || "").split(" ").filter(Boolean);

  // The paper page's own BibTeX entry (its "Cite" code block), from a document.
  const bibOf = (doc) => {
    const code = doc.querySelector("#cite + .highlight code");
    return code ? code.textContent.trim() + "\n" : null;
  };

  // A card's or a page header's title, by the link to the paper or the page's heading.
  const titleOf = (button) => {
    const slug = button.dataset.digestSave;
    const header = button.closest(".digest-paper");
    if (header) return header.querySelector("h1").textContent.trim();
    const card = button.closest("li");
    const link = card && card.querySelector(`a[href$="papers/${CSS.escape(slug)}/"]`);
    return link ? link.textContent.trim() : slug;
  };

  // The visible label says the state; its accessible name, which starts with that label,
  // also says which paper (a page of cards has many Save buttons).
  const label = (button, pressed) => {
    button.setAttribute("aria-pressed", String(pressed));
    button.textContent = pressed ? "Saved" : "Save";
    button.setAttribute("aria-label", `${button.textContent}: ${button.dataset.digestTitle}`);
  };

  const setUpToggle = (button) => {
    const slug = button.dataset.digestSave;
    button.dataset.digestTitle = titleOf(button);
    const header = button.closest(".digest-paper");
    const stored = saved().find((p) => p.slug === slug);
    // Saved from a card, then opened: keep the page's BibTeX for export (and offline).
    if (header && stored && !stored.bib) remember({ ...stored, bib: bibOf(document) });
    label(button, Boolean(stored));
    button.hidden = false;
    button.addEventListener("click", () => {
      if (isSaved(slug)) {
        forget(slug);
      } else {
        remember({ slug, title: button.dataset.digestTitle, url: pagePath(slug),
                   listed: listedDays(button), bib: header ? bibOf(document) : null });
      }
      label(button, isSaved(slug));
    });
  };

  // --- new since your last visit ---------------------------------------------------
  // Measured in days of the digest, never by the clock: "seen" is the newest listing day
  // the reader has been shown (the newest on any page they opened), "before" the newest
  // they had seen when a newer day appeared. Cards listed after "before" are new.
  // The first visit marks nothing (everything would be new, which says nothing): for the
  // whole of that first browser session "before" follows "seen", so a reader who starts
  // on an older date page is not then told the latest day is new.
  const firstSession = {
    get: () => { try { return sessionStorage.getItem(key("first")) === "1"; } catch (e) { return false; } },
    set: () => { try { sessionStorage.setItem(key("first"), "1"); } catch (e) { /* not kept */ } },
  };
  const markNew = (buttons) => {
    const cards = buttons.filter((b) => b.closest(".digest-cards"));
    if (!cards.length) return;
    const latest = (b) => listedDays(b).sort().pop() || "";
    const newest = cards.map(latest).sort().pop();
    let visit = load("visit", null);
    if (!visit || firstSession.get()) {
      const seen = visit && visit.seen > newest ? visit.seen : newest;
      visit = { before: seen, seen };
      firstSession.set();
    } else if (newest > visit.seen) {
      visit = { before: visit.seen, seen: newest };
    }
    store("visit", visit);
    for (const button of cards) {
      if (latest(button) <= visit.before) continue;
      const card = button.closest("li");
      const mark = document.createElement("span");
      mark.className = "digest-since-visit";
      mark.textContent = "New since your last visit";
      const first = card.firstElementChild || card;
      first.prepend(mark, " ");
    }
  };

  // --- the reading list page -------------------------------------------------------
  // A minimal entry from what was stored, when the paper's page cannot be read (offline).
  const fallbackBib = (paper) => {
    const tex = (text) => text.replace(/[\\{}&%$#_~^]/g, (c) => ({
      "\\": "\\textbackslash{}", "{": "\\textbraceleft{}", "}": "\\textbraceright{}",
      "~": "\\textasciitilde{}", "^": "\\textasciicircum{}" }[c] || `\\${c}`));
    const year = (paper.listed[0] || "").slice(0, 4);
    return `@misc{${paper.slug},\n  title = {{${tex(paper.title)}}},\n` +
      (year ? `  year = {${year}},\n` : "") +
      `  howpublished = {\\url{${absolute(paper.url)}}}\n}\n`;
  };

  // Every saved paper's entry: stored, else read from its page (same site), else minimal.
  const bibliography = async () => {
    const entries = [];
    for (const paper of saved()) {
      let bib = paper.bib;
      if (!bib) {
        try {
          const response = await fetch(absolute(paper.url));
          if (response.ok) {
            bib = bibOf(new DOMParser().parseFromString(await response.text(), "text/html"));
          }
        } catch (error) { /* offline: the minimal entry below */ }
        if (bib && isSaved(paper.slug)) remember({ ...paper, bib });
      }
      entries.push(bib || fallbackBib(paper));
    }
    return entries.join("\n");
  };

  const linkList = () => saved().map((p) => `- [${p.title.replace(/[[\]]/g, "\\$&")}](${absolute(p.url)})`).join("\n") + "\n";

  const download = (text, name, type) => {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type }));
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  };

  const button = (text, action, className = "md-button") => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = text;
    b.addEventListener("click", action);
    return b;
  };

  const day = (iso) => new Date(`${iso}T00:00:00Z`).toLocaleDateString(
    "en-US", { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });

  const showList = (frame) => {
    frame.querySelector(".digest-needs-js")?.remove();
    frame.replaceChildren();
    const status = document.createElement("p");
    status.className = "digest-status";
    status.setAttribute("role", "status");
    const say = (text) => { status.textContent = text; };
    const papers = saved();
    const list = document.createElement("ol");
    list.className = "digest-reading-list__items";
    for (const paper of papers) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = absolute(paper.url);
      link.textContent = paper.title;
      const when = document.createElement("small");
      when.textContent = ` Listed ${paper.listed.map(day).join(", ")} `;
      const remove = button("Remove", () => {
        forget(paper.slug);
        showList(frame);
        frame.querySelector(".digest-status").textContent = `Removed ${paper.title}.`;
      }, "digest-save");
      remove.setAttribute("aria-label", `Remove: ${paper.title}`);
      item.append(link, when, remove);
      list.append(item);
    }
    const intro = document.createElement("p");
    if (!papers.length) {
      intro.textContent = "Nothing saved yet. The Save button on a paper's card or page " +
        "adds it here; the list stays in this browser.";
      frame.append(intro, status);
      return;
    }
    intro.textContent = `${papers.length} paper${papers.length === 1 ? "" : "s"} saved in this browser.`;
    const copy = async (text, what) => {
      try {
        await navigator.clipboard.writeText(text);
        say(`${what} copied.`);
      } catch (error) {
        say(`${what} could not be copied here; download it instead.`);
      }
    };
    const actions = document.createElement("p");
    actions.className = "digest-buttons";
    actions.append(
      button("Download BibTeX", async () => {
        download(await bibliography(), "reading-list.bib", "application/x-bibtex");
        say("BibTeX downloaded.");
      }, "md-button md-button--primary"),
      button("Copy BibTeX", async () => copy(await bibliography(), "BibTeX")),
      button("Download links", () => {
        download(linkList(), "reading-list.md", "text/markdown");
        say("Links downloaded.");
      }),
      button("Copy links", () => copy(linkList(), "Links")));
    frame.append(intro, list, actions, status);
  };

  // "/", "s" or "f" (Material's keys) focuses the search: the search page's own box there,
  // else the header's, opened first where the header only shows its icon (narrow screens).
  const typing = (target) => target instanceof HTMLElement &&
    (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  document.addEventListener("keydown", (event) => {
    if (!["/", "s", "f"].includes(event.key) || event.ctrlKey || event.metaKey ||
        event.altKey || typing(event.target)) return;
    const box = document.querySelector("[data-digest-search] input[name=q]") ||
      document.querySelector("[data-digest-search-box]");
    if (!box) return;
    event.preventDefault();
    const toggle = document.getElementById("__search");
    if (toggle && !box.closest("[data-digest-search]")) toggle.checked = true;
    box.focus();
    box.select();
  });

  // The header's box, once open (its icon tapped on a narrow screen, or a key above), takes
  // the focus, and Escape or leaving it closes it again: Material's own search does both,
  // but it is not on these pages, and the open box would stay over the page.
  const toggle = document.getElementById("__search");
  const headerBox = document.querySelector("[data-digest-search-box]");
  if (toggle && headerBox) {
    toggle.addEventListener("change", () => {
      if (toggle.checked) headerBox.focus();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !toggle.checked) return;
      toggle.checked = false;
      headerBox.blur();
    });
    // Tabbing away closes it; a click lands on the overlay or the arrow, which close it
    // themselves (they are labels of the toggle: closed here first, they would reopen it).
    headerBox.form.addEventListener("focusout", (event) => {
      const to = event.relatedTarget;
      if (to && !event.currentTarget.contains(to)) toggle.checked = false;
    });
  }

  const init = () => {
    const buttons = [...document.querySelectorAll("button[data-digest-save]")];
    buttons.forEach(setUpToggle);
    markNew(buttons);
    const frame = document.querySelector("[data-digest-reading-list]");
    if (frame) showList(frame);
  };

  // Material's instant navigation swaps pages without loading them: document$ tells of
  // each new page (the first one too). Without it, the page's own load will do.
  if (window.document$) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
