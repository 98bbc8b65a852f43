// Run in the page by crawl.py: the words a reader sees, the elements wider than the phone,
// the text in which personal numbers are looked for, the links and htmx fetches the page offers,
// and what the Content-Security-Policy refused (kept by csp_violations.js).
() => {
  const out = {lang: document.documentElement.lang || "", words: [], codes: [], wide: [], links: [], fragments: [],
               csp: [...(window.__cspViolations || [])]};
  // Code, what a person typed (a textarea's text) and text in another language are not checked.
  const skip = el => el.closest("script,style,code,pre,kbd,textarea,[translate=no],[lang]:not(html)");
  const isShown = el => el.checkVisibility ? el.checkVisibility() : !!el.offsetParent;
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || skip(el)) continue;
    // Options of a closed select are not "visible" but are what the person reads when it opens.
    if (el.tagName !== "OPTION" && !isShown(el)) continue;
    texts.push(node.nodeValue);
  }
  for (const el of document.querySelectorAll("[placeholder],[title],[aria-label],input[type=submit][value]")) {
    if (skip(el)) continue;
    for (const name of ["placeholder", "title", "aria-label"]) if (el.getAttribute(name)) texts.push(el.getAttribute(name));
    if (el.matches("input[type=submit]")) texts.push(el.value);
  }
  for (const text of texts) {
    // A token with a digit in it (A012, XJ0001, PM2.5) is a code or a number, not a word.
    for (const m of text.matchAll(/[A-Za-z0-9][A-Za-z0-9_\/.-]*/g)) {
      if (!/\d/.test(m[0])) out.words.push(...m[0].split(/[_.-]+/).filter(w => /[A-Za-z].*[A-Za-z]|^[A-Za-z]{2,}$/.test(w)));
    }
    for (const m of text.matchAll(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g)) out.codes.push(m[0]);
  }
  // With mobile emulation innerWidth grows to fit wide content; clientWidth stays the phone's.
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) {
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (box.width && box.right > width + 1 && isShown(el)) {
        // The innermost element that sticks out is the one to fix.
        const inner = [...el.children].some(c => c.getBoundingClientRect().right > width + 1);
        if (!inner) out.wide.push(`${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""} (${Math.round(box.right)}px)`);
      }
    }
    out.wide.unshift(`page ${document.documentElement.scrollWidth}px wide`);
  }
  // Personal numbers wherever the person can read or copy them: the text, call links, fields.
  const fields = [...document.querySelectorAll("a[href^='tel:'], input:not([type=hidden]), textarea")];
  out.personal = [document.body.innerText, ...fields.map(el => el.getAttribute("href") || el.value || "")].join("\n");
  // A form the person is shown but cannot send: a required choice with nothing to choose
  // (the page should say why, and who can fix it, instead of offering an empty list).
  out.empty_choices = [...document.querySelectorAll("form select[required]")]
    .filter(el => isShown(el) && ![...el.options].some(o => o.value !== ""))
    .map(el => (el.labels && el.labels[0] ? el.labels[0].innerText.trim() + " " : "") + `(${el.name})`);
  const add = url => { if (url) out.links.push(url); };
  for (const a of document.querySelectorAll("a[href]")) if (!a.hasAttribute("download")) add(a.href);
  // What htmx fetches is a piece of a page: its status is checked, not its title or language.
  for (const el of document.querySelectorAll("[hx-get]")) out.fragments.push(new URL(el.getAttribute("hx-get"), location.href).href);
  for (const form of document.querySelectorAll("form")) {
    if ((form.getAttribute("method") || "get").toLowerCase() === "get") add(form.action);
  }
  return out;
}
