"""The root of the package's errors, and the one way an error becomes one line.

Every error the core raises for something a user can fix (a bad file, a
missing store, bad SPARQL, an unusable test suite) derives from
:class:`SpineEvidenceError`, so the ``spine-evidence`` command catches that
one type and prints it as one line with exit code 2. Each subclass lives in
the module that raises it (``source_files.SourceError``, ``build.BuildError``, …);
those that also derive from a built-in type (``ValueError``,
``RuntimeError``) keep it, so existing ``except ValueError`` callers still work.
"""

from __future__ import annotations

# Longest message :func:`one_line` returns; a longer one (a Java stack trace) is cut, saying so.
MAX_LINE = 500


class SpineEvidenceError(Exception):
    """An error of Spine Evidence Graph that a user can act on; its message is one line."""


def one_line(error: object) -> str:
    """An error's message on one line: its whitespace collapsed, cut after ``MAX_LINE`` characters.

    A message without words gives the error's type name. Used for our own
    messages and for the libraries' (rdflib's parse errors, owlready2's Java
    output), whose messages often span several lines.
    """
    line = " ".join(str(error).split()) or type(error).__name__
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1].rstrip() + "…"
