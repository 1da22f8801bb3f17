"""The Flask app: the SPARQL 1.1 Protocol endpoint and its companions, safe to expose.

``create_app`` is imported on first use, so that reading ``web.config``'s
defaults (as the ``spine-evidence`` command does for its options) does not
import Flask, pyoxigraph and the whole request path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import AppConfig

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["AppConfig", "create_app"]


def __getattr__(name: str) -> Any:
    """``create_app``, imported from ``.app`` when first asked for."""
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
