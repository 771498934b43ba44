"""Free text: remove the identifiers written inside it."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from anonlab.profiling.patterns import CONTAINED
from anonlab.transforms.base import Context, Transform
from anonlab.transforms.registry import builtin

__all__ = ["Scrub"]


@builtin
@dataclass(frozen=True, kw_only=True)
class Scrub(Transform):
    """Replace identifiers found inside free text with a placeholder.

    Uses the same patterns as profiling's detection of free text with identifiers, so what the
    profile flags is what this removes: e-mail addresses, phone numbers (North American and
    international), SSNs written ``123-45-6789``, and web addresses. Names and places written in
    the text are not recognized (that needs a language model); review such text or redact it
    whole with ``redact``.

    Parameters
    ----------
    kinds : tuple of str, default ("email", "phone", "ssn", "url")
        Which identifiers to replace.
    placeholder : str, default "<{kind}>"
        The replacement; ``{kind}`` becomes the kind in capitals (``<PHONE>``).

    Examples
    --------
    "Call me at (617) 284-3310" becomes "Call me at <PHONE>".
    """

    op = "scrub"
    accepts = frozenset({"string"})
    kinds: tuple[str, ...] = ("email", "phone", "ssn", "url")
    placeholder: str = "<{kind}>"

    def validate(self) -> None:
        kinds = (self.kinds,) if isinstance(self.kinds, str) else self.kinds
        if not isinstance(kinds, tuple | list) or not kinds:
            raise self._bad("kinds", f"a non-empty list of {sorted(CONTAINED)}", self.kinds)
        for kind in kinds:
            if not isinstance(kind, str) or kind not in CONTAINED:
                raise self._bad("kinds", f"a list drawn from {sorted(CONTAINED)}", kind)
        self._set("kinds", tuple(kinds))
        if not isinstance(self.placeholder, str):
            raise self._bad("placeholder", "a str", self.placeholder)

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        out = pl.col(column).cast(pl.String)
        # SSNs before phones: an SSN is never a phone, and removing it first keeps it whole
        for kind in sorted(self.kinds, key=("ssn", "email", "url", "phone").index):
            replacement = self.placeholder.replace("{kind}", kind.upper()).replace("$", "$$")
            out = out.str.replace_all(CONTAINED[kind], replacement)
        return out
