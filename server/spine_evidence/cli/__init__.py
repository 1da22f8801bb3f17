"""The ``spine-evidence`` command: a thin layer over the library functions of the same names.

Exit codes, as pySHACL's: 0 success (or: the graph conforms), 1 the graph
does not conform (``validate``), 2 an error (bad file, bad SPARQL, bad option).
Every error is one line on standard error: the commands let the core's
errors (:class:`~spine_evidence.errors.SpineEvidenceError`) and the
operating system's (``OSError``) rise, and :class:`Commands` prints them.
One module per group of commands; each imports the library only when it
runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import SpineEvidenceError, one_line
from .checks import conformance, validate
from .common import EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, UsageFailure, say
from .dataset import build, load
from .publish import publish
from .query import query
from .serve import serve

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_VIOLATIONS", "UsageFailure", "main", "run_main", "say"]


class Commands(click.Group):
    """The command group: an error of the core or of the operating system becomes one line, exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; ``SpineEvidenceError`` and ``OSError`` become a :class:`UsageFailure`."""
        try:
            return super().invoke(ctx)
        except (SpineEvidenceError, OSError) as error:
            raise UsageFailure(one_line(error)) from None


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="spine-evidence-graph")
def main() -> None:
    """Spine Evidence Graph: the SIS FactFinder on ultrasound for cervical
    injections as an OWL ontology, an RDF graph, SHACL shapes and a SPARQL endpoint.

    The dataset lives in one place that build writes and serve and query
    read: $SPINE_EVIDENCE_STATE_DIR, else dist/ of a writable checkout, else
    ~/.cache/spine-evidence/VERSION. --out (build) and --store (serve, query)
    name another one; each command says on standard error what it uses.

    \b
    Example:
      spine-evidence build && spine-evidence serve
    """


for command in (build, query, serve, conformance, validate, load, publish):
    main.add_command(command)


def run_main() -> None:
    """Entry point (the ``spine-evidence`` script, ``python -m spine_evidence``); click's usage errors exit 2."""
    sys.exit(main(standalone_mode=True))
