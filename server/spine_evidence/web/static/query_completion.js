// Completion for YASGUI's editor from this server's own vocabulary (/query/vocabulary.json: the
// ontology, the VoID partitions and the SHACL shapes), never from an outside service: YASQE's
// class and property completers (which ask Linked Open Vocabularies) and its bundled prefix
// list are replaced by forks of them that read the vocabulary document. A class or property
// matches when its prefixed name, IRI, local name or label starts with what was typed (or its
// label contains it), so "Recomm" finds se:Recommendation without a prefix.
"use strict";

(() => {
  const Yasqe = Yasgui.Yasqe;
  const LIMIT = 60;
  const LOCAL_NAME = /^[A-Za-z0-9_]([\w.-]*[\w-])?$/;
  const editor = document.getElementById("editor");
  let vocabulary = null;

  const load = () => {
    vocabulary = vocabulary || fetch(editor.dataset.vocabulary).then((response) => {
      if (!response.ok) throw new Error(`the vocabulary could not be loaded (${response.status})`);
      return response.json();
    }).catch((error) => {
      vocabulary = null; // asked again at the next completion
      throw error;
    });
    return vocabulary;
  };

  const localName = (iri) => iri.split(/[#/]/).pop();

  // The IRI a typed prefixed name stands for, with the query's own PREFIX lines.
  const expand = (yasqe, typed) => {
    const colon = typed.indexOf(":");
    const namespace = colon > 0 ? yasqe.getPrefixesFromQuery()[typed.slice(0, colon)] : undefined;
    return namespace ? namespace + typed.slice(colon + 1) : typed;
  };

  const matching = (terms, yasqe, typed) => {
    const needle = typed.replace(/^</, "").replace(/>$/, "").trim().toLowerCase();
    const expanded = expand(yasqe, needle).toLowerCase();
    if (!needle) return terms.slice(0, LIMIT);
    const starts = [];
    const contains = [];
    for (const term of terms) {
      const names = [term.prefixed, term.iri, localName(term.iri), term.label].filter(Boolean)
        .map((name) => name.toLowerCase());
      if (names.some((name) => name.startsWith(needle)) || term.iri.toLowerCase().startsWith(expanded)) {
        starts.push(term);
      } else if (term.label && term.label.toLowerCase().includes(needle)) {
        contains.push(term);
      }
    }
    return starts.concat(contains).slice(0, LIMIT);
  };

  const termsByIri = new Map();
  const shown = new Map(); // text written → term, for the hint's description

  // What the editor writes for an IRI: a prefixed name with the query's own prefix, else a
  // predeclared one (the endpoint knows them), else the full IRI.
  const written = (yasqe, iri) => {
    let best = null;
    for (const [prefix, namespace] of Object.entries(yasqe.getPrefixesFromQuery())) {
      if (iri.startsWith(namespace) && (!best || namespace.length > best[1].length)) best = [prefix, namespace];
    }
    const term = termsByIri.get(iri);
    let text = `<${iri}>`;
    if (best && LOCAL_NAME.test(iri.slice(best[1].length))) text = `${best[0]}:${iri.slice(best[1].length)}`;
    else if (term && term.prefixed && LOCAL_NAME.test(term.prefixed.split(":")[1])) text = term.prefixed;
    if (term) shown.set(text, term);
    return text;
  };

  const describe = (term, count) => [term.label, `${term[count]} ${count}`].filter(Boolean).join(" · ");

  // Writes a picked completion, declaring its prefix first when the query lacks it (so YASQE's
  // own prefix completer has nothing to add and does not reopen the list).
  let prefixTable = {};
  const insert = (yasqe, data, completion) => {
    const from = { ...(completion.from || data.from) };
    const to = { ...(completion.to || data.to) };
    const prefix = completion.text.startsWith("<") ? null : completion.text.split(":")[0];
    if (prefix && !(prefix in yasqe.getPrefixesFromQuery()) && prefixTable[prefix]) {
      const lines = yasqe.lineCount();
      yasqe.addPrefixes({ [prefix]: prefixTable[prefix] });
      from.line += yasqe.lineCount() - lines;
      to.line += yasqe.lineCount() - lines;
    }
    yasqe.replaceRange(completion.text, from, to, "complete");
  };

  // Forked from YASQE's own class or property completer (its positions and token handling).
  const completer = (kind, count) => ({
    name: `graph-${kind}`,
    bulk: false,
    autoShow: false,
    persistenceId: null,
    get: (yasqe, token) => load().then((found) => {
      const terms = found[kind];
      prefixTable = found.prefixes;
      terms.forEach((term) => termsByIri.set(term.iri, term));
      return matching(terms, yasqe, (token && token.string) || "").map((term) => term.iri);
    }),
    postProcessSuggestion: (yasqe, _token, iri) => written(yasqe, iri),
    postprocessHints: (_yasqe, hints) => hints.map((hint) => {
      const term = shown.get(hint.text);
      return term ? { ...hint, displayText: `${hint.text} — ${describe(term, count)}`, hint: insert } : hint;
    }),
  });

  Yasqe.forkAutocompleter("class", completer("classes", "instances"));
  Yasqe.forkAutocompleter("property", completer("properties", "triples"));
  Yasqe.forkAutocompleter("prefixes", {
    name: "graph-prefixes",
    persistenceId: null,
    get: () => load().then((found) => Object.entries(found.prefixes).map(([p, ns]) => `${p}: <${ns}>`).sort()),
  });
  const ours = ["variables", "graph-prefixes", "graph-properties", "graph-classes"];
  const completers = Yasqe.defaults.autocompleters;
  completers.splice(0, completers.length, ...ours);
})();
