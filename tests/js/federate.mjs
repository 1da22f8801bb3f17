// Federated query with Comunica: one SPARQL query over several sources at once.
// Usage: node federate.mjs QUERY_FILE SOURCE_URL...
// A source URL ending in /sparql is used as a SPARQL endpoint, any other as an RDF file
// served over HTTP. Prints the solutions as a JSON array of {variable: value} objects.
import { readFileSync } from "node:fs";
import { QueryEngine } from "@comunica/query-sparql";

const [queryFile, ...urls] = process.argv.slice(2);
if (!queryFile || urls.length === 0) {
  console.error("usage: node federate.mjs QUERY_FILE SOURCE_URL...");
  process.exit(2);
}
const sources = urls.map((url) => (url.endsWith("/sparql") ? { type: "sparql", value: url } : { type: "file", value: url }));
const engine = new QueryEngine();
const stream = await engine.queryBindings(readFileSync(queryFile, "utf8"), { sources });
const rows = (await stream.toArray()).map((bindings) =>
  Object.fromEntries([...bindings].map(([variable, term]) => [variable.value, term.value])),
);
console.log(JSON.stringify(rows));
