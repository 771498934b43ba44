"""Free text: remove the identifiers written inside it."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from anonlab.text.scrubber import KINDS, scrub_series
from anonlab.transforms.base import Context, Transform
from anonlab.transforms.registry import builtin

__all__ = ["Scrub"]


@builtin
@dataclass(frozen=True, kw_only=True)
class Scrub(Transform):
    """Replace the identifiers written inside free text with a placeholder.

    Finds the identifier kinds of HIPAA Safe Harbor as free text writes them (see
    :mod:`anonlab.text`): people's names (titles, relations, the US Census name lexicons),
    dates in 16 written forms, ages over 89, phone and SSN numbers formatted or not, e-mail
    addresses, URLs, IP addresses, street addresses and cities, ZIP codes, and record, account
    and other codes. With ``context``, each record's own values of those columns (its name and
    each part of it, its phone number whatever the separators, its MRN...) are removed from its
    text too, which catches what no lexicon knows. On the labelled corpus of
    :func:`anonlab.datasets.clinical_notes` its recall and precision per kind are printed by
    ``python -m benchmarks --only scrub``.

    The rules are not a language model: a name that is also an ordinary word (``Hope``,
    ``Will``) is found only where a title, a relation or the record's context marks it, and
    prose can always say who someone is without naming them. :func:`anonlab.check_compliance`
    therefore scans the scrubbed text again for the original record's identifiers
    (``residual-identifiers``) before a license may call it de-identified.

    Parameters
    ----------
    kinds : tuple of str, default all of :data:`anonlab.text.KINDS`
        Which identifier kinds to find by pattern and lexicon (row context is always used).
    context : tuple of str, default ()
        Columns of the same record whose original values are removed from its text: the
        record's name, phone, e-mail, SSN, MRN, address, city, ZIP, dates. The step reads their
        values as they were before the recipe ran, so a recipe may drop them before or after.
    placeholder : str, default "<{kind}>"
        The replacement; ``{kind}`` becomes the kind in capitals (``<PHONE>``).

    Examples
    --------
    ``"Maria Garcia was admitted on 2023-01-10; contact 4155552671."`` becomes
    ``"<NAME> was admitted on <DATE>; contact <PHONE>."``
    """

    op = "scrub"
    accepts = frozenset({"string"})
    kinds: tuple[str, ...] = KINDS
    context: tuple[str, ...] = ()
    placeholder: str = "<{kind}>"

    def validate(self) -> None:
        kinds = (self.kinds,) if isinstance(self.kinds, str) else self.kinds
        if not isinstance(kinds, tuple | list) or not kinds:
            raise self._bad("kinds", f"a non-empty list drawn from {list(KINDS)}", self.kinds)
        for kind in kinds:
            if not isinstance(kind, str) or kind not in KINDS:
                raise self._bad("kinds", f"a list drawn from {list(KINDS)}", kind)
        self._set("kinds", tuple(dict.fromkeys(kinds)))
        context = (self.context,) if isinstance(self.context, str) else self.context
        if not isinstance(context, tuple | list) or not all(
            isinstance(c, str) and c for c in context
        ):
            raise self._bad("context", "a list of column names", self.context)
        self._set("context", tuple(dict.fromkeys(context)))
        if not isinstance(self.placeholder, str):
            raise self._bad("placeholder", "a str", self.placeholder)

    def reads(self) -> tuple[str, ...]:
        return self.context

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        kinds, placeholder = self.kinds, self.placeholder
        fields = [pl.col(column).cast(pl.String).alias("\0text")]
        fields += [
            pl.col(ctx.originals.get(c, c)).alias(f"\0{i}") for i, c in enumerate(self.context)
        ]

        def run(batch: pl.Series) -> pl.Series:
            frame = batch.struct.unnest()
            text = frame.get_column("\0text")
            return scrub_series(text, frame.drop("\0text"), kinds=kinds,
                                placeholder=placeholder).alias(column)

        return pl.struct(fields).map_batches(run, return_dtype=pl.String, is_elementwise=True)
