"""The prosecutor linkage attack: targets linked back to release records on their
quasi-identifiers, checked against a ``1/k`` bound.

The attacker knows a target is in the release and knows its quasi-identifiers (mapped into the
release's value space). The *candidates* of a target are the release records compatible with it
on every quasi-identifier:

* equal values (the same label, e.g. ``"[30, 40)"`` or ``"021**"``), or
* a wildcard on either side (null, NaN, or ``"*"`` in a text column): a suppressed release cell
  could hide the target's value, and a target value the attacker does not know rules nothing
  out, or
* for a numeric column given a tolerance (the release added noise to it):
  ``|release - target| <= tolerance``.

The target's risk is ``1/|candidates|`` when its true record is a candidate, else 0; the target
is *uniquely re-identified* when the candidates are exactly its true record. A release that is
k-anonymous on these columns keeps every risk at or below ``1/k``.

This is an independent check of :mod:`anonlab.risk`: the risk module forms equivalence classes by
grouping equal values; here candidate sets come from compatibility, so a wildcard can only add
candidates, and a fully suppressed record is a candidate of everyone (the risk module leaves it
out of the classes).

How the counts are computed without comparing every target with every record: release records
and targets are split by their *wildcard pattern* (which quasi-identifiers are wildcards). For
each pair of patterns, the columns wild on neither side are compared: the release records of the
pattern are counted per value combination of the exactly-compared columns and joined to the
targets; for columns with a tolerance, values are also binned into intervals of width
``2 * tolerance`` and each target joined to its own and the two neighbouring bins, after which
the pairs are filtered exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import product
from statistics import NormalDist
from typing import Any

import numpy as np
import polars as pl

from anonlab._validation import check_int, describe
from anonlab.errors import EmptyFrameError, ParameterError
from anonlab.evidence._inputs import (
    check_columns,
    check_frames,
    check_n_attacks,
    check_rng,
    check_truth,
    column_kinds,
)
from anonlab.evidence.confidence import _check_confidence, success_rate
from anonlab.evidence.distance import Encoded, encode
from anonlab.evidence.result import LinkageResult

__all__ = ["candidate_counts", "linkage_attack"]

_OWNER = "linkage_attack"
_PAIRS = 1 << 23  # (target, record) pairs joined at once when tolerances apply
_BIN_LIMIT = float(2**52)  # bin numbers beyond this lose integer precision


def _patterns(enc: Encoded) -> np.ndarray:
    pattern = np.zeros(enc.rows, dtype=np.int64)
    for j in range(enc.codes.shape[0]):
        pattern |= (enc.codes[j] < 0).astype(np.int64) << j
    offset = enc.codes.shape[0]
    for j in range(enc.numbers.shape[0]):
        pattern |= np.isnan(enc.numbers[j]).astype(np.int64) << (offset + j)
    return pattern


def _table(enc: Encoded, index: str) -> pl.DataFrame:
    data: dict[str, Any] = {index: np.arange(enc.rows, dtype=np.int64)}
    for j in range(enc.codes.shape[0]):
        data[f"c{j}"] = enc.codes[j]
    for j in range(enc.numbers.shape[0]):
        data[f"n{j}"] = enc.numbers[j]
    data["pattern"] = _patterns(enc)
    return pl.DataFrame(data)


def _split(table: pl.DataFrame) -> dict[int, pl.DataFrame]:
    return {
        int(key[0]): part.drop("pattern")
        for key, part in table.partition_by("pattern", as_dict=True).items()
    }


def _bins(x: pl.Expr, width: float) -> pl.Expr:
    return (x / width).floor().cast(pl.Int64)


def candidate_counts(release: Encoded, targets: Encoded, tolerances: Sequence[float]) -> np.ndarray:
    """For each target, the number of release records compatible with it on every column.

    Parameters
    ----------
    release, targets : Encoded
        Encoded together with ``scale=False``.
    tolerances : sequence of float
        One per numeric column: 0 compares exactly, a positive number within that distance.

    Returns
    -------
    numpy.ndarray
        int64 counts, one per target.
    """
    n_cat = release.codes.shape[0]
    n_num = release.numbers.shape[0]
    tol = [float(t) for t in tolerances]
    for j, t in enumerate(tol):
        if t > 0:
            for enc in (release, targets):
                x = enc.numbers[j]
                top = np.nanmax(np.abs(x)) if not np.isnan(x).all() else 0.0
                if top / (2 * t) > _BIN_LIMIT:
                    raise ParameterError(
                        f"A tolerance of {t:g} is too small for numbers as large as {top:.3g} "
                        f"(numeric quasi-identifier {j}): the comparison would lose precision. "
                        "Pass a larger tolerance, or 0 to compare exactly."
                    )
    counts = np.zeros(targets.rows, dtype=np.int64)
    rel = _split(_table(release, "r"))
    tgt = _split(_table(targets, "t"))
    for rp, rsub in rel.items():
        for tp, tsub in tgt.items():
            wild = rp | tp
            exact = [f"c{j}" for j in range(n_cat) if not (wild >> j) & 1]
            near: list[tuple[str, float]] = []
            for j in range(n_num):
                if (wild >> (n_cat + j)) & 1:
                    continue
                if tol[j] > 0:
                    near.append((f"n{j}", tol[j]))
                else:
                    exact.append(f"n{j}")
            ids = tsub.get_column("t").to_numpy()
            if not near:
                if not exact:
                    counts[ids] += rsub.height
                    continue
                sizes = rsub.group_by(exact).len()
                joined = tsub.join(sizes, on=exact, how="left").select(
                    "t", pl.col("len").fill_null(0)
                )
                counts[joined.get_column("t").to_numpy()] += joined.get_column("len").to_numpy()
                continue
            counts_for = _near_counts(rsub, tsub, exact, near)
            counts[counts_for.get_column("t").to_numpy()] += counts_for.get_column("len").to_numpy()
    return counts


def _near_counts(
    rsub: pl.DataFrame,
    tsub: pl.DataFrame,
    exact: list[str],
    near: list[tuple[str, float]],
) -> pl.DataFrame:
    """Per target, release records equal on ``exact`` and within tolerance on ``near``."""
    bins = [f"_b{name}" for name, _ in near]
    release = rsub.with_columns(
        _bins(pl.col(name), 2 * t).alias(b) for (name, t), b in zip(near, bins, strict=True)
    ).select(*exact, *bins, *[pl.col(name).alias(f"_x{name}") for name, _ in near])
    base = tsub.select(
        "t",
        *exact,
        *[pl.col(name) for name, _ in near],
        *[_bins(pl.col(name), 2 * t).alias(b) for (name, t), b in zip(near, bins, strict=True)],
    )
    shifts = [
        base.with_columns((pl.col(b) + o).alias(b) for b, o in zip(bins, offsets, strict=True))
        for offsets in product((-1, 0, 1), repeat=len(near))
    ]
    probes = pl.concat(shifts)
    # bound the pairs held at once: estimate each target's pairs from the bin counts
    sizes = release.group_by(*exact, *bins).len()
    estimate = (
        probes.join(sizes, on=[*exact, *bins], how="left")
        .group_by("t")
        .agg(pl.col("len").fill_null(0).sum().alias("_pairs"))
        .sort("t")
    )
    chunk_of = (estimate.get_column("_pairs").cum_sum() // _PAIRS).to_numpy()
    targets = estimate.get_column("t").to_numpy()
    within = pl.all_horizontal((pl.col(f"_x{name}") - pl.col(name)).abs() <= t for name, t in near)
    out = []
    for c in np.unique(chunk_of):
        part = probes.filter(pl.col("t").is_in(targets[chunk_of == c].tolist()))
        pairs = part.join(release, on=[*exact, *bins]).filter(within)
        out.append(pairs.group_by("t").len())
    found = pl.concat(out) if out else pl.DataFrame({"t": [], "len": []})
    return (
        tsub.select("t")
        .join(found, on="t", how="left")
        .select("t", pl.col("len").fill_null(0).cast(pl.Int64))
    )


def _compatible(
    release: Encoded, rows: np.ndarray, targets: Encoded, tolerances: Sequence[float]
) -> np.ndarray:
    """Whether ``release[rows[i]]`` is compatible with ``targets[i]`` (row by row)."""
    ok = np.ones(targets.rows, dtype=bool)
    for j in range(release.codes.shape[0]):
        a, b = release.codes[j][rows], targets.codes[j]
        ok &= (a == b) | (a < 0) | (b < 0)
    for j, t in enumerate(tolerances):
        a, b = release.numbers[j][rows], targets.numbers[j]
        close = (a == b) if t == 0 else (np.abs(a - b) <= t)
        ok &= close | np.isnan(a) | np.isnan(b)
    return ok


def _check_tolerances(value: Any, qis: Sequence[str], kinds: Mapping[str, str]) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ParameterError(
            f"The 'tolerances' parameter of {_OWNER} must be a mapping of numeric "
            f"quasi-identifier to a number >= 0, e.g. {{'age': 2.0}}. "
            f"Got {describe(value)} instead."
        )
    out: dict[str, float] = {}
    for name, t in value.items():
        if name not in qis:
            raise ParameterError(
                f"The 'tolerances' parameter of {_OWNER} names {describe(name)}, which is not "
                f"among the quasi-identifiers ({', '.join(map(repr, qis))})."
            )
        if kinds[name] != "numeric":
            raise ParameterError(
                f"The 'tolerances' parameter of {_OWNER} gives a tolerance for {name!r}, which "
                "is not numeric in the release; labels compare exactly."
            )
        if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t) or t < 0:
            raise ParameterError(
                f"The tolerance of {name!r} in the 'tolerances' parameter of {_OWNER} must be "
                f"a number >= 0. Got {describe(t)} instead."
            )
        out[name] = float(t)
    return out


def linkage_attack(
    release: Any,
    targets: Any,
    *,
    quasi_identifiers: Sequence[str],
    rng: np.random.Generator,
    k: int | None = None,
    tolerances: Mapping[str, float] | None = None,
    n_attacks: int | None = 2000,
    truth: str = "truth",
    confidence_level: float = 0.95,
) -> LinkageResult:
    """Link targets back to release records and check the ``1/k`` bound (prosecutor model).

    Parameters
    ----------
    release : frame
        The anonymized data the recipient holds.
    targets : frame
        Records behind the release, their quasi-identifiers mapped into the release's value
        space, with the ``truth`` column.
    quasi_identifiers : sequence of str
        The columns the attacker knows and links on.
    rng : numpy.random.Generator
        Samples the targets attacked.
    k : int, optional
        The k the release claims; the result says whether every attacked target's risk is at
        most ``1/k`` and how many are above.
    tolerances : mapping of str to float, optional
        For numeric quasi-identifiers the release perturbed: how far a release value may be from
        the target's and still be compatible. Other numeric columns compare exactly.
    n_attacks : int or None, default 2000
        Targets attacked, sampled among those in the release; None attacks every one (what a
        claim about every record needs).
    truth : str, default "truth"
        The targets column with the release row (0-based position) each target became, null
        for a record not in the release (such targets are left out: the prosecutor knows the
        target is in the release).
    confidence_level : float, default 0.95

    Returns
    -------
    LinkageResult

    Raises
    ------
    ColumnNotFoundError, EmptyFrameError, ParameterError
    """
    rng = check_rng(rng, _OWNER)
    n_attacks = check_n_attacks(n_attacks, _OWNER, allow_none=True)
    cl = _check_confidence(confidence_level, _OWNER)
    k = check_int(k, "k", _OWNER, min_value=1, allow_none=True)
    frames = check_frames(release, targets, None, _OWNER)
    qis = check_columns(quasi_identifiers, frames, _OWNER, "quasi_identifiers", truth=truth)
    truth_rows = check_truth(frames, truth, _OWNER)
    kinds = column_kinds(qis, frames, _OWNER)
    tol_by_name = _check_tolerances(tolerances, qis, kinds)

    present = np.flatnonzero(truth_rows >= 0)
    if present.size == 0:
        raise EmptyFrameError(
            f"No target given to {_OWNER} is in the release (the truth column {truth!r} is "
            "null throughout), so there is nobody to re-identify."
        )
    if n_attacks is None or n_attacks >= present.size:
        chosen = present
    else:
        chosen = np.sort(rng.choice(present, size=n_attacks, replace=False))
    n = int(chosen.size)
    rel, tgt = encode([frames.release, frames.targets[chosen]], kinds, scale=False)
    numeric = [c for c in qis if kinds[c] == "numeric"]
    tol = [tol_by_name.get(c, 0.0) for c in numeric]

    counts = candidate_counts(rel, tgt, tol)
    true_candidate = _compatible(rel, truth_rows[chosen], tgt, tol)
    if (counts[true_candidate] < 1).any():  # the true record is itself a candidate
        raise RuntimeError(
            "linkage_attack: a candidate count missed the true record; please report this bug."
        )
    risk = np.where(true_candidate, 1.0 / np.maximum(counts, 1), 0.0)
    unique = true_candidate & (counts == 1)
    mean = float(risk.mean())
    sd = float(risk.std(ddof=1)) if n > 1 else 0.0
    half = NormalDist().inv_cdf(0.5 * (1 + cl)) * sd / math.sqrt(n)
    max_risk = float(risk.max())
    bound = None if k is None else 1.0 / k
    breaking = 0 if bound is None else int((risk > bound + 1e-12).sum())
    passed = None if bound is None else breaking == 0
    not_candidate = int((~true_candidate).sum())
    detail = (
        f"Linked {n:,} targets on {len(qis)} quasi-identifier(s): {int(unique.sum()):,} "
        f"uniquely re-identified, mean risk {mean:.4f}, max {max_risk:.4f}"
        + ("" if k is None else f" against 1/k = {bound:.4f} ({breaking:,} above)")
        + "."
    )
    return LinkageResult(
        n_attacks=n,
        unique=success_rate(int(unique.sum()), n, cl),
        mean_risk=mean,
        mean_risk_low=max(0.0, mean - half),
        mean_risk_high=min(1.0, mean + half),
        max_risk=max_risk,
        k=k,
        bound=bound,
        passed=passed,
        n_breaking=breaking,
        n_not_candidate=not_candidate,
        n_excluded=int(frames.targets.height - present.size),
        mean_candidates=float(counts.mean()),
        parameters={
            "quasi_identifiers": list(qis),
            "tolerances": dict(tol_by_name),
            "k": k,
            "n_attacks": n_attacks,
            "confidence_level": cl,
        },
        figures={
            "unique_wrong": int(((counts == 1) & ~true_candidate).sum()),
            "max_candidates": int(counts.max()),
            "min_candidates": int(counts.min()),
        },
        detail=detail,
    )
