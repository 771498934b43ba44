"""Show the shape of a value without the value: what a profile displays for identifier columns."""

from __future__ import annotations

import datetime as dt
import re

from anonlab.profiling.kinds import Kind

__all__ = ["mask_value"]

# Any letter or digit of any script (CJK, Cyrillic, Arabic-Indic digits...): word characters
# except the underscore.
_ALNUM = re.compile(r"[^\W_]")


def mask_value(value: object, kind: Kind | None) -> str:
    """Mask a value so its format shows but not its content.

    Letters and digits become ``*``; separators (``@ . - ( ) /`` and spaces) stay, so an analyst
    still sees ``****.***@*******.***`` or ``(***) ***-****``. Dates keep their year (which HIPAA
    Safe Harbor allows) except dates of birth, which keep only their decade.

    Examples
    --------
    >>> mask_value("jane.doe@example.com", Kind.EMAIL)
    '****.***@*******.***'
    >>> mask_value(dt.date(1987, 5, 2), Kind.DATE_OF_BIRTH)
    '198*-**-**'
    """
    if value is None:
        return "null"
    if isinstance(value, list | tuple | dict | set | bytes | bytearray):
        # nested values cannot be examined piece by piece: fail closed
        return "***"
    if isinstance(value, dt.datetime | dt.date):
        year = f"{value.year:04d}"
        shown = year[:3] + "*" if kind is Kind.DATE_OF_BIRTH else year
        return shown + "-**-**"
    text = str(value)
    if len(text) > 60:
        text = text[:60] + "…"
    return _ALNUM.sub("*", text)
