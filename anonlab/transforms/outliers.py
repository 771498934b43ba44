"""Record suppression as ARX does it: every quasi-identifier of an outlier record becomes ``*``.

``suppress_outliers`` (:class:`SuppressOutliers`, frame scope)
    The records whose equivalence class on the quasi-identifiers breaks the targets (fewer than
    ``k`` records, or failing a privacy model such as l-diversity) keep their row, but all their
    quasi-identifiers are replaced by ``*``. This is the suppression step of the recipes
    :func:`anonlab.optimize` writes: applied after the generalization steps, it reproduces the
    optimizer's output exactly.

Unlike ``suppress_records``, no row is dropped (the sensitive and other columns stay, and the
record counts of the release are unchanged), and the targets may be any privacy models of
:mod:`anonlab.risk.models` that need no population table.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from anonlab._validation import check_int, fresh_name
from anonlab.errors import ColumnNotFoundError, ParameterError, RecipeError, TransformError
from anonlab.suppressed import wildcard
from anonlab.transforms._params import column_list, is_number
from anonlab.transforms.base import Context, Transform
from anonlab.transforms.registry import builtin

__all__ = ["SuppressOutliers", "failing_classes"]


def failing_classes(
    frame: pl.DataFrame,
    quasi_identifiers: tuple[str, ...],
    k: int | None,
    models: tuple[Any, ...],
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """The classes of ``frame`` under :mod:`anonlab.suppressed`'s rule and which break the
    targets.

    Returns the keys (one row per class, suppressed cells as null), the records of each class
    (its members) and a boolean array of failing classes. Records suppressed on every
    quasi-identifier are in no class.
    """
    from anonlab.risk.classes import equivalence_classes

    sens = list(dict.fromkeys(m.sensitive_column for m in models if m.sensitive_column))
    table = equivalence_classes(frame, quasi_identifiers, sens, owner="suppress_outliers")
    failing = np.zeros(table.classes, dtype=bool)
    if k is not None:
        failing |= (table.size < k).to_numpy()
    for model in models:
        failing |= ~model.class_passes(table).fill_null(False).to_numpy()
    return table.keys, table.members.to_numpy(), failing


@builtin
@dataclass(frozen=True, kw_only=True)
class SuppressOutliers(Transform):
    """Set every quasi-identifier to ``*`` in the records of classes that break the targets.

    The classes are those of :mod:`anonlab.suppressed`'s rule, the one the risk report reads
    the result with: the records compatible with a record on all ``quasi_identifiers``, a null
    or ``*`` matching any value; records suppressed on every quasi-identifier are in no class.
    A class breaks the targets when it has fewer than ``k`` records or fails one of ``models``;
    the quasi-identifiers of all its records are then replaced, ARX's record suppression.
    String columns get ``value``; columns of other dtypes (and all columns when ``value`` is
    None) get null: both are the suppression mark. Rows are kept, in their order. When some
    records kept have suppressed cells, a suppressed record no longer counts in the classes of
    the records it matched, so the step repeats until no class breaks the targets.

    In a recipe this is a multi-column step: ``Step(None, SuppressOutliers(...))`` hands it its
    first quasi-identifier as the column, which it does not otherwise use. It reads the whole
    frame (it runs when the recipe is planned) and writes a one-row summary to
    ``ctx.side_outputs[f"suppress_outliers:{step}"]``: ``records``, ``classes``,
    ``failing_classes`` and ``suppressed``.

    Parameters
    ----------
    quasi_identifiers : tuple of str
        The key columns.
    k : int or None, default None
        k-anonymity: classes with fewer records are suppressed.
    models : tuple of dict, default ()
        Other targets as plain data (:meth:`PrivacyModel.to_dict
        <anonlab.risk.models.PrivacyModel.to_dict>`), e.g. ``{"model": "l_diversity",
        "column": "disease", "l": 2}``. Models needing a population table are refused.
    max_suppression : float or None, default None
        The largest share of records (0 to 1) that may be suppressed; if more would be, the
        step raises :class:`~anonlab.TransformError` instead (as a release would then break
        the plan it was made with).
    value : str or None, default "*"
        What suppressed string values become (None: null).

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.transforms import Context
    >>> lf = pl.LazyFrame({"zip": ["021**"] * 3 + ["100**"], "sex": ["F", "F", "F", "M"]})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> t = SuppressOutliers(quasi_identifiers=("zip", "sex"), k=2)
    >>> t.apply(lf, "zip", ctx).collect().rows()
    [('021**', 'F'), ('021**', 'F'), ('021**', 'F'), ('*', '*')]
    """

    op = "suppress_outliers"
    linkage = "suppress"
    scope = "frame"
    quasi_identifiers: tuple[str, ...]
    k: int | None = None
    models: tuple[dict[str, Any], ...] = ()
    max_suppression: float | None = None
    value: str | None = "*"

    def __hash__(self) -> int:  # models are dicts; hash their JSON form
        models = json.dumps(list(self.models), sort_keys=True, default=str)
        return hash((self.op, self.quasi_identifiers, self.k, models, self.max_suppression,
                     self.value))

    def validate(self) -> None:
        from anonlab.risk.models import PrivacyModel, model_from_dict

        owner = type(self).__name__
        self._set(
            "quasi_identifiers", column_list(self, "quasi_identifiers", self.quasi_identifiers)
        )
        check_int(self.k, "k", owner, min_value=1, allow_none=True)
        raw = self.models
        if isinstance(raw, (str, bytes, Mapping)) or not hasattr(raw, "__iter__"):
            raise self._bad("models", "a list of privacy models as plain data", raw)
        plain = []
        for i, item in enumerate(raw):
            if isinstance(item, PrivacyModel):
                item = item.to_dict()
            try:
                model = model_from_dict(item, path=f"models[{i}]")
            except RecipeError as exc:
                raise ParameterError(f"The 'models' parameter of {owner}: {exc}") from None
            if model.needs_population:
                raise ParameterError(
                    f"{owner} cannot check {model.describe()}: it needs a population table. "
                    "Check it with anonlab.risk instead."
                )
            if model.sensitive_column in self.quasi_identifiers:
                raise ParameterError(
                    f"{owner}: {model.sensitive_column!r} is both a quasi-identifier and the "
                    f"sensitive column of {model.describe()}. Choose one role."
                )
            plain.append(model.to_dict())
        self._set("models", tuple(plain))
        if self.k is None and not self.models:
            raise ParameterError(
                f"{owner} needs a target: 'k', 'models', or both. Got neither."
            )
        if self.max_suppression is not None:
            if not (is_number(self.max_suppression) and 0 <= self.max_suppression <= 1):
                raise self._bad("max_suppression", "a number from 0 to 1 or None",
                                self.max_suppression)
            self._set("max_suppression", float(self.max_suppression))
        if self.value is not None and not isinstance(self.value, str):
            raise self._bad("value", "a str or None", self.value)

    def privacy_models(self) -> tuple[Any, ...]:
        """The ``models`` as privacy model objects."""
        from anonlab.risk.models import model_from_dict

        return tuple(model_from_dict(m) for m in self.models)

    def _replacement(self, name: str, dtype: pl.DataType) -> pl.Expr:
        if self.value is None:
            return pl.lit(None, dtype=dtype)
        if dtype == pl.String:
            return pl.lit(self.value, dtype=pl.String)
        if isinstance(dtype, pl.Categorical):
            return pl.lit(self.value, dtype=pl.String).cast(dtype)
        if isinstance(dtype, pl.Enum):
            if self.value not in dtype.categories.to_list():
                raise TransformError(
                    f"'suppress_outliers' cannot write its value into the enum column {name!r}: "
                    "it is not one of the categories. Cast the column to String first."
                )
            return pl.lit(self.value, dtype=pl.String).cast(dtype)
        return pl.lit(None, dtype=dtype)

    def apply(self, lf: pl.LazyFrame, column: str, ctx: Context) -> pl.LazyFrame:
        qis = self.quasi_identifiers
        models = self.privacy_models()
        schema = lf.collect_schema()
        needed = [*qis, *(m.sensitive_column for m in models if m.sensitive_column)]
        for name in needed:
            if name not in schema:
                raise ColumnNotFoundError(name, schema.names(), where="suppress_outliers")
        df = lf.collect()
        n = df.height
        flag = fresh_name(df.columns, "__anonlab_outlier")
        out = df
        suppressed = 0
        classes = failing_count = None
        while True:
            keys, members, failing = failing_classes(out, qis, self.k, models)
            if classes is None:
                classes, failing_count = int(members.shape[0]), int(failing.sum())
            hit = int(members[failing].sum())
            if hit == 0:
                break
            suppressed += hit
            bad = keys.filter(pl.Series(failing)).with_columns(pl.lit(True).alias(flag))
            rows = out.select(wildcard(q, out.schema[q]) for q in qis)
            marked = rows.join(bad, on=list(qis), how="left", nulls_equal=True,
                               maintain_order="left").get_column(flag).fill_null(False)
            out = out.with_columns(
                pl.when(pl.lit(marked)).then(self._replacement(q, out.schema[q]))
                .otherwise(pl.col(q)).alias(q)
                for q in qis
            )
        if self.max_suppression is not None:
            allowed = math.floor(self.max_suppression * n + 1e-9)
            if suppressed > allowed:
                raise TransformError(
                    f"'suppress_outliers' would suppress {suppressed} of {n} records, more than "
                    f"max_suppression={self.max_suppression:g} allows ({allowed}). Generalize the "
                    "quasi-identifiers further, relax the targets, or raise max_suppression."
                )
        ctx.side_outputs[f"suppress_outliers:{ctx.step}"] = pl.DataFrame(
            {
                "records": [n],
                "classes": [classes],
                "failing_classes": [failing_count],
                "suppressed": [suppressed],
            },
            schema=dict.fromkeys(("records", "classes", "failing_classes", "suppressed"), pl.Int64),
        )
        return out.lazy()
