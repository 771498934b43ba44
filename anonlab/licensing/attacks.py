"""Compliance checks that attack the release: a claim stands only if its attack fails.

Each check runs one attack of :mod:`anonlab.evidence` on the anonymized frame against the
original, records the attack's figures as its evidence, and fails, naming the attack and the
figure, when the attack succeeds:

``replay``
    The recipient re-runs the shipped recipe and tries to reproduce the random draws of every
    noise, PRAM, shuffle, date shift and tie-break (:mod:`anonlab.evidence.replay`): the release
    may claim its perturbations protect values only when the replay does no better than chance.
``cross-release``
    Another licensee's release of the same records, made with the same master keys, is joined
    with this one on every token column (:mod:`anonlab.evidence.cross_release`): tokens may be
    claimed unlinkable only when the join finds no more of the right people than chance.
``row-order``
    The rows must not keep the original order (a recipient who knows it links rows by position),
    unless the licensor kept it on purpose and said why, which the license then states.
``linkage``
    Every original record is looked up in the release by its quasi-identifiers, as a recipient
    who knows them and the recipe would (:mod:`anonlab.evidence.view`,
    :func:`~anonlab.evidence.linkage_attack`): the license may state the smallest class ``k``
    of its risk report only if no record has fewer than ``k`` compatible release records (an
    independent check of the risk module), and, where the template sets a risk threshold, no
    record's risk exceeds it.
``singling-out``, ``linkability``, ``inference``
    The three criteria of WP29 Opinion 05/2014, measured as anonmeter measures them: a
    *shadow* release is made by the same recipe from the original without a random control
    sample of records, the attacks run against the records in it and against the control
    records, and the residual risk ``(attack - control) / (1 - control)`` is taken with its 95%
    interval. Where the template sets a threshold (:attr:`Template.attack_thresholds
    <anonlab.licensing.Template.attack_thresholds>`) the upper end of the interval must not
    exceed it; elsewhere the figures are recorded.

``residual-identifiers``
    Every text column of the release (free text, short remarks, categoricals, lists of text;
    not the identifier columns themselves, which the rule checks judge) is scanned for each
    record's own original identifier values (:mod:`anonlab.evidence.residual`, an
    independent second look that shares no code with the scrubber); then every free-text
    column (scrubbed, flagged, or prose) is read by the scrubber's own detector without row
    context (:func:`~anonlab.evidence.residual.kind_scan`), which finds identifiers of people in
    no column (a relative's name, a date) where the text was scrubbed of fewer kinds or not at
    all. Any residue fails, naming the column and the count, never the value.

Every one of them needs the original frame; without it they fail, saying so, because nothing was
proven.
"""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import polars as pl
from polars.datatypes import DataTypeClass

from anonlab.evidence import (
    inference_attack,
    linkability_attack,
    linkage_attack,
    singling_out_attack,
)
from anonlab.evidence.cross_release import cross_release_attack, token_columns
from anonlab.evidence.release import make_release, secret_rng
from anonlab.evidence.replay import replay_attack, row_order_attack
from anonlab.evidence.residual import KIND_SAMPLE, kind_scan, residual_scan
from anonlab.evidence.residual import text_values as _as_text_column
from anonlab.evidence.view import TRUTH, AttackerView, attacker_view
from anonlab.licensing.checks import DIRECT_KINDS, Check, CheckContext, ComplianceCheck, _builtin
from anonlab.profiling.kinds import ColumnRole, HipaaCategory, Kind
from anonlab.profiling.profile import Profile

__all__: list[str] = []

_NEEDS_ORIGINAL = (
    "needs the original frame and which of its rows each release row is (check_compliance("
    "..., original=...) or anonlab.export, which keeps both); nothing was proven"
)


def _figures(result: Any) -> dict[str, Any]:
    """An attack result's plain data, less what the check states itself."""
    return {k: v for k, v in result.to_dict().items() if k not in ("passed", "detail")}


@_builtin
class Replay(ComplianceCheck):
    """A recipient replaying the shipped recipe does not reproduce its random draws."""

    name = "replay"
    title = "Perturbations cannot be replayed"
    needs_rows = True

    def run(self, context: CheckContext) -> Check:
        recipe = context.recipe
        if recipe is None or not recipe.random_steps:
            why = "no recipe was given" if recipe is None else "the recipe has no random step"
            return self.result(True, f"Nothing to replay: {why}, so no perturbation is "
                               "claimed.", columns=[])
        rows = context.source_rows()
        if context.original is None or rows is None:
            return self.result(False, f"The replay attack {_NEEDS_ORIGINAL}.", columns=[])
        result = replay_attack(context.original, context.frame, recipe, rows=rows)
        return self.result(result.passed, result.detail, **_figures(result))


@_builtin
class CrossRelease(ComplianceCheck):
    """Tokens do not join this release with another licensee's release of the same records."""

    name = "cross-release"
    title = "Tokens cannot be joined across releases"
    needs_rows = True
    at_export = True

    def run(self, context: CheckContext) -> Check:
        recipe = context.recipe
        if recipe is None:
            coded = context.pseudonymised()
            if coded:
                return self.result(
                    False, f"{len(coded)} column(s) hold codes of unknown origin; without the "
                    "recipe nothing shows they cannot be joined with other releases.",
                    columns=[])
            return self.result(True, "No column holds keyed tokens.", columns=[])
        if not token_columns(recipe, context.frame.columns):
            return self.result(True, "No column holds keyed tokens: nothing to join across "
                               "releases.", columns=[])
        rows = context.source_rows()
        if context.original is None or rows is None:
            return self.result(False, f"The cross-release attack {_NEEDS_ORIGINAL}.",
                               columns=[])
        result = cross_release_attack(context.original, context.frame, recipe, rows=rows,
                                      scope=context.scope)
        return self.result(result.passed, result.detail, **_figures(result))


@_builtin
class RowOrder(ComplianceCheck):
    """The rows are not in the original order (or the licensor kept it and said why)."""

    name = "row-order"
    title = "Rows in a secret order"
    needs_rows = True
    at_export = True

    def run(self, context: CheckContext) -> Check:
        rows = context.source_rows()
        if rows is None:
            return self.result(False, f"The row-order attack {_NEEDS_ORIGINAL}.")
        result = row_order_attack(rows, kept_reason=context.row_order)
        if not result.passed and context.row_order:
            return self.result(True, result.detail, **_figures(result))
        return self.result(result.passed, result.detail, **_figures(result))


# -- linkage and the three criteria ----------------------------------------------------------------
MIN_RECORDS = 200
"""Fewest records the three criteria are measured on (a control sample needs records to spare)."""
N_ATTACKS = 2_000
"""Attacks per criterion, and the size of the control sample, at most."""


def _quasi_identifiers(context: CheckContext) -> tuple[str, ...]:
    report = context.report
    qis = tuple(getattr(report, "quasi_identifiers", ()) or ())
    if not qis and context.recipe is not None and context.recipe.targets is not None:
        qis = tuple(context.recipe.targets.quasi_identifiers)
    assert context.original is not None
    return tuple(q for q in qis if q in context.original.columns)


def _sensitive(context: CheckContext) -> tuple[str, ...]:
    recipe = context.recipe
    if recipe is None or recipe.targets is None:
        return ()
    return tuple(s for s in recipe.targets.sensitive_columns
                 if s in context.frame.columns and context.original is not None
                 and s in context.original.columns)


def _view(context: CheckContext, columns: tuple[str, ...]) -> AttackerView:
    key = ("view", columns)
    if key not in context.cache:
        assert context.original is not None and context.recipe is not None
        context.cache[key] = attacker_view(context.original, context.frame, context.recipe,
                                           columns=columns, rows=context.source_rows())
    view: AttackerView = context.cache[key]
    return view


@_builtin
class Linkage(ComplianceCheck):
    """No record has fewer compatible release records than the k the license states."""

    name = "linkage"
    title = "Re-identification by linkage on the quasi-identifiers"
    needs_rows = True

    def run(self, context: CheckContext) -> Check:
        rows = context.source_rows()
        if context.original is None or rows is None or context.recipe is None:
            return self.result(False, f"The linkage attack {_NEEDS_ORIGINAL} (and the recipe).")
        qis = _quasi_identifiers(context)
        if not qis:
            return self.result(True, "No quasi-identifier is declared: the license states no "
                               "k and no risk figure, so there is nothing to link on.")
        view = _view(context, qis)
        measures = getattr(context.report, "measures", None)
        k = getattr(measures, "k", None)
        threshold = context.template.risk_threshold
        result = linkage_attack(view.release, view.targets, quasi_identifiers=view.columns,
                                rng=secret_rng(), k=k, tolerances=dict(view.tolerance),
                                n_attacks=None, truth=TRUTH)
        problems = []
        if result.passed is False:
            problems.append(
                f"{result.n_breaking:,} of {result.n_attacks:,} records have fewer than k = {k} "
                f"compatible release records (highest risk {result.max_risk:.4g} > 1/{k})")
        if threshold is not None and result.max_risk > threshold + 1e-12:
            problems.append(f"the highest linkage risk {result.max_risk:.4g} exceeds the "
                            f"template's threshold of {threshold:g}")
        figures = {"modes": dict(view.modes), "threshold": threshold, **result.to_dict()}
        figures.pop("detail", None)
        figures.pop("passed", None)
        summary = (f"linking the original of each of the {result.n_attacks:,} released records on "
                   f"{', '.join(view.columns) or 'no matchable column'} re-identified "
                   f"{result.unique.share:.1%} uniquely (mean risk {result.mean_risk:.4g}, "
                   f"highest {result.max_risk:.4g})")
        if problems:
            return self.result(False, f"The linkage attack disproves the risk figures: "
                               f"{'; '.join(problems)}. Generalize or suppress further.",
                               **figures)
        bound = "" if k is None else f", within the 1/k = 1/{k} the license states"
        return self.result(True, summary[0].upper() + summary[1:] + bound + ".", **figures)


class _Criterion(ComplianceCheck):
    """One criterion of WP29 Opinion 05/2014, on a shadow release with a control sample."""

    needs_rows = True

    def attack(self, release: pl.DataFrame, targets: pl.DataFrame, control: pl.DataFrame,
               qis: tuple[str, ...], sensitive: tuple[str, ...], n: int) -> Any:
        raise NotImplementedError

    def run(self, context: CheckContext) -> Check:
        threshold = context.template.attack_thresholds.get(self.name)
        if context.original is None or context.recipe is None or context.source_rows() is None:
            return self.result(False, f"The {self.name} attack {_NEEDS_ORIGINAL} (and the "
                               "recipe).", threshold=threshold)
        qis = _quasi_identifiers(context)
        if not qis:
            held = "" if threshold is None else (
                f"; the template holds {self.name} to {threshold:g}, so declare them in the "
                "recipe's targets")
            return self.result(threshold is None, "No quasi-identifier is declared, so no "
                               f"attacker knowledge is modelled: not measured{held}.",
                               threshold=threshold)
        if context.original.height < MIN_RECORDS:
            passed = threshold is None
            return self.result(passed, f"Not measured: {context.original.height:,} records are "
                               f"too few for a control sample (at least {MIN_RECORDS:,})"
                               + ("" if passed else f", and the template holds {self.name} to "
                                  f"{threshold:g}") + ".", threshold=threshold)
        shadow = _shadow(context, qis, _sensitive(context))
        if shadow is None:
            return self.result(threshold is None, "Not measured: the matched columns leave "
                               "nothing to attack.", threshold=threshold)
        release, targets, control, columns, sensitive = shadow
        result = self.attack(release, targets, control, columns, sensitive,
                             min(N_ATTACKS, targets.height))
        if result is None:
            return self.result(True, f"Not applicable: {self._why_not}", threshold=threshold)
        figures = result.to_dict()
        figures.pop("detail", None)
        risk = result.risk
        text = (f"{result.detail} Residual risk {risk.value:.3g} (95% interval "
                f"{risk.low:.3g} to {risk.high:.3g})")
        if threshold is None:
            return self.result(True, text + "; the template sets no threshold, so it is "
                               "recorded, not held to a figure.", threshold=None, **figures)
        if risk.high > threshold + 1e-12:
            return self.result(False, text + f" exceeds the template's threshold of "
                               f"{threshold:g}.", threshold=threshold, **figures)
        return self.result(True, text + f", within the template's threshold of {threshold:g}.",
                           threshold=threshold, **figures)

    _why_not = ""


def _shadow(
    context: CheckContext, qis: tuple[str, ...], sensitive: tuple[str, ...]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, tuple[str, ...], tuple[str, ...]] | None:
    """A release made without a control sample, and the attacker's view of both (cached)."""
    key = ("shadow", qis, sensitive)
    if key in context.cache:
        cached: (
            tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, tuple[str, ...], tuple[str, ...]]
            | None
        ) = context.cache[key]
        return cached
    original, recipe = context.original, context.recipe
    assert original is not None and recipe is not None
    rng = secret_rng()
    # control records are drawn among the records the release keeps, so that they are records
    # of the same kind as the targets (a recipe that suppresses rare records would otherwise
    # leave the rare ones in the control alone, and flatter the control rate)
    source_rows = context.source_rows()
    # without a row mapping no record is known to be kept (there is no control to draw)
    kept = np.unique(source_rows) if source_rows is not None else np.empty(0, dtype=np.int64)
    m = min(N_ATTACKS, len(kept) // 4)
    if m < 1:
        context.cache[key] = None
        return None
    held = np.sort(rng.choice(kept, size=m, replace=False))
    keep = np.setdiff1d(np.arange(original.height), held)
    release, rows = make_release(original[keep], recipe, f"release:shadow:{uuid.uuid4()}")
    view = attacker_view(original, release, recipe, columns=(*qis, *sensitive),
                         rows=keep[rows])
    columns = tuple(c for c in view.columns if c in qis)
    kept_sensitive = tuple(c for c in view.columns if c in sensitive)
    out = None
    if columns:
        targets = view.targets.filter(pl.col(TRUTH).is_not_null())
        control = view.targets[held].drop(TRUTH)
        out = (view.release, targets, control, columns, kept_sensitive)
    context.cache[key] = out
    return out


@_builtin
class SinglingOut(_Criterion):
    """Predicates on the quasi-identifiers single out no more records than on the control.

    The predicates use the quasi-identifiers, the attributes an attacker can know about a
    person, as WP29 assesses singling out for k-anonymity; what the release's other columns
    reveal about a person found that way is the inference criterion's measure.
    """

    name = "singling-out"
    title = "Singling out (WP29 Opinion 05/2014)"

    def attack(self, release: pl.DataFrame, targets: pl.DataFrame, control: pl.DataFrame,
               qis: tuple[str, ...], sensitive: tuple[str, ...], n: int) -> Any:
        return singling_out_attack(release.select(qis), targets.select(qis),
                                   control.select(qis), rng=secret_rng(),
                                   mode="multivariate", n_attacks=n, n_cols=min(3, len(qis)))


@_builtin
class Linkability(_Criterion):
    """Two halves of the quasi-identifiers do not link through the release beyond control."""

    name = "linkability"
    title = "Linkability (WP29 Opinion 05/2014)"
    _why_not = "fewer than two matchable quasi-identifiers, so there are no two halves to link."

    def attack(self, release: pl.DataFrame, targets: pl.DataFrame, control: pl.DataFrame,
               qis: tuple[str, ...], sensitive: tuple[str, ...], n: int) -> Any:
        if len(qis) < 2:
            return None
        half = len(qis) // 2
        return linkability_attack(release, targets, control, rng=secret_rng(),
                                  aux_columns=(list(qis[:half]), list(qis[half:])),
                                  n_attacks=n, truth=TRUTH)


@_builtin
class Inference(_Criterion):
    """The quasi-identifiers do not reveal a sensitive value beyond what they do on control."""

    name = "inference"
    title = "Inference (WP29 Opinion 05/2014)"
    _why_not = "no sensitive column is declared in the recipe's targets."

    def attack(self, release: pl.DataFrame, targets: pl.DataFrame, control: pl.DataFrame,
               qis: tuple[str, ...], sensitive: tuple[str, ...], n: int) -> Any:
        worst = None
        for secret in sensitive:
            result = inference_attack(release, targets, control, rng=secret_rng(),
                                      aux_columns=list(qis), secret=secret, n_attacks=n)
            if worst is None or result.risk.high > worst.risk.high:
                worst = result
        return worst


# -- free text -------------------------------------------------------------------------------------
_PROSE_WORDS = 4
"""Median words per value from which an unscrubbed text column is read as prose."""
_UNIQUE = 0.95
"""Share of distinct values from which an integral number column of 7 digits or more is taken
for a code (a phone, an account) that free text must not hold, whatever the profile said."""


def _stringlike(dtype: pl.DataType | DataTypeClass) -> bool:
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        return True
    return isinstance(dtype, pl.List | pl.Array) and _stringlike(dtype.inner)


def _identifier_columns(context: CheckContext, profile: Profile) -> list[str]:
    """The original columns whose values no record's released text may hold."""
    out = []
    original = context.original
    assert original is not None
    for column in profile:
        c = column.name
        if column.kind is Kind.FREE_TEXT_WITH_IDENTIFIERS:
            continue
        if (column.kind in DIRECT_KINDS or column.kind in _RESIDUAL_KINDS
                or column.role is ColumnRole.IDENTIFIER
                or column.hipaa in _RESIDUAL_CATEGORIES
                or _unique_code(original.get_column(c))):
            out.append(c)
    return out


def _unique_code(s: pl.Series) -> bool:
    """An integral number column of mostly distinct values of 7 digits or more."""
    if not (s.dtype.is_numeric()) or s.dtype == pl.Boolean:
        return False
    values = s.drop_nulls().cast(pl.Float64)
    values = values.filter(values.is_finite())
    if len(values) < 2 or not (values == values.floor()).all():
        return False
    smallest = values.abs().min()
    assert isinstance(smallest, float)  # of a non-empty Float64
    return bool(smallest >= 1e6 and values.n_unique() >= _UNIQUE * len(values))


_RESIDUAL_KINDS = frozenset({Kind.CITY, Kind.ZIP_CODE, Kind.DATE_OF_BIRTH, Kind.DATE,
                             Kind.STREET_ADDRESS, Kind.PERSON_NAME})
_RESIDUAL_CATEGORIES = frozenset(HipaaCategory) - {HipaaCategory.BIOMETRIC, HipaaCategory.PHOTO}


@_builtin
class ResidualIdentifiers(ComplianceCheck):
    """No text column holds its own record's original identifier values."""

    name = "residual-identifiers"
    title = "No identifier left in free text"
    needs_rows = True

    def run(self, context: CheckContext) -> Check:
        text = [c for c in context.frame.columns if _stringlike(context.frame.schema[c])]
        if not text:
            return self.result(True, "No column holds text.", columns=[])
        rows = context.source_rows()
        if context.original is None or rows is None:
            return self.result(
                False, f"{len(text)} column(s) hold text ({', '.join(text)}); the residual "
                f"scan {_NEEDS_ORIGINAL}.", columns=text)
        profile = context.original_profile
        if profile is None:
            if "original_profile" not in context.cache:
                from anonlab.profiling import profile as make_profile

                context.cache["original_profile"] = make_profile(context.original)
            profile = context.cache["original_profile"]
        identifiers = _identifier_columns(context, profile)
        # the identifier columns themselves (kept, generalized, coded) are the rule checks'
        text = [c for c in text if c not in identifiers]
        if not identifiers or not text:
            why = ("the original has no identifier column whose values text could hold"
                   if not identifiers else "every text column is an identifier column itself")
            return self.result(True, f"Nothing to scan: {why}.", columns=text)
        result = residual_scan(context.original, context.frame, rows, text_columns=text,
                               identifier_columns=identifiers)
        texts = {c: v for c in text
                 if (v := _as_text_column(context.frame.get_column(c))) is not None}
        prose = [c for c, values in texts.items() if self._free_text(context, c, values)]
        leftovers: dict[str, dict[str, Any]] = {}
        for c in prose:
            values = texts[c]
            holding, kinds = kind_scan(values)
            if holding:
                leftovers[c] = {"values": holding, "sampled": min(values.drop_nulls().len(),
                                                                  KIND_SAMPLE), "kinds": kinds}
        problems = []
        if result.found:
            problems.append("the records' own identifiers (" + "; ".join(
                f"{t}: " + ", ".join(f"{n:,} record(s) hold their own {c}"
                                     for c, n in found.items())
                for t, found in result.found.items()) + ")")
        if leftovers:
            problems.append("identifiers of some person by the scrubber's rules (" + "; ".join(
                f"{c}: {v['values']:,} of {v['sampled']:,} sampled values hold "
                + ", ".join(f"{n:,} {k}" for k, n in v["kinds"].items())
                for c, v in leftovers.items()) + ")")
        if problems:
            return self.result(
                False, f"The residual scan found {' and '.join(problems)} in text. Scrub it "
                "with every kind and the record's identifier columns as context "
                "(Scrub(context=[...])), or drop it.", columns=text, leftovers=leftovers,
                **_figures(result))
        scanned = (f"; the scrubber's detector read {len(prose)} free-text column(s) and "
                   "found no identifier of anyone" if prose else "")
        return self.result(
            True, f"The residual scan looked for each record's own values of "
            f"{len(identifiers)} identifier column(s) in {len(text)} text column(s) of "
            f"{result.records:,} records and found none{scanned}.", columns=text,
            free_text=prose, **_figures(result))

    @staticmethod
    def _free_text(context: CheckContext, column: str, values: pl.Series) -> bool:
        """A column the recipe scrubbed, the profile flagged, or written as prose."""
        if any(s.transform.op == "scrub" for s in context.steps_for(column)):
            return True
        before = context.before(column)
        if before is not None and before.kind is Kind.FREE_TEXT_WITH_IDENTIFIERS:
            return True
        sample = values.drop_nulls().head(2_000)
        words = sample.str.count_matches(r"\S+").median() if len(sample) else 0
        return isinstance(words, int | float) and words >= _PROSE_WORDS
