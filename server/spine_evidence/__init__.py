"""Spine Evidence Graph: a clinical evidence document as linked data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("spine-evidence-graph")
except PackageNotFoundError:  # running from a checkout without an install
    __version__ = "0.0.0"
