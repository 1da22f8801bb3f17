// The query page's YASGUI editor: this server's endpoint only, the page's query, example links,
// result IRIs opened here, and share links that pin the query and the graph version
// (/?query=...&graph-version=...). A page opened from such a link runs its query at once.
// Completion (query_completion.js) and the chart (query_chart.js) register themselves before this runs.
"use strict";

(() => {
  const editor = document.getElementById("editor");
  const json = (id) => JSON.parse(document.getElementById(id).textContent);
  const endpoint = json("endpoint-url");

  // A link to this page with the query and the graph version it was made on.
  const shareLink = (query) => {
    const url = new URL(editor.dataset.page, window.location.href);
    url.search = new URLSearchParams({ query, [editor.dataset.versionParameter]: editor.dataset.graphVersion }).toString();
    return url.href;
  };
  Yasgui.Tab.prototype.getShareableLink = function getShareableLink() {
    return shareLink(this.getQuery());
  };

  // Results start in the simple view: values without datatypes, IRIs in prefixed form.
  Yasgui.Yasr.defaults.plugins.table.dynamicConfig = { compact: true };
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    populateFromUrl: false, // the server puts a linked query in the page; the URL never picks the endpoint
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    yasqe: { lineWrapping: true }, // no sideways scrolling region in the editor on a phone (axe: scrollable-region-focusable)
    yasr: { prefixes: json("prefixes") },
  });
  window.yasgui = yasgui;

  // Accessibility repairs of YASGUI's own markup: names for its unlabelled controls (in every tab,
  // as they are drawn), and its "add tab" button moved out of the tab list, where only tabs belong.
  const names = [[".CodeMirror textarea", "SPARQL query"], ["input.autocomplete", "SPARQL endpoint"],
    [".tab input", "Tab name"], ["select.tableSizer", "Rows per page"], ["input.tableFilter", "Filter the results"]];
  const name = () => names.forEach(([selector, label]) => yasgui.rootEl.querySelectorAll(selector)
    .forEach((node) => node.hasAttribute("aria-label") || node.setAttribute("aria-label", label)));
  new MutationObserver(name).observe(yasgui.rootEl, { childList: true, subtree: true });
  name();
  const tabs = yasgui.tabElements;
  if (tabs.addTabEl) {
    const bar = document.createElement("div");
    bar.className = "tabsBar";
    tabs._tabsListEl.before(bar);
    bar.append(tabs._tabsListEl, tabs.addTabEl);
    tabs.addTabEl = null; // new tabs are appended to the list's end, where the button was
  }
  // The page's query: a shared link's, else the example's or the default. A link made by YASGUI's
  // own share button (#query=...&endpoint=...) still opens its query, here, whatever endpoint it names.
  const hashed = new URLSearchParams(window.location.hash.slice(1)).get("query");
  yasgui.getTab().setQuery(hashed || json("initial-query"));
  if (hashed || "runOnLoad" in editor.dataset) yasgui.getTab().query().catch(() => {});

  document.querySelectorAll("a.example").forEach((link) => link.addEventListener("click", (event) => {
    event.preventDefault();
    yasgui.getTab().setQuery(link.dataset.query);
    history.replaceState(null, "", link.href);
    editor.scrollIntoView();
  }));

  // A result IRI under the base opens its page on this server, not on the public resolver.
  const localise = (event) => {
    const link = event.target.closest("a.iri");
    if (link && link.href.startsWith(editor.dataset.base)) {
      link.href = editor.dataset.localRoot + link.href.slice(editor.dataset.base.length);
    }
  };
  editor.addEventListener("click", localise, true);
  editor.addEventListener("auxclick", localise, true);
})();
