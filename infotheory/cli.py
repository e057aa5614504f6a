"""The ``infotheory`` command.

Each subcommand lives next to the code it drives, in a module that exposes
``register(subparsers)``; the module adds its parser and sets ``func`` (a callable taking the
parsed ``argparse.Namespace`` and returning an exit code). User errors (bad paths, keys, values)
are reported as ``infotheory: error: ...`` with exit code 2 and no traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from ._errors import UserError
from .analysis import _cli as _analysis_cli
from .bounds import _cli as _bounds_cli

__all__ = ["UserError", "build_parser", "main"]

# Modules providing subcommands, in the order they appear in ``infotheory --help``.
_COMMAND_MODULES = (_analysis_cli, _bounds_cli)


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="infotheory",
        description="Information-theoretic estimates from sample arrays.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    with warnings.catch_warnings(record=True) as caught:
        # Warnings about the numbers (bias, saturation, discrete inputs) are part of the
        # result: printed once each, after it, as "infotheory: warning: ...".
        warnings.simplefilter("always")
        try:
            code = int(args.func(args) or 0)
        except (UserError, OSError, KeyError, ValueError, TypeError) as exc:
            # OSError: paths the user gave (missing, an existing file where a folder goes, a
            # path below a file, no permission), reported with the path and no traceback
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            print(f"infotheory: error: {message}", file=sys.stderr)
            code = 2
    shown = set()
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in shown and not issubclass(w.category, (DeprecationWarning,
                                                             PendingDeprecationWarning)):
            shown.add(text)
            print(f"infotheory: warning: {text}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
