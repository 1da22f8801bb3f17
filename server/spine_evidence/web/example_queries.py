"""The README's example queries, for the query page.

The README has a section headed "Example queries"; each example is a
``### Title`` heading, optional prose, and a fenced ```` ```sparql ```` block.
The README is read from the checkout (``README.md`` beside ``server/``) or,
in an installed wheel, from the distribution's metadata (hatchling ships the
README as the long description, so nothing is copied into the package).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .. import paths

DISTRIBUTION = "spine-evidence-graph"
SECTION_TITLE = "example queries"
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^(`{3,}|~{3,})\s*(\w*)")
CHECKOUT = paths.PACKAGE_DIR.parents[1]


@dataclass(frozen=True)
class Example:
    """One example query: its title, a URL-safe slug, the prose before it and the SPARQL text."""

    title: str
    slug: str
    description: str
    query: str


def slugify(title: str) -> str:
    """A lower-case, hyphenated slug of ``title``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "query"


def section_lines(markdown: str) -> list[str]:
    """The lines of the section whose heading is "Example queries" (empty if there is none)."""
    level: int | None = None
    found: list[str] = []
    lines = markdown.splitlines()
    for line in lines:
        heading = HEADING.match(line)
        if level is None:
            if heading and heading.group(2).strip().lower() == SECTION_TITLE:
                level = len(heading.group(1))
            continue
        if heading and len(heading.group(1)) <= level and not found_in_fence(found):
            break
        found.append(line)
    return found


def found_in_fence(lines: list[str]) -> bool:
    """Whether the lines so far leave a fenced block open (a ``#`` inside it is no heading)."""
    return sum(1 for line in lines if FENCE.match(line)) % 2 == 1


def parse_examples(markdown: str) -> list[Example]:
    """Every ``### Title`` + ```` ```sparql ```` pair of the "Example queries" section, in order."""
    examples: list[Example] = []
    title: str | None = None
    prose: list[str] = []
    block: list[str] | None = None
    fence = ""
    for line in section_lines(markdown):
        if block is not None:
            if line.strip().startswith(fence):
                examples.append(make_example(title or "", prose, block, examples))
                title, prose, block = None, [], None
            else:
                block.append(line)
            continue
        heading, opening = HEADING.match(line), FENCE.match(line)
        if heading:
            title, prose = heading.group(2), []
        elif opening and opening.group(2).lower() == "sparql" and title:
            block, fence = [], opening.group(1)
        elif title and line.strip():
            prose.append(line.strip())
    return examples


def make_example(title: str, prose: list[str], block: list[str], before: list[Example]) -> Example:
    """An :class:`Example`, its slug made unique among those ``before`` it."""
    slug, taken = slugify(title), {e.slug for e in before}
    number = 2
    while slug in taken:
        slug, number = f"{slugify(title)}-{number}", number + 1
    return Example(title, slug, " ".join(prose), "\n".join(block).strip() + "\n")


def readme_text() -> str | None:
    """The README: from the checkout, else from the installed distribution's metadata."""
    readme = CHECKOUT / "README.md"
    if readme.is_file() and (CHECKOUT / "pyproject.toml").is_file():
        return readme.read_text(encoding="utf-8")
    try:
        description = metadata.metadata(DISTRIBUTION).json.get("description")
    except metadata.PackageNotFoundError:
        return None
    return description if isinstance(description, str) and description else None


@lru_cache(maxsize=8)
def example_queries(readme: Path | None = None) -> tuple[Example, ...]:
    """The example queries of ``readme`` or the README, read once."""
    text = readme.read_text(encoding="utf-8") if readme is not None else readme_text()
    return tuple(parse_examples(text)) if text else ()
