"""The release as :func:`anonlab.export` makes it, and the row each of its records came from.

The attacks need to know which original record each release row is (the attacker's target is a
person, the release row their record); :func:`make_release` applies the recipe with a hidden row
number carried through every step, and puts the rows in a secret random order.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from anonlab._validation import fresh_name
from anonlab.errors import ColumnNotFoundError

if TYPE_CHECKING:
    from anonlab.recipe import Recipe

__all__ = ["make_release", "rerun", "secret_rng"]


def secret_rng() -> np.random.Generator:
    """A generator seeded from the operating system's secure source (never written)."""
    return np.random.default_rng(secrets.randbits(128))


def make_release(
    original: pl.DataFrame, recipe: Recipe, scope: str | None, *, shuffle: bool = True
) -> tuple[pl.DataFrame, np.ndarray]:
    """The release :func:`anonlab.export` makes: ``recipe`` applied to ``original`` for ``scope``.

    Parameters
    ----------
    original : polars.DataFrame
        The data before the recipe.
    recipe : Recipe
    scope : str or None
        The token scope (``"release:<id>"`` or ``"family:<name>"``, see
        :attr:`anonlab.transforms.Context.release`); None for the master keys themselves.
    shuffle : bool, default True
        Put the rows in a secret random order (from the operating system, never written).

    Returns
    -------
    (release, rows)
        The release, and for each of its rows the row of ``original`` it came from (what the
        attacks of :func:`anonlab.licensing.check_compliance` take as ``rows=``).

    Raises
    ------
    ColumnNotFoundError
        A step names a column the data lacks (was it anonymized already?).
    """
    try:
        release, rows = _applied(original, recipe, scope=scope, attacker=False)
    except ColumnNotFoundError as exc:
        raise ColumnNotFoundError(
            exc.column, exc.available,
            where="a recipe step; the recipe applies to the ORIGINAL data (export applies it "
                  "itself), so pass the frame before anonymization") from None
    if shuffle:
        order = secret_rng().permutation(release.height)
        release, rows = release[order], rows[order]
    return release, rows


def _applied(
    original: pl.DataFrame, recipe: Recipe, *, scope: str | None, attacker: bool
) -> tuple[pl.DataFrame, np.ndarray]:
    """The recipe's output, and for each output row the original row it came from."""
    row = fresh_name(original.columns, "__anonlab_source_row")
    out = recipe.plan(original.lazy().with_row_index(row), hidden=(row,), release=scope,
                      attacker=attacker).collect()
    return out.drop(row), out.get_column(row).to_numpy().astype(np.int64)


def rerun(
    original: pl.DataFrame, recipe: Recipe, *, scope: str | None = None, attacker: bool = False
) -> tuple[pl.DataFrame, np.ndarray]:
    """Apply ``recipe`` to ``original`` again, as the attacks do (in original row order).

    Returns the output and, for each ORIGINAL row, the output row it became (-1 when a step
    removed it), so that outputs of several runs can be lined up record by record.
    """
    out, rows = _applied(original, recipe, scope=scope, attacker=attacker)
    where = np.full(original.height, -1, dtype=np.int64)
    where[rows] = np.arange(out.height)
    return out, where
