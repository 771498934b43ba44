"""The singling-out attack: predicates that isolate one person.

Singling out is the first of the three criteria of the Article 29 Working Party's Opinion
05/2014 on anonymisation techniques: can an attacker isolate one individual's record? The attack
is anonymeter's (``anonymeter.evaluators.singling_out_evaluator``, after Cohen and Nissim 2020,
"Towards formalizing the GDPR's notion of singling out"):

1. From the release, build predicates that match exactly one release record.

   * *univariate*: ``column == value`` for a value that occurs once, and
     ``column <= min`` / ``column >= max`` for numeric columns;
   * *multivariate*: pick a release record at random and ``n_cols`` of its columns at random;
     a categorical column gives ``column == value``, a numeric one ``column >= value`` when the
     value is above the column's median, else ``column <= value``. Candidates are drawn until
     ``n_attacks`` distinct predicates single out a release record, or ``max_attempts``
     candidates have been tried.

2. The attack succeeds for a predicate when it matches exactly one *target* record (the
   attacker's knowledge of the records behind the release). The success rate is the number of
   successes over ``n_attacks``, so predicates the attack could not find count as failures.

3. The same predicates on *control* records (not in the release) give the control rate. When the
   control set and the targets differ in size, the control count is the expected number of
   predicates that would single out one record of a control population as large as the targets
   (:func:`expected_control_successes`, below).

4. The baseline draws random predicates: ``n_cols`` random columns, a random value of each
   column, and a random operator (``==``/``!=``, and ``>``, ``<``, ``>=``, ``<=`` for numbers).

Wildcards (null, NaN or ``"*"``, suppressed cells) satisfy every condition on their column, in
the release and in the targets and control: a predicate cannot exclude a record whose value was
hidden. A predicate never tests a wildcard cell itself: a multivariate predicate is built only
from the source record's non-wildcard cells, and wildcards are not among the values the
univariate and baseline predicates use.

Differences from anonymeter, all deliberate:

* Records are not deduplicated. anonymeter drops duplicate rows of all three frames; in a
  generalized release, identical rows are the point of k-anonymity and must not merge into one.
* The control size correction. anonymeter fits ``w_eff`` of a model (predicate weights uniform on
  ``[0, w_eff]``) to control successes on subsamples and rescales the count by the model's ratio
  at the two sizes. When the control set is small the subsamples only see the linear part of the
  curve, where ``w_eff`` is not identified and the ratio is whatever the optimizer stops at:
  on 100,000 generalized patient records with a control of 2,000, 7 of 215 predicates single out
  a control record, an independent control population of the targets' size is singled out by 45,
  anonymeter's ``curve_fit`` gives 0.14 and the least-squares optimum of the same model 357.
  Here (:func:`expected_control_successes`) the predicates' match probabilities get an
  empirical-Bayes prior fitted to the control counts, and the expected number singling out one
  of ``n_targets`` records is summed in closed form; it comes within a few predicates of an
  independent population of the targets' size (``tests/evidence/test_singling_out.py``), and is
  0, the cautious answer, when no predicate matched any control record.
  With equal sizes the control count is used as it is, as anonymeter does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from anonlab._validation import check_int, check_one_of
from anonlab.evidence._inputs import (
    check_columns,
    check_frames,
    check_n_attacks,
    check_rng,
    column_kinds,
)
from anonlab.evidence._predicates import EQ, GE, LE, Matcher, Predicates
from anonlab.evidence.confidence import _check_confidence, residual_risk, success_rate
from anonlab.evidence.distance import Encoded, encode
from anonlab.evidence.result import AttackResult

__all__ = ["expected_control_successes", "singling_out_attack"]

_OWNER = "singling_out_attack"
_BATCH = 1000  # candidate predicates drawn at a time (as anonymeter)


class _Columns:
    """Predicate column indexes -> encoded rows, and the release's values per column."""

    def __init__(self, columns: Sequence[str], kinds: Mapping[str, str], release: Encoded) -> None:
        self.columns = tuple(columns)
        self.layout: list[tuple[str, int]] = []
        cat = num = 0
        for name in self.columns:
            if kinds[name] == "categorical":
                self.layout.append(("categorical", cat))
                cat += 1
            else:
                self.layout.append(("numeric", num))
                num += 1
        self.numeric = np.array([k == "numeric" for k, _ in self.layout])
        values, wild = [], []
        for kind, j in self.layout:
            if kind == "categorical":
                values.append(release.codes[j].astype(np.float64))
                wild.append(release.codes[j] < 0)
            else:
                values.append(release.numbers[j])
                wild.append(np.isnan(release.numbers[j]))
        self.values = np.stack(values)  # (columns, release records)
        self.wild = np.stack(wild)


def _multivariate_candidates(
    cols: _Columns, n: int, n_cols: int, medians: np.ndarray, rng: np.random.Generator
) -> Predicates:
    """``n`` candidate predicates from random release records (anonymeter's
    ``_query_from_record``), on each record's non-wildcard cells only."""
    d, records = cols.values.shape
    rows = rng.integers(0, records, n)
    wild = cols.wild[:, rows].T  # (n, d)
    keys = rng.random((n, d))
    keys[wild] = 2.0  # wildcard cells sort last and are dropped
    chosen = np.argsort(keys, axis=1)[:, :n_cols]
    unusable = np.take_along_axis(wild, chosen, 1)
    vals = cols.values[chosen, rows[:, None]]
    numeric = cols.numeric[chosen]
    ops = np.where(numeric, np.where(vals > medians[chosen], GE, LE), EQ).astype(np.int8)
    return Predicates(np.where(unusable, -1, chosen).astype(np.int64), ops, vals).canonical()


def _univariate_candidates(cols: _Columns) -> Predicates:
    """Every univariate predicate that singles out a release record (anonymeter's
    ``univariate_singling_out_queries``), counted from value frequencies."""
    c_list: list[int] = []
    o_list: list[int] = []
    v_list: list[float] = []
    for i in range(cols.values.shape[0]):
        x = cols.values[i][~cols.wild[i]]
        n_wild = int(cols.wild[i].sum())
        if x.size == 0 or n_wild >= 1:
            # every condition on the column matches its wildcard records too, and at least
            # one other record: none can match a single record
            continue
        if cols.numeric[i]:
            for op, v in ((LE, x.min()), (GE, x.max())):
                if int((x == v).sum()) == 1:
                    c_list.append(i)
                    o_list.append(op)
                    v_list.append(float(v))
        values, counts = np.unique(x, return_counts=True)
        rare = values[counts == 1]
        c_list.extend([i] * rare.size)
        o_list.extend([EQ] * rare.size)
        v_list.extend(rare.tolist())
    # a unique minimum is found both as ``<= min`` and ``== min``: two different predicates,
    # as in anonymeter
    return Predicates(
        np.array(c_list, dtype=np.int64).reshape(-1, 1),
        np.array(o_list, dtype=np.int8).reshape(-1, 1),
        np.array(v_list, dtype=np.float64).reshape(-1, 1),
    )


def _baseline(cols: _Columns, n: int, n_cols: int, rng: np.random.Generator) -> Predicates:
    """``n`` random predicates (anonymeter's ``_random_queries``)."""
    d = cols.values.shape[0]
    uniques = [np.unique(cols.values[i][~cols.wild[i]]) for i in range(d)]
    chosen = np.argsort(rng.random((n, d)), axis=1)[:, :n_cols]
    sizes = np.array([u.size for u in uniques])[chosen]
    pick = np.floor(rng.random(chosen.shape) * np.maximum(sizes, 1)).astype(np.int64)
    vals = np.zeros(chosen.shape)
    for i in range(d):
        at = chosen == i
        if uniques[i].size:
            vals[at] = uniques[i][pick[at]]
    numeric = cols.numeric[chosen]
    ops = np.where(
        numeric,
        rng.integers(0, 6, chosen.shape),  # ==, !=, >, <, >=, <=
        rng.integers(0, 2, chosen.shape),  # ==, !=
    ).astype(np.int8)
    usable = sizes > 0  # a column that is all wildcards has no value to test
    return Predicates(np.where(usable, chosen, -1).astype(np.int64), ops, vals)


_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])
_STIRLING = 1e3  # from here on, lgamma differences come from Stirling's series


def lgamma_difference(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``lgamma(x + m) - lgamma(x)`` for ``x > 0, m >= 0``, accurate for huge ``x``.

    The plain difference loses every digit once ``lgamma`` is large (at ``x = 1e14`` the two
    terms are ``3e15`` apart from their difference, and at ``1e7`` eight digits are gone); from
    ``x = 1000`` Stirling's series is written so that nothing cancels:
    ``(x - 1/2) log1p(m/x) + m log(x + m) - m + 1/(12(x+m)) - 1/(12x) - 1/(360(x+m)^3) +
    1/(360x^3)``, whose truncation error is below ``1e-18``.
    """
    x, m = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(m, dtype=np.float64))
    out = np.empty(x.shape)
    big = x >= _STIRLING
    xb, mb = x[big], m[big]
    out[big] = (
        (xb - 0.5) * np.log1p(mb / xb)
        + mb * np.log(xb + mb)
        - mb
        + 1.0 / (12.0 * (xb + mb))
        - 1.0 / (12.0 * xb)
        - 1.0 / (360.0 * (xb + mb) ** 3)
        + 1.0 / (360.0 * xb**3)
    )
    small = ~big
    out[small] = _lgamma(x[small] + m[small]) - _lgamma(x[small])
    return out


def _fit_scale(values: np.ndarray, weights: np.ndarray, n_control: int) -> float | None:
    """The ``b`` of a ``Beta(2, b)`` prior maximizing the beta-binomial likelihood of the control
    counts ``values`` (with multiplicities ``weights``); None when the likelihood keeps growing
    with ``b`` (no predicate matched a control record)."""

    def loglik(log_b: np.ndarray) -> np.ndarray:
        b = np.exp(log_b)[:, None]
        c = values[None, :]
        # log B(c + 2, n - c + b) - log B(2, b), without the terms free of b
        terms = -lgamma_difference(b + n_control - c, c + 2.0) + np.log(b) + np.log1p(b)
        total: np.ndarray = (terms * weights[None, :]).sum(axis=1)
        return total

    grid = np.linspace(0.0, math.log(1e15), 601)
    scores = loglik(grid)
    best = int(np.argmax(scores))
    if best == grid.size - 1:
        return None
    lo, hi = grid[max(0, best - 1)], grid[min(grid.size - 1, best + 1)]
    fine = np.linspace(lo, hi, 201)
    return float(math.exp(fine[int(np.argmax(loglik(fine)))]))


def expected_control_successes(counts: np.ndarray, n_control: int, n_targets: int) -> float:
    """How many predicates would single out one record of a control population as large as the
    targets, estimated from their matches in a control set of another size.

    Each predicate matches a random record of the population with an unknown probability
    ``w``, and ``counts[i] ~ Binomial(n_control, w_i)``. The ``w`` of predicates chosen because
    they single out one record of a large release are spread like ``Beta(2, b)`` (a flat prior
    after one match), so ``b`` is fitted to the control counts by maximum (beta-binomial)
    likelihood; each predicate's posterior is then ``Beta(2 + c, b + n_control - c)``, and the
    chance that it singles out one of ``n`` records, ``n w (1 - w)^(n - 1)``, has the closed-form
    expectation ``n B(a + 1, b + n - 1) / B(a, b)``. With no match in the control set at all
    there is no evidence of any and the estimate is 0.

    Parameters
    ----------
    counts : numpy.ndarray
        Control records each predicate matches.
    n_control, n_targets : int
        The sizes of the control set and of the target population.

    Returns
    -------
    float
    """
    if counts.size == 0 or not counts.any():
        return 0.0
    values, weights = np.unique(counts.astype(np.float64), return_counts=True)
    scale = _fit_scale(values, weights.astype(np.float64), n_control)
    if scale is None:
        return 0.0
    a = 2.0 + values
    b = scale + n_control - values
    n = float(n_targets)
    # log(n B(a + 1, b + n - 1) / B(a, b))
    log_p = (
        math.log(n)
        + np.log(a)
        + lgamma_difference(b, np.full_like(b, n - 1.0))
        - lgamma_difference(a + b, np.full_like(b, n))
    )
    return float((np.exp(log_p) * weights).sum())


def singling_out_attack(
    release: Any,
    targets: Any,
    control: Any = None,
    *,
    rng: np.random.Generator,
    mode: str = "multivariate",
    columns: Sequence[str] | None = None,
    n_attacks: int = 2000,
    n_cols: int = 3,
    max_attempts: int | None = None,
    confidence_level: float = 0.95,
) -> AttackResult:
    """Measure how often predicates built from the release single out one target record.

    Parameters
    ----------
    release : frame
        The anonymized data the recipient holds (pandas, polars, lazy or Arrow).
    targets : frame
        The records behind the release as the attacker knows them, mapped into the release's
        value space (the release's labels where public, deterministic steps apply; original
        numbers where the release has noise). Holds every column of ``columns``; other columns
        (such as the truth column) are ignored.
    control : frame, optional
        Records of the same population that are not in the release, mapped the same way.
        Without it the risk is the attack rate itself.
    rng : numpy.random.Generator
        The source of every random choice (records, columns, baseline predicates).
    mode : {"multivariate", "univariate"}, default "multivariate"
        How predicates are built (see the module documentation).
    columns : sequence of str, optional
        The columns predicates may use; by default every release column.
    n_attacks : int, default 2000
        Predicates to find; capped at the number of targets.
    n_cols : int, default 3
        Conditions per multivariate (and its baseline's) predicate; at most ``len(columns)``.
        Ignored in univariate mode.
    max_attempts : int, optional
        Most multivariate candidates to draw; by default ``10 * n_attacks``. anonymeter's
        default is 10,000,000, far beyond what an export can spend; the number tried and found
        is in ``result.figures``.
    confidence_level : float, default 0.95

    Returns
    -------
    AttackResult
        ``name="singling_out"``; ``figures`` holds ``predicates_found`` and ``attempts`` and,
        with a control set, ``control_scaled`` (its size differs from the targets', so the
        control count comes from :func:`expected_control_successes`, a model) and then
        ``control_singled_out`` (the predicates singling out one control record, unscaled).
        For a claim, prefer a control set as large as the targets: the count is then used as
        it is.

    Raises
    ------
    ColumnNotFoundError
        A column of ``columns`` is missing from a frame.
    EmptyFrameError
        A frame has no rows or no columns.
    ParameterError
        A bad parameter, or a column whose kind differs between the frames.
    """
    rng = check_rng(rng, _OWNER)
    mode = check_one_of(mode, "mode", _OWNER, ("multivariate", "univariate"))
    n_attacks = int(check_n_attacks(n_attacks, _OWNER) or 0)
    cl = _check_confidence(confidence_level, _OWNER)
    frames = check_frames(release, targets, control, _OWNER)
    names = check_columns(columns, frames, _OWNER, "columns", default=frames.release.columns)
    # univariate predicates have one condition; n_cols only shapes multivariate ones
    top = len(names) if mode == "multivariate" else None
    n_cols = int(check_int(n_cols, "n_cols", _OWNER, min_value=1, max_value=top) or 1)
    if max_attempts is None:
        max_attempts = 10 * n_attacks
    max_attempts = int(check_int(max_attempts, "max_attempts", _OWNER, min_value=1) or 1)
    kinds = column_kinds(names, frames, _OWNER)
    n_attacks = min(n_attacks, frames.targets.height)

    present = [f for f in (frames.release, frames.targets, frames.control) if f is not None]
    encoded = encode(present, kinds, scale=False)
    rel, tgt = encoded[0], encoded[1]
    ctl = encoded[2] if frames.control is not None else None
    cols = _Columns(names, kinds, rel)
    release_matcher = Matcher(rel, cols.layout)

    attempts = 0
    if mode == "univariate":
        found = _univariate_candidates(cols)
        found = found.take(rng.permutation(found.size)[:n_attacks])
        attempts = found.size
        slots = 1
    else:
        slots = n_cols
        medians = np.array(
            [
                np.nanmedian(np.where(cols.wild[i], np.nan, cols.values[i]))
                if cols.numeric[i] and not cols.wild[i].all()
                else np.nan
                for i in range(len(names))
            ]
        )
        parts: list[Predicates] = []
        seen: set[bytes] = set()
        total = 0
        while total < n_attacks and attempts < max_attempts:
            size = min(_BATCH, max_attempts - attempts)
            batch = _multivariate_candidates(cols, size, n_cols, medians, rng)
            attempts += size
            batch = batch.take(np.asarray((batch.cols >= 0).any(axis=1)))
            hits = batch.take(release_matcher.singles_out(batch))
            keep: list[int] = []
            for i, key in enumerate(hits.keys()):
                if key not in seen and total + len(keep) < n_attacks:
                    seen.add(key)
                    keep.append(i)
            if keep:
                parts.append(hits.take(np.array(keep)))
                total += len(keep)
        found = Predicates.concat(parts, slots)

    n_success = int(Matcher(tgt, cols.layout).singles_out(found).sum())
    baseline_preds = _baseline(cols, n_attacks, 1 if mode == "univariate" else n_cols, rng)
    n_baseline = int(Matcher(tgt, cols.layout).singles_out(baseline_preds).sum())

    figures: dict[str, Any] = {"predicates_found": found.size, "attempts": attempts}
    control_rate = None
    if ctl is not None:
        control_matcher = Matcher(ctl, cols.layout)
        figures["control_scaled"] = ctl.rows != tgt.rows
        if ctl.rows == tgt.rows:
            n_control: float = float(control_matcher.singles_out(found).sum())
        else:
            counts = control_matcher.counts(found)
            n_control = expected_control_successes(counts, ctl.rows, tgt.rows)
            figures["control_singled_out"] = int((counts == 1).sum())
        control_rate = success_rate(min(float(n_attacks), n_control), n_attacks, cl)

    attack = success_rate(n_success, n_attacks, cl)
    baseline = success_rate(n_baseline, n_attacks, cl)
    risk = residual_risk(attack, control_rate)
    detail = (
        f"{mode.capitalize()} singling out: {found.size:,} predicates singled out one release "
        f"record ({attempts:,} tried); {n_success:,} of {n_attacks:,} attacks singled out one "
        "target record"
        + ("" if control_rate is None else f", control {control_rate.share:.2%}")
        + (
            f" (rescaled by a model from {ctl.rows:,} control records to {tgt.rows:,})"
            if ctl is not None and ctl.rows != tgt.rows
            else ""
        )
        + f", random predicates {n_baseline:,}."
    )
    if found.size < n_attacks and mode == "multivariate":
        detail += f" Only {found.size:,} of {n_attacks:,} predicates were found."
    return AttackResult(
        name="singling_out",
        attack=attack,
        baseline=baseline,
        control=control_rate,
        risk=risk,
        parameters={
            "mode": mode,
            "columns": list(names),
            "n_attacks": n_attacks,
            "n_cols": n_cols if mode == "multivariate" else 1,
            "max_attempts": max_attempts if mode == "multivariate" else None,
            "confidence_level": cl,
        },
        figures=figures,
        detail=detail,
    )
