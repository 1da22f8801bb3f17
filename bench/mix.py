"""The query mix: our templates (``bench/queries/*.rq``) and the README's example queries.

A template names its parameters ``{{claim}}``, ``{{study}}``, …; ``parameter_sets``
draws them from the corpus deterministically (the documents are regenerated from the
seed, so no query is needed to find real IRIs). Every query is rendered once per
parameter set, so a server's result cache cannot answer a whole measurement.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from bench.document import synthetic_document
from bench.sentences import plural
from bench.terms import DESIGN_CLASSES, PROCEDURES, PROPORTION_OUTCOMES, iri, literal, se
from spine_evidence import namespaces as ns

QUERIES_DIR = Path(__file__).resolve().parent / "queries"
REPO = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
SPARQL_BLOCK = re.compile(r"```sparql\n(.*?)```", re.DOTALL)
TINY = "tiny-citation-number"


@dataclass(frozen=True)
class Query:
    """One query of the mix: its name, its template and where it came from."""

    name: str
    template: str
    origin: str

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of them in the text (comments aside)."""
        body = "\n".join(line for line in self.template.splitlines() if not line.lstrip().startswith("#"))
        body = re.sub(r"<[^>]*>", "", body)
        found = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE)
        return found.group(1).upper() if found else "SELECT"

    @property
    def parameters(self) -> set[str]:
        return set(PLACEHOLDER.findall(self.template))

    def render(self, values: dict[str, str]) -> str:
        """The query with every ``{{name}}`` replaced by its term."""
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], self.template)


def template_queries() -> list[Query]:
    """Our templates, sorted by name."""
    return [Query(p.stem, p.read_text(encoding="utf-8"), "bench/queries")
            for p in sorted(QUERIES_DIR.glob("*.rq"))]


def readme_queries(readme: Path = REPO / "README.md", folder: Path = REPO / "docs" / "queries") -> list[Query]:
    """The example queries of README.md (```sparql blocks) and of ``docs/queries/*.rq``."""
    found = []
    if readme.is_file():
        blocks = SPARQL_BLOCK.findall(readme.read_text(encoding="utf-8"))
        found += [Query(f"readme-{n:02d}", text, "README.md") for n, text in enumerate(blocks, start=1)]
    if folder.is_dir():
        found += [Query(f"docs-{p.stem}", p.read_text(encoding="utf-8"), "docs/queries")
                  for p in sorted(folder.glob("*.rq"))]
    return [q for q in found if "{{" not in q.template]


def all_queries(with_readme: bool = True) -> list[Query]:
    """The whole mix: README queries first (when present), then our templates."""
    return (readme_queries() if with_readme else []) + template_queries()


def parameter_sets(seed: int, documents: int, count: int = 8) -> list[dict[str, str]]:
    """``count`` parameter sets drawn from documents 1..``documents`` of the corpus."""
    rng = random.Random(f"{seed}:mix")
    sets = []
    for _ in range(count):
        doc = synthetic_document(seed, rng.randint(1, documents))
        procedure = rng.choice(PROCEDURES)
        claims = doc.claims["AuthorJudgement"] + doc.claims["StudyFinding"] + doc.claims["Fact"]
        with_subs = [r for r in doc.recommendations if r.endswith(("-1>", "-3>"))]
        sets.append({
            "doc": doc.iri,
            "study": rng.choice(doc.studies),
            "claim": rng.choice(claims),
            "rec": rng.choice(with_subs),
            "procedure": iri(ns.PROC, procedure),
            "procedure_words": literal(plural(procedure)),
            "outcome": iri(ns.OUTCOME, rng.choice(PROPORTION_OUTCOMES)),
            "design": se(rng.choice(list(DESIGN_CLASSES))),
            "min_percent": str(rng.choice((30, 50, 70, 90))),
        })
    return sets


def rendered(queries: list[Query], sets: list[dict[str, str]]) -> dict[str, list[str]]:
    """Each query's text for every parameter set (one text when it has no parameters)."""
    return {q.name: ([q.render(s) for s in sets] if q.parameters else [q.template]) for q in queries}
