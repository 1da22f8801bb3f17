"""The ``spine-evidence`` command: a thin layer over the library functions of the same names.

Exit codes, as pySHACL's: 0 success (or: the graph conforms), 1 the graph
does not conform (``validate``), 2 an error (bad file, bad SPARQL, bad option).
Every error is one line on standard error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class UsageFailure(click.ClickException):
    """An error the user can fix; printed as one line, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="spine-evidence-graph")
def main() -> None:
    """Spine Evidence Graph: the SIS FactFinder on ultrasound for cervical
    injections as an OWL ontology, an RDF graph, SHACL shapes and a SPARQL endpoint.

    \b
    Example:
      spine-evidence build && spine-evidence serve
    """


def run_main() -> None:
    """Entry point that maps click's own usage errors to exit code 2."""
    sys.exit(main(standalone_mode=True))
