"""The Flask app: the SPARQL 1.1 Protocol endpoint and its companions, safe to expose."""

from .app import create_app
from .config import AppConfig

__all__ = ["AppConfig", "create_app"]
