"""The package's warning base class and the helper that points warnings at the user's call.

Every warning about a returned value (a bias, a saturation, a scale artefact, an interval that
misses its estimate) derives from :class:`InfotheoryWarning`, so a user can filter or escalate
them all at once (``warnings.simplefilter("error", infotheory.InfotheoryWarning)``), and is
emitted with :func:`warn`, whose stack level is that of the first frame outside the package.
"""

from __future__ import annotations

import os
import sys
import warnings

from ._validation import to_unit, unit_name

__all__ = ["InfotheoryWarning", "warn", "format_info"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class InfotheoryWarning(UserWarning):
    """Base class of the package's warnings about a returned value."""


def _user_stacklevel() -> int:
    """``stacklevel`` of the first frame outside the package (the user's call)."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
            _PACKAGE_DIR + os.sep):
        frame = frame.f_back
        level += 1
    return level


def warn(message: str, category: type[Warning]) -> None:
    """Emit ``message`` pointing at the user's call (the first frame outside the package)."""
    warnings.warn(message, category, stacklevel=_user_stacklevel())


def format_info(value_nats: float, base=None, digits: int = 3) -> str:
    """``"1.234 nats"`` / ``"1.780 bits"``: a value in nats written in the unit of ``base``."""
    return f"{to_unit(value_nats, base):.{digits}f} {unit_name(base)}"
