"""HIPAA Safe Harbor ZIP codes: the first three digits, ``000`` for small areas.

``hipaa_zip3`` (:class:`HipaaZip3`)
    Keep the first three digits of a ZIP code, and write ``000`` for the three-digit prefixes
    whose areas hold 20,000 people or fewer (45 CFR 164.514(b)(2)(i)(B)). ``"02139"``,
    ``"02139-4307"`` and the integer ``2139`` become ``"021"``; ``"03601"`` becomes ``"000"``.

The restricted prefixes default to :data:`RESTRICTED_ZIP3`, the 17 the HHS de-identification
guidance lists from the 2000 Census (:data:`ZIP3_SOURCE`). HHS advises using more current Census
data where it has been published: pass your own list as ``restricted``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from anonlab.transforms._params import input_dtype
from anonlab.transforms.base import Context, Transform
from anonlab.transforms.registry import builtin

__all__ = ["RESTRICTED_ZIP3", "ZIP3_SOURCE", "HipaaZip3"]

RESTRICTED_ZIP3: tuple[str, ...] = (
    "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878",
    "879", "884", "890", "893",
)
"""Three-digit ZIP prefixes of areas with 20,000 people or fewer, which Safe Harbor writes
``000``."""

ZIP3_SOURCE = (
    "HHS, Guidance Regarding Methods for De-identification of PHI (2012), from 2000 Census data; "
    "final rule preamble 67 FR 53182, 53233-53234 (Aug 14 2002)"
)
"""Where :data:`RESTRICTED_ZIP3` comes from."""

_ZIP3 = re.compile(r"^\d{3}$")


@builtin
@dataclass(frozen=True, kw_only=True)
class HipaaZip3(Transform):
    """Cut ZIP codes to their first three digits; restricted prefixes become ``"000"``.

    String values are stripped of surrounding blanks and must start with three digits (a
    five-digit ZIP or a ZIP+4); integer values are read as five-digit ZIP codes with their
    leading zeros lost (``2139`` is ``"02139"``). A value that does not start with three digits
    becomes null, since its area cannot be told. Nulls stay null. The output is a String column.

    Parameters
    ----------
    restricted : tuple of str, default RESTRICTED_ZIP3
        The three-digit prefixes written ``"000"``.

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.transforms import Context
    >>> lf = pl.LazyFrame({"zip": ["02139", "03601", " 10001-1234", "9", None]})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> HipaaZip3().apply(lf, "zip", ctx).collect()["zip"].to_list()
    ['021', '000', '100', None, None]
    """

    op = "hipaa_zip3"
    accepts = frozenset({"string", "integer"})
    restricted: tuple[str, ...] = RESTRICTED_ZIP3

    def validate(self) -> None:
        value = (self.restricted,) if isinstance(self.restricted, str) else self.restricted
        if not isinstance(value, tuple | list) or not all(
            isinstance(v, str) and _ZIP3.match(v) for v in value
        ):
            raise self._bad("restricted", "a list of three-digit strings such as '036'",
                            self.restricted)
        self._set("restricted", tuple(sorted(set(value))))

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        dtype = input_dtype(self, column, ctx)
        if dtype.is_integer():
            text = pl.col(column).cast(pl.Int64).cast(pl.String).str.zfill(5)
        else:
            text = pl.col(column).cast(pl.String).str.strip_chars()
        zip3 = text.str.extract(r"^(\d{3})")
        return (pl.when(zip3.is_in(list(self.restricted))).then(pl.lit("000"))
                .otherwise(zip3))
