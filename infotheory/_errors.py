"""Exceptions shared across subpackages (kept apart so that no module imports the CLI's)."""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(Exception):
    """An error caused by the command line (path, key, value); printed without a traceback."""
