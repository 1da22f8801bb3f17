"""Numbers and labels as they are written in quoted words.

A number token is a whole number or decimal that is not part of a word or of
a longer number (``4`` is not a token of ``46`` nor of ``C4``); a token
followed by ``%`` (or ``percent``) is a percentage. Citation markers (``(7)``,
``(1, 2)``) are not numbers. The number words ``none``, ``zero`` ...
``twenty`` are count tokens.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from rdflib import Graph
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?!\w|\.\d)(\s*(?:%|percent\b|per cent\b))?", re.IGNORECASE)
CITATION = re.compile(r"\(\d+(?:\s*[,–-]\s*\d+)*\)")
WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen twenty").split()
NUMBER_WORDS = {"none": 0, **{w: i for i, w in enumerate(WORDS)}}
WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
PARENTHESIS = re.compile(r"\s*\(([^)]*)\)\s*")


class Token(NamedTuple):
    """A number as written: its text, value, offset, and whether a ``%`` follows it."""

    text: str
    value: Decimal
    start: int
    percent: bool


def number_tokens(words: str) -> list[Token]:
    """The number tokens of ``words``, in order (citation markers left out)."""
    text = CITATION.sub(lambda m: " " * len(m.group()), words)
    tokens = [Token(m.group(0).strip(), Decimal(m.group(1)), m.start(), bool(m.group(2)))
              for m in NUMBER.finditer(text)]
    tokens += [Token(m.group(1), Decimal(NUMBER_WORDS[m.group(1).lower()]), m.start(), False)
               for m in WORD.finditer(text)]
    return sorted(tokens, key=lambda t: t.start)


def label_variants(graph: Graph, node: Node) -> set[str]:
    """The labels of ``node`` and their forms with a parenthesis dropped or standing for the word before it.

    ``anteroposterior (AP) view`` gives ``anteroposterior view`` and ``AP view``.
    """
    variants = set()
    for label in [*graph.objects(node, RDFS.label), *graph.objects(node, SKOS.altLabel)]:
        text = " ".join(str(label).split())
        variants.add(text)
        match = PARENTHESIS.search(text)
        if match:
            before, after = text[: match.start()], text[match.end():]
            variants.add(" ".join(f"{before} {after}".split()))
            words = before.split()
            variants.add(" ".join([*words[:-1], match.group(1), after]).strip())
    return {v for v in variants if v}


def find_label(graph: Graph, node: Node, words: str) -> int | None:
    """The offset of ``node``'s one mention in ``words`` (``None`` when not mentioned, or mentioned twice)."""
    spans: list[tuple[int, int]] = []
    for variant in label_variants(graph, node):
        pattern = re.compile(r"(?<!\w)" + re.escape(variant) + r"(?!\w)", re.IGNORECASE)
        spans += [(m.start(), m.end()) for m in pattern.finditer(words)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged[0][0] if len(merged) == 1 else None
