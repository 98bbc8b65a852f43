// Added to every page before its own scripts run: each Content-Security-Policy violation (an
// inline script, event handler or style attribute refused, an image from elsewhere, eval) is kept
// in window.__cspViolations, which page_facts.js hands to the crawl, and passed to
// window.__reportCspViolation where a test exposed one (conftest.watch_csp).
(() => {
  const seen = (window.__cspViolations = []);
  document.addEventListener("securitypolicyviolation", (event) => {
    const what = event.blockedURI || "inline";
    const where = event.sourceFile ? ` at ${event.sourceFile}:${event.lineNumber}` : "";
    const sample = event.sample ? ` (${event.sample})` : "";
    const text = `${event.effectiveDirective} refused ${what}${where}${sample} on ${location.pathname}`;
    seen.push(text);
    if (typeof window.__reportCspViolation === "function") window.__reportCspViolation(text);
  }, true);
})();
