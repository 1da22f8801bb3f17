"""What every command shares: the exit codes, the one-line error, and saying what a command uses."""

from __future__ import annotations

from typing import IO, Any

import click

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


class UsageFailure(click.ClickException):
    """An error the user can fix; printed as one line, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file: IO[Any] | None = None) -> None:
        """Print ``error: MESSAGE`` on standard error."""
        click.echo(f"error: {self.format_message()}", err=True)


def say(line: str) -> None:
    """One line on standard error: which store or files a command uses, or what it builds."""
    click.echo(line, err=True)


def given(**options: Any) -> dict[str, Any]:
    """The ``options`` the user gave (not ``None``): the others keep the library function's own defaults."""
    return {name: value for name, value in options.items() if value is not None}
