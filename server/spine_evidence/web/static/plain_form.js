// The plain query form (when YASGUI is not installed): runs the query with fetch and shows the
// answer on the page, a table for SPARQL JSON and the text itself for every other format.
// Without JavaScript the form still posts to the endpoint.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.plain-form");
  const results = document.getElementById("results");
  const editor = document.getElementById("editor");
  const prefixes = JSON.parse(document.getElementById("prefixes").textContent);
  if (!form || !results) return;

  const element = (name, text, className) => {
    const node = document.createElement(name);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  };

  const prefixed = (iri) => {
    let best = null;
    for (const [prefix, namespace] of Object.entries(prefixes)) {
      if (iri.startsWith(namespace) && (!best || namespace.length > best[1].length)) best = [prefix, namespace];
    }
    return best ? `${best[0]}:${iri.slice(best[1].length)}` : iri;
  };

  const term = (value) => {
    if (!value) return document.createTextNode("");
    if (value.type === "uri") {
      const link = element("a", prefixed(value.value));
      const base = editor.dataset.base;
      link.href = value.value.startsWith(base) ? editor.dataset.localRoot + value.value.slice(base.length) : value.value;
      link.title = value.value;
      return link;
    }
    if (value.type === "bnode") return document.createTextNode(`_:${value.value}`);
    const span = element("span", value.value);
    span.title = value["xml:lang"] ? `@${value["xml:lang"]}` : prefixed(value.datatype || "http://www.w3.org/2001/XMLSchema#string");
    return span;
  };

  const table = (answer) => {
    const vars = answer.head.vars || [];
    const rows = answer.results.bindings;
    const node = element("table", undefined, "results");
    const head = node.createTHead().insertRow();
    vars.forEach((name) => head.appendChild(element("th", name)));
    const body = node.createTBody();
    rows.forEach((binding) => {
      const row = body.insertRow();
      vars.forEach((name) => row.insertCell().appendChild(term(binding[name])));
    });
    return [node, rows.length];
  };

  const show = async (response) => {
    results.replaceChildren();
    const type = response.headers.get("Content-Type") || "";
    const text = await response.text();
    if (!response.ok) {
      results.appendChild(element("p", text.trim() || `${response.status} ${response.statusText}`, "error"));
      return;
    }
    let body = element("pre", text);
    let summary = `${type.split(";")[0]}`;
    if (type.includes("sparql-results+json")) {
      const answer = JSON.parse(text);
      if ("boolean" in answer) {
        body = element("p", `Answer: ${answer.boolean}`, "boolean");
        summary = "ASK";
      } else {
        const [node, count] = table(answer);
        body = node;
        summary = `${count} result${count === 1 ? "" : "s"}`;
      }
    }
    if (response.headers.get("X-SPARQL-Truncated") === "true") {
      summary += ` (truncated at ${response.headers.get("X-SPARQL-Max-Rows")} rows)`;
    }
    results.append(element("p", summary, "summary"), body);
  };

  form.addEventListener("submit", async (event) => {
    if (event.submitter && event.submitter.formMethod === "get") return; // "Link to this query" opens the link
    event.preventDefault();
    results.replaceChildren(element("p", "Running…", "summary"));
    try {
      await show(await fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)) }));
    } catch (error) {
      results.replaceChildren(element("p", `The query could not be sent: ${error}`, "error"));
    }
  });
});
