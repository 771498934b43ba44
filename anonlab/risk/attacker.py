"""Attacker models and population uniqueness, as ARX and sdcMicro define them.

Three attackers (El Emam and Dankar, "Protecting privacy using k-anonymity", JAMIA 2008; El Emam,
*Guide to the De-Identification of Personal Health Information*, 2013), with ``f_j`` the size of
a record's equivalence class in the released data and ``F_j`` the number of people in the
population who share its quasi-identifier values:

==============  ============================================  ===========================  =====
attacker        knows                                         record risk                  limit
==============  ============================================  ===========================  =====
prosecutor      that the target is in the data                ``1 / f_j``                  0.2
journalist      nothing about membership; matches against a   ``1 / F_j``                  0.09
                population (identification) table
marketer        wants to re-identify as many as possible      ``1 / f_j`` (``1 / F_j``)    0.05
==============  ============================================  ===========================  =====

The limits in :data:`THRESHOLDS` are the ones health-data regulators use: 0.2 is the usual
ceiling for a prosecutor (a minimum class size of 5); 0.09 is the threshold of the European
Medicines Agency's policy 0070 on publishing clinical reports (about 1 in 11, El Emam's guidance
for public releases); 0.05 (1 in 20) is the customary ceiling on the expected share of records a
marketer re-identifies.

Population uniqueness estimates the share of people who are unique in the population from the
released sample and its sampling fraction, with Pitman's, Zayatz's and the slide negative
binomial (SNB) model, as :class:`org.deidentifier.arx.risk.RiskModelPopulationUniqueness` does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import polars as pl

from anonlab._validation import check_one_of, describe
from anonlab.errors import ParameterError
from anonlab.risk.classes import ClassTable

__all__ = [
    "THRESHOLDS",
    "AttackerRisk",
    "journalist_risk",
    "marketer_risk",
    "population_uniqueness",
    "prosecutor_risk",
    "sample_unique_share",
    "sample_uniques",
]

THRESHOLDS: Mapping[str, float] = MappingProxyType(
    {"prosecutor": 0.2, "journalist": 0.09, "marketer": 0.05}
)
"""Default risk thresholds per attacker model (read-only; ``dict(THRESHOLDS)`` for a copy).

prosecutor 0.2 (classes of at least 5), journalist 0.09 (EMA policy 0070, El Emam's guidance
for public data), marketer 0.05 (at most 1 record in 20 re-identified on average)."""

POPULATION_MODELS = ("pitman", "zayatz", "snb")


@dataclass(frozen=True)
class AttackerRisk:
    """The re-identification risk under one attacker model.

    Attributes
    ----------
    model : str
        ``"prosecutor"``, ``"journalist"`` or ``"marketer"``.
    highest : float
        The highest record risk (0.0 when there are no classes).
    average : float
        The average record risk over the records in classes: for the prosecutor
        classes / records, for the journalist and the marketer the expected share of records
        re-identified.
    threshold : float
        The limit the record risks are compared with.
    records_at_risk : int
        Records whose risk is above the threshold.
    share_at_risk : float
        ``records_at_risk`` over the records in classes (0.0 without records).
    """

    model: str
    highest: float
    average: float
    threshold: float
    records_at_risk: int
    share_at_risk: float

    @property
    def passed(self) -> bool:
        """No record is above the threshold (marketer: the average is not above it)."""
        if self.model == "marketer":
            return self.average <= self.threshold
        return self.records_at_risk == 0

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready data."""
        return {
            "model": self.model,
            "highest": self.highest,
            "average": self.average,
            "threshold": self.threshold,
            "records_at_risk": self.records_at_risk,
            "share_at_risk": self.share_at_risk,
        }


# -- attacker models -------------------------------------------------------------------------------
def _check_table(table: Any, owner: str) -> ClassTable:
    if not isinstance(table, ClassTable):
        raise ParameterError(
            f"{owner} takes a ClassTable (from anonlab.risk.equivalence_classes). Got "
            f"{type(table).__name__} instead."
        )
    return table


def _check_threshold(value: Any, owner: str) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or not 0 < value <= 1:
        raise ParameterError(
            f"The 'threshold' parameter of {owner} must be a number in (0, 1]. "
            f"Got {describe(value)} instead."
        )
    return float(value)


def _summarize(
    model: str, table: ClassTable, record_risk: pl.Series, average: float, threshold: float
) -> AttackerRisk:
    """Summarize per-class record risks (aligned with ``table.size``)."""
    n = table.records
    if table.classes == 0 or n == 0:
        return AttackerRisk(model, 0.0, 0.0, threshold, 0, 0.0)
    above = record_risk > threshold
    at_risk = int(table.members.filter(above).sum())
    return AttackerRisk(
        model,
        float(record_risk.max()),  # type: ignore[arg-type]
        float(average),
        threshold,
        at_risk,
        at_risk / n,
    )


def _population(table: ClassTable, owner: str) -> pl.Series:
    """F_j, at least f_j: the sample's own people are part of the population."""
    if table.population is None:
        raise ParameterError(
            f"{owner} needs the population count of each class (F_j): build the table with "
            "equivalence_classes(frame, quasi_identifiers, population=population_frame), where "
            "the population frame has the same quasi-identifier columns."
        )
    pop = table.population.cast(pl.Int64)
    return pl.select(pl.max_horizontal(pop, table.size)).to_series()


def prosecutor_risk(table: ClassTable, threshold: float = 0.2) -> AttackerRisk:
    """The prosecutor attacker: knows the target is in the data.

    A record's risk is ``1 / f_j``, its class size. ``highest`` is ``1 / min f_j``; ``average``
    is the mean record risk, which is classes / records. Records whose quasi-identifiers are all
    suppressed are not in any class and not counted.

    Parameters
    ----------
    table : ClassTable
    threshold : float in (0, 1], default 0.2

    Returns
    -------
    AttackerRisk
    """
    table = _check_table(table, "prosecutor_risk")
    threshold = _check_threshold(threshold, "prosecutor_risk")
    risk = 1.0 / table.size.cast(pl.Float64)
    return _summarize("prosecutor", table, risk, _mean_risk(table, table.size), threshold)


def journalist_risk(table: ClassTable, threshold: float = 0.09) -> AttackerRisk:
    """The journalist attacker: matches a record against a population table.

    A record's risk is ``1 / F_j``, with ``F_j`` the number of population records sharing its
    class's values (``table.population``). ``highest`` is ``1 / min F_j``; ``average`` is the
    mean record risk ``(1/n) sum_j f_j / F_j``. A class the population table holds fewer times
    than the sample does (the table does not contain the sample) counts ``F_j = f_j``.

    Parameters
    ----------
    table : ClassTable
        Built with ``population=``.
    threshold : float in (0, 1], default 0.09

    Raises
    ------
    ParameterError
        The table has no population counts.
    """
    table = _check_table(table, "journalist_risk")
    threshold = _check_threshold(threshold, "journalist_risk")
    pop = _population(table, "journalist_risk").cast(pl.Float64)
    risk = 1.0 / pop
    return _summarize("journalist", table, risk, _mean_risk(table, pop), threshold)


def marketer_risk(table: ClassTable, threshold: float = 0.05) -> AttackerRisk:
    """The marketer attacker: re-identifies as many records as possible, and succeeds with
    the expected share of records matched correctly.

    ``average`` is that share: classes / records when the data are the whole population (no
    population table), ``(1/n) sum_j f_j / F_j`` with one. The marketer risk is an average by
    nature and ``average`` is the figure to compare with the threshold
    (:attr:`AttackerRisk.passed`); ``highest`` and ``records_at_risk`` describe the per-record
    risks the average is made of (``1 / f_j``, or ``1 / F_j`` with a population table): the
    largest one, and the records whose own risk is above the threshold.

    Parameters
    ----------
    table : ClassTable
    threshold : float in (0, 1], default 0.05
    """
    table = _check_table(table, "marketer_risk")
    threshold = _check_threshold(threshold, "marketer_risk")
    if table.population is None:
        risk = 1.0 / table.size.cast(pl.Float64)
        average = _mean_risk(table, table.size)
    else:
        pop = _population(table, "marketer_risk").cast(pl.Float64)
        risk = 1.0 / pop
        average = _mean_risk(table, pop)
    return _summarize("marketer", table, risk, average, threshold)


def _mean_risk(table: ClassTable, per_class: pl.Series) -> float:
    """The mean over records of ``1 / per_class`` of their class: ``(1/n) sum_j m_j / F_j``
    with ``m_j`` the class's members (classes / records when the classes partition and
    ``per_class`` is their size)."""
    n = table.records
    if not n:
        return 0.0
    return float((table.members.cast(pl.Float64) / per_class.cast(pl.Float64)).sum()) / n


def sample_uniques(table: ClassTable) -> int:
    """The records alone in their class (classes of size 1)."""
    table = _check_table(table, "sample_uniques")
    return int(table.members.filter(table.size == 1).sum())


def sample_unique_share(table: ClassTable) -> float:
    """Sample uniques over the records in classes (0.0 without records)."""
    n = _check_table(table, "sample_unique_share").records
    return sample_uniques(table) / n if n else 0.0


# -- population uniqueness -------------------------------------------------------------------------
def population_uniqueness(
    table: ClassTable, sampling_fraction: float, model: str = "pitman"
) -> float:
    """The estimated share of the population that is unique on the quasi-identifiers.

    This is ARX's ``RiskModelPopulationUniqueness.getFractionOfUniqueTuples``: the estimated
    number of population uniques over the population size ``N = n / sampling_fraction``. It is
    also the expected share of the sample's records that are unique in the population (each
    population unique is in the sample with probability ``sampling_fraction``).

    Parameters
    ----------
    table : ClassTable
        The classes of the sample (``n`` records, ``u`` classes, ``c_i`` classes of size ``i``).
    sampling_fraction : float in (0, 1]
        The share of the population the sample is (``n / N``).
    model : {"pitman", "zayatz", "snb"}
        pitman
            Pitman's sampling formula (Hoshino, "Applying Pitman's sampling formula to
            microdata disclosure risk assessment", J. Official Statistics 17, 2001). ``theta``
            and ``alpha`` (restricted to ``[0, 1)``) are the maximum-likelihood estimates of
            ``L = sum_{i<u} log(theta + i alpha) - sum_{i<n} log(theta + i)
            + sum_j sum_{l<f_j} log(l - alpha)``; the population has
            ``Gamma(theta + 1) / Gamma(theta + alpha) N^alpha`` uniques.
        zayatz
            Zayatz ("Estimation of the number of unique population elements using a sample",
            1991): with the sample's class-size distribution ``c_i / u`` as the prior of the
            population class sizes and ``P_i`` the hypergeometric chance of drawing exactly one
            of ``i`` population records into the sample, a sample unique is a population unique
            with chance ``r = c_1 P_1 / sum_i c_i P_i``; the share is ``c_1 r / n``.
        snb
            The slide negative binomial model (Chen and Keller-McNulty, "Estimation of
            identification disclosure risk in microdata", J. Official Statistics 14, 1998): the
            ``K`` non-empty population classes have sizes ``1 + Y`` with ``Y`` negative
            binomial (``alpha``, ``beta``); with ``d = (1 - f)(1 - beta)`` the expected
            numbers of sample uniques and pairs are
            ``E c_1 = K f (beta / (1 - d))^alpha (1 + alpha d / (1 - d))`` and
            ``E c_2 = K alpha beta^alpha f^2 (1 - beta) (2 - (1 - alpha) d) /
            (2 (1 - d)^(alpha + 2))``, solved for ``alpha`` and ``beta`` given ``c_1`` and
            ``c_2``; ``K`` is Haas and Stokes's Shlosser-type estimate ``D_Sh3`` (as ARX
            uses); the population has ``K beta^alpha`` uniques.

    Returns
    -------
    float in [0, 1]
        0.0 without sample uniques (as ARX), the sample-unique share when
        ``sampling_fraction`` is 1 (the sample is the population) or every class is unique (the
        limit of every model), and NaN when the model has no solution for these data (ARX
        then reports the estimate as unavailable).

    Raises
    ------
    ParameterError
        ``sampling_fraction`` is not in (0, 1], or ``model`` is unknown.
    """
    table = _check_table(table, "population_uniqueness")
    f = sampling_fraction
    ok = isinstance(f, int | float) and not isinstance(f, bool) and math.isfinite(f)
    if not ok or not 0 < f <= 1:
        raise ParameterError(
            "The 'sampling_fraction' parameter of population_uniqueness must be a number in "
            f"(0, 1], the share of the population the data are. Got {describe(f)} instead."
        )
    check_one_of(model, "model", "population_uniqueness", POPULATION_MODELS)
    sizes, counts = _histogram(table)
    n, u = int((sizes * counts).sum()), int(counts.sum())
    c1 = int(counts[sizes == 1].sum())
    if n == 0 or c1 == 0:
        return 0.0
    if f == 1 or c1 == u:
        return c1 / n
    f = float(f)
    if model == "zayatz":
        value = _zayatz(sizes, counts, n, f)
    elif model == "pitman":
        value = _pitman(sizes, counts, n, u, f)
    else:
        value = _snb(sizes, counts, n, u, c1, f)
    return value if math.isnan(value) else min(max(value, 0.0), 1.0)


def _histogram(table: ClassTable) -> tuple[np.ndarray, np.ndarray]:
    """Distinct class sizes i and the number c_i of classes of each size (float arrays).

    When the classes overlap (suppressed cells), c_i is the records of frequency i over i, so
    that sum i c_i is still the records: the estimators read the frequencies of the records."""
    if table.classes == 0:
        return np.zeros(0), np.zeros(0)
    frame = pl.DataFrame({"i": table.size.cast(pl.Int64), "m": table.members})
    hist = frame.group_by("i").agg(pl.col("m").sum()).sort("i")
    sizes = hist.get_column("i").to_numpy().astype(float)
    return sizes, hist.get_column("m").to_numpy().astype(float) / sizes


def _zayatz(sizes: np.ndarray, counts: np.ndarray, n: int, f: float) -> float:
    """Zayatz's estimate (see population_uniqueness)."""
    big_n = max(round(n / f), n)
    # hypergeometric P(X = 1): i C(N - i, n - 1) / C(N, n), zero when N - i < n - 1
    log_common = (math.lgamma(n + 1) - math.lgamma(n) + math.lgamma(big_n - n + 1)
                  - math.lgamma(big_n + 1))
    probs = np.zeros(len(sizes))
    for k, i in enumerate(sizes):
        if big_n - i >= n - 1:
            probs[k] = i * math.exp(log_common + math.lgamma(big_n - i + 1)
                                    - math.lgamma(big_n - i - n + 2))
    total = float((counts * probs).sum())
    c1 = float(counts[sizes == 1].sum())
    p1 = float(probs[sizes == 1][0])
    if total <= 0:
        return math.nan
    return c1 * (c1 * p1 / total) / n


# -- special functions (no scipy) ------------------------------------------------------------------
_PSI = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)  # B2k / 2k
_LGAMMA = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)


def _digamma_diff(a: float, delta: float) -> float:
    """psi(a + delta) - psi(a) for a > 0, delta >= 0; accurate when delta is small against a."""
    out = 0.0
    while a < 10:
        out += 1 / a - 1 / (a + delta)
        a += 1
    b = a + delta
    out += math.log1p(delta / a) - (1 / (2 * b) - 1 / (2 * a))
    for k, c in enumerate(_PSI, start=1):
        out -= c * (b ** (-2 * k) - a ** (-2 * k))
    return out


def _lgamma_diff(a: float, delta: float) -> float:
    """log Gamma(a + delta) - log Gamma(a) for a > 0, delta >= 0; accurate when delta is small
    against a (Stirling's series, the difference taken term by term)."""
    b = a + delta
    if a < 10:
        return math.lgamma(b) - math.lgamma(a)
    out = delta * math.log(b) + (a - 0.5) * math.log1p(delta / a) - delta
    for k, c in enumerate(_LGAMMA, start=1):
        out += c * (b ** (1 - 2 * k) - a ** (1 - 2 * k))
    return out


# -- Pitman ----------------------------------------------------------------------------------------
def _pitman(sizes: np.ndarray, counts: np.ndarray, n: int, u: int, f: float) -> float:
    """Pitman's estimate (see population_uniqueness): the profile likelihood over alpha."""
    lg_sizes = sizes[sizes > 1]
    lg_counts = counts[sizes > 1]

    def theta_of(alpha: float) -> float:
        """The theta that zeroes d L / d theta at this alpha (theta > -alpha)."""
        def score(s: float) -> float:
            theta = math.exp(s) - alpha
            if alpha == 0:
                s1 = (u - 1) / theta
            else:
                x = theta / alpha
                s1 = _digamma_diff(x + 1, u - 1) / alpha
            return s1 - _digamma_diff(theta + 1, n - 1)

        lo, hi = -40.0, 40.0
        if score(hi) > 0:  # pragma: no cover - only when every class is unique
            return math.exp(hi) - alpha
        for _ in range(80):
            mid = (lo + hi) / 2
            if score(mid) > 0:
                lo = mid
            else:
                hi = mid
        return math.exp((lo + hi) / 2) - alpha

    def loglik(alpha: float) -> tuple[float, float]:
        theta = theta_of(alpha)
        if alpha == 0:
            t1 = (u - 1) * math.log(theta)
        else:
            x = theta / alpha
            t1 = (u - 1) * math.log(alpha) + _lgamma_diff(x + 1, u - 1)
        t2 = _lgamma_diff(theta + 1, n - 1)
        lg1 = math.lgamma(1 - alpha)
        t3 = float(sum(c * (math.lgamma(i - alpha) - lg1)
                       for i, c in zip(lg_sizes, lg_counts, strict=True)))
        return t1 - t2 + t3, theta

    # golden-section search for the maximum over alpha in [0, 1)
    lo, hi = 0.0, 1.0 - 1e-9
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    la, lb = loglik(a)[0], loglik(b)[0]
    for _ in range(60):
        if la < lb:
            lo, a, la = a, b, lb
            b = lo + ratio * (hi - lo)
            lb = loglik(b)[0]
        else:
            hi, b, lb = b, a, la
            a = hi - ratio * (hi - lo)
            la = loglik(a)[0]
    best = max(((lo, *loglik(lo)), (hi, *loglik(hi)), ((lo + hi) / 2, *loglik((lo + hi) / 2))),
               key=lambda r: r[1])
    alpha, theta = best[0], best[2]
    big_n = n / f
    # uniques / N = Gamma(theta + 1) / Gamma(theta + alpha) N^(alpha - 1)
    log_share = _lgamma_diff(theta + alpha, 1 - alpha) + (alpha - 1) * math.log(big_n)
    return math.exp(log_share) if math.isfinite(log_share) else math.nan


# -- slide negative binomial -----------------------------------------------------------------------
def _shlosser(sizes: np.ndarray, counts: np.ndarray, u: int, c1: int, f: float) -> float:
    """Haas and Stokes's D_Sh3 estimate of the number of non-empty population classes."""
    q = f
    num1 = float((sizes * q * q * (1 - q * q) ** (sizes - 1) * counts).sum())
    den1 = float((((1 - q * q) ** sizes - (1 - q) ** sizes) * counts).sum())
    num2 = float(((1 - q) ** sizes * counts).sum())
    den2 = float((sizes * q * (1 - q) ** (sizes - 1) * counts).sum())
    if den1 <= 0 or den2 <= 0:
        return float(u)
    return u + c1 * (num1 / den1) * (num2 / den2) ** 2


def _snb_expected(alpha: float, beta: float, k: float, f: float) -> tuple[float, float]:
    """log E c_1 and log E c_2 under the SNB model."""
    d = (1 - f) * (1 - beta)
    log1md = math.log1p(-d)
    e1 = (math.log(k) + math.log(f) + alpha * (math.log(beta) - log1md)
          + math.log1p(alpha * d / (1 - d)))
    e2 = (math.log(k) + math.log(alpha) + alpha * math.log(beta) + 2 * math.log(f)
          + math.log1p(-beta) - math.log(2) - (alpha + 2) * log1md
          + math.log(2 - (1 - alpha) * d))
    return e1, e2


def _snb(sizes: np.ndarray, counts: np.ndarray, n: int, u: int, c1: int, f: float) -> float:
    """The SNB estimate (see population_uniqueness)."""
    c2 = float(counts[sizes == 2].sum())
    if c2 == 0:
        return math.nan
    k = _shlosser(sizes, counts, u, c1, f)
    fitted = _snb_fit(float(c1), c2, k, f)
    if fitted is None:
        return math.nan
    alpha, beta = fitted
    estimate: float = k * beta**alpha / (n / f)
    return estimate


def _snb_fit(c1: float, c2: float, k: float, f: float) -> tuple[float, float] | None:
    """alpha and beta with E c_1 = c1 and E c_2 = c2, by damped Newton steps in
    (log alpha, logit beta) from the best of a grid of starting points; None without a
    solution."""
    target = np.array([math.log(c1), math.log(c2)])

    def residual(p: np.ndarray) -> np.ndarray:
        alpha, beta = math.exp(p[0]), 1 / (1 + math.exp(-p[1]))
        try:
            gap: np.ndarray = np.array(_snb_expected(alpha, beta, k, f)) - target
            return gap
        except (ValueError, OverflowError, ZeroDivisionError):
            return np.array([np.inf, np.inf])

    starts = [np.array([math.log(a), math.log(b / (1 - b))])
              for a in (0.05, 0.2, 0.5, 1.0, 2.0, 5.0, 20.0)
              for b in (0.001, 0.01, 0.1, 0.3, 0.6, 0.9, 0.99)]
    p = min(starts, key=lambda s: float(np.abs(residual(s)).sum()))
    r = residual(p)
    for _ in range(200):
        if np.abs(r).max() < 1e-12:
            break
        jac = np.empty((2, 2))
        for j in range(2):
            step = np.zeros(2)
            step[j] = 1e-6
            jac[:, j] = (residual(p + step) - residual(p - step)) / 2e-6
        try:
            delta = np.linalg.solve(jac, -r)
        except np.linalg.LinAlgError:
            delta = -jac.T @ r
        scale = 1.0
        while scale > 1e-8:
            candidate = p + scale * np.clip(delta, -5, 5)
            rc = residual(candidate)
            if np.all(np.isfinite(rc)) and np.abs(rc).sum() < np.abs(r).sum():
                p, r = candidate, rc
                break
            scale /= 2
        else:
            break
    if not np.abs(r).max() < 1e-8:
        return None
    return math.exp(p[0]), 1 / (1 + math.exp(-p[1]))
