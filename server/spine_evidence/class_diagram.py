"""The ontology's class diagram as a self-contained SVG: the ``rdfs:subClassOf`` tree of its own classes.

Drawn at build time (:mod:`spine_evidence.ontology_docs`), without JavaScript or
any fetched resource: an indented tree, one row per class of the ontology's
namespace, each child under its parent and joined to it by a line; a class's
superclasses from other vocabularies (SEPIO, IAO, STATO …) are written beside
its box as ``⊑ prefix:local``. Each box links to the class's entry in the
documentation (``href(iri)``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

ROW, BOX_HEIGHT, INDENT, CHAR_WIDTH, PADDING, MARGIN = 30, 22, 26, 7.2, 8, 10
FONT = "font-family:system-ui,sans-serif;font-size:12px"


@dataclass(frozen=True)
class DiagramClass:
    """One class of the diagram: IRI, label, its parent in the tree (or ``None``), outside superclasses."""

    iri: str
    label: str
    parent: str | None
    outside: tuple[str, ...] = ()


def tree_order(classes: Sequence[DiagramClass]) -> list[tuple[DiagramClass, int]]:
    """Every class with its depth, parents before children, siblings by label (a parent outside the list is none)."""
    known = {c.iri for c in classes}
    children: dict[str | None, list[DiagramClass]] = {}
    for item in classes:
        children.setdefault(item.parent if item.parent in known else None, []).append(item)
    ordered: list[tuple[DiagramClass, int]] = []
    stack = [(c, 0) for c in sorted(children.get(None, []), key=lambda c: c.label.lower(), reverse=True)]
    while stack:
        item, depth = stack.pop()
        ordered.append((item, depth))
        kids = sorted(children.get(item.iri, []), key=lambda c: c.label.lower(), reverse=True)
        stack.extend((kid, depth + 1) for kid in kids)
    return ordered


def box_width(label: str) -> float:
    """The width of a class box holding ``label``."""
    return round(len(label) * CHAR_WIDTH + 2 * PADDING, 1)


def class_diagram(classes: Sequence[DiagramClass], href: Callable[[str], str], title: str) -> str:
    """The SVG (an ``<svg>`` element for inline HTML) of the subclass tree of ``classes``."""
    ordered = tree_order(classes)
    rows = {item.iri: (index, depth) for index, (item, depth) in enumerate(ordered)}
    parts: list[str] = []
    width = 0.0
    for index, (item, depth) in enumerate(ordered):
        x, y = MARGIN + depth * INDENT, MARGIN + index * ROW
        if item.parent in rows:
            parent_row, parent_depth = rows[item.parent]
            px, py = MARGIN + parent_depth * INDENT + INDENT / 2, MARGIN + parent_row * ROW + BOX_HEIGHT
            parts.append(f'<path class="edge" d="M{px} {py} V{y + BOX_HEIGHT / 2} H{x}"/>')
        parts.append(box(item, x, y, href(item.iri)))
        outside = "  ".join(f"⊑ {name}" for name in item.outside)
        end = x + box_width(item.label)
        if outside:
            parts.append(f'<text class="outside" x="{end + 8}" y="{y + 15}">{escape(outside)}</text>')
            end += 8 + len(outside) * CHAR_WIDTH
        width = max(width, end)
    height, width = MARGIN * 2 + len(ordered) * ROW, round(width + MARGIN)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="class-diagram" role="group"'
            f' aria-labelledby="diagram-title" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f'<title id="diagram-title">{escape(title)}</title>'
            f"<style>{STYLE}</style>" + "".join(parts) + "</svg>")


def box(item: DiagramClass, x: float, y: float, link: str) -> str:
    """One class box, a link to its documentation."""
    return (f'<a href="{escape(link)}"><rect class="class" x="{x}" y="{y}" width="{box_width(item.label)}"'
            f' height="{BOX_HEIGHT}" rx="3"/><text x="{x + PADDING}" y="{y + 15}">{escape(item.label)}</text>'
            f"<title>{escape(item.iri)}</title></a>")


STYLE = (f"text{{{FONT};fill:#1b1b1b}} .outside{{fill:#4a4a4a}} .class{{fill:#eef3fb;stroke:#1a4f9c}}"
         " .edge{fill:none;stroke:#5a5a5a} a:focus rect,a:hover rect{fill:#ffe38a;stroke-width:2}")

