"""A small HTML element tree for the page tests, built with the standard library's ``html.parser``.

``parse(text)`` gives the document's root :class:`Element`; ``Element.iter`` finds
descendants by tag, class and attributes; ``Element.text`` is the text with
whitespace collapsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    """An HTML element: tag, attributes, children (elements and text)."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        """The element's text, whitespace collapsed."""
        return " ".join("".join(c if isinstance(c, str) else " " + c.text() + " " for c in self.children).split())

    def iter(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        """Every descendant element (depth first) with ``tag``, the class ``cls`` and the attributes ``attrs``.

        ``class_=NAME`` in ``attrs`` is the same as ``cls=NAME``.
        """
        if cls is not None:
            attrs = {**attrs, "class_": cls}
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if (tag is None or child.tag == tag) and all(has(child, name, value) for name, value in attrs.items()):
                    found.append(child)
                found += child.iter(tag, **attrs)
        return found

    def elements(self) -> list[Element]:
        """The element children."""
        return [c for c in self.children if isinstance(c, Element)]

    def summary(self) -> str:
        """The text of a ``<details>`` element's own ``<summary>``."""
        return next(c for c in self.elements() if c.tag == "summary").text()

    def hrefs(self) -> list[str]:
        """The ``href`` of every link inside."""
        return [a.attrs["href"] for a in self.iter("a") if "href" in a.attrs]


def has(element: Element, name: str, value: str) -> bool:
    """Whether ``element`` has the attribute ``name`` equal to ``value`` (``class_``: one of its classes)."""
    if name == "class_":
        return value in element.attrs.get("class", "").split()
    return element.attrs.get(name) == value


class TreeBuilder(HTMLParser):
    """Builds an :class:`Element` tree with :class:`html.parser.HTMLParser`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(text: str) -> Element:
    """The element tree of an HTML document."""
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root
