"""Success rates and residual risks with confidence intervals, computed as anonymeter does.

An attack is a series of Bernoulli trials. Its success rate is estimated with the Wilson score
interval (Wilson 1927), which behaves at rates near 0 and 1 where the normal approximation does
not; the point estimate is the Wilson centre ``(s + z²/2) / (n + z²)``, which anonymeter reports
too and which differs from ``s / n`` by less than ``z² / n`` (0.2 % at 2,000 trials).

The *residual risk* compares the attack on records that are in the release with the same attack
on control records that are not (Giomi et al. 2022, "A Unified Framework for Quantifying Privacy
Risk in Synthetic Data", section 3)::

    risk = (attack - control) / (1 - control)

with the error propagated to first order from both rates' errors. The risk and its interval are
clipped to ``[0, 1]`` for display; the unclipped estimate is kept in
:attr:`RiskEstimate.estimate`.

These functions reproduce ``anonymeter.stats.confidence`` (``success_rate``,
``residual_success``, ``bind_value``) formula for formula, so figures agree to rounding; the
probit comes from :class:`statistics.NormalDist` rather than scipy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from anonlab._validation import describe
from anonlab.errors import ParameterError

__all__ = ["RiskEstimate", "SuccessRate", "residual_risk", "success_rate"]


def _check_confidence(value: Any, owner: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 < value < 1
    ):
        raise ParameterError(
            f"The 'confidence_level' parameter of {owner} must be a number between 0 and 1 "
            f"(exclusive), such as 0.95. Got {describe(value)} instead."
        )
    return float(value)


def _clip(value: float) -> float:
    return min(max(value, 0.0), 1.0)


@dataclass(frozen=True)
class SuccessRate:
    """The estimated success rate of an attack, with its Wilson score interval.

    Attributes
    ----------
    successes : float
        Successful trials. A whole number, except for the singling-out control count, which is
        rescaled to the size of the target population (see
        :func:`~anonlab.evidence.singling_out_attack`).
    trials : int
        Trials (attacks) made.
    value : float
        The Wilson centre, the best estimate of the rate.
    error : float
        Half the width of the interval at ``confidence_level``.
    confidence_level : float
        The interval's confidence level, e.g. 0.95.
    """

    successes: float
    trials: int
    value: float
    error: float
    confidence_level: float

    @property
    def low(self) -> float:
        """The lower end of the interval, clipped to 0."""
        return _clip(self.value - self.error)

    @property
    def high(self) -> float:
        """The upper end of the interval, clipped to 1."""
        return _clip(self.value + self.error)

    @property
    def share(self) -> float:
        """The raw share of successful trials, ``successes / trials``."""
        return self.successes / self.trials

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "successes": self.successes,
            "trials": self.trials,
            "value": self.value,
            "error": self.error,
            "low": self.low,
            "high": self.high,
            "share": self.share,
            "confidence_level": self.confidence_level,
        }


@dataclass(frozen=True)
class RiskEstimate:
    """A privacy risk: a point estimate in ``[0, 1]`` with its confidence interval.

    Attributes
    ----------
    value : float
        The risk, clipped to ``[0, 1]``.
    low, high : float
        The interval, clipped to ``[0, 1]``.
    estimate : float
        The unclipped estimate (negative when the control attack did better than the attack).
    error : float
        Half the width of the unclipped interval.
    confidence_level : float
    """

    value: float
    low: float
    high: float
    estimate: float
    error: float
    confidence_level: float

    @classmethod
    def bound(cls, estimate: float, error: float, confidence_level: float) -> RiskEstimate:
        """A risk from an unclipped estimate and error (anonymeter's ``bind_value``)."""
        return cls(
            value=_clip(estimate),
            low=_clip(estimate - error),
            high=_clip(estimate + error),
            estimate=estimate,
            error=error,
            confidence_level=confidence_level,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "estimate": self.estimate,
            "error": self.error,
            "confidence_level": self.confidence_level,
        }


def success_rate(successes: float, trials: int, confidence_level: float = 0.95) -> SuccessRate:
    """The Wilson score estimate of a success rate.

    Parameters
    ----------
    successes : float
        Successful trials, ``0 <= successes <= trials``.
    trials : int
        Trials made, at least 1.
    confidence_level : float, default 0.95
        The interval's confidence level.

    Returns
    -------
    SuccessRate

    Examples
    --------
    >>> r = success_rate(50, 1000)
    >>> round(r.value, 4), round(r.low, 4), round(r.high, 4)
    (0.0517, 0.0381, 0.0653)
    """
    owner = "success_rate"
    cl = _check_confidence(confidence_level, owner)
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise ParameterError(
            f"The 'trials' parameter of {owner} must be an int >= 1. "
            f"Got {describe(trials)} instead."
        )
    if (
        isinstance(successes, bool)
        or not isinstance(successes, int | float)
        or not math.isfinite(successes)
        or not 0 <= successes <= trials
    ):
        raise ParameterError(
            f"The 'successes' parameter of {owner} must be a number between 0 and trials "
            f"({trials}). Got {describe(successes)} instead."
        )
    z = NormalDist().inv_cdf(0.5 * (1.0 + cl))
    z2 = z * z
    variance = successes * (trials - successes) / trials
    denominator = trials + z2
    value = (successes + 0.5 * z2) / denominator
    error = (z / denominator) * math.sqrt(variance + 0.25 * z2)
    return SuccessRate(
        successes=successes, trials=trials, value=value, error=error, confidence_level=cl
    )


def residual_risk(attack: SuccessRate, control: SuccessRate | None) -> RiskEstimate:
    """The risk an attack shows beyond what it achieves on records not in the release.

    ``(attack - control) / (1 - control)``, with the error propagated from both rates
    (anonymeter's ``residual_success``). Without a control rate the risk is the attack rate.

    Parameters
    ----------
    attack : SuccessRate
        The attack on records in the release.
    control : SuccessRate or None
        The same attack on control records.

    Returns
    -------
    RiskEstimate
        At the attack rate's confidence level.

    Examples
    --------
    >>> round(residual_risk(success_rate(500, 1000), success_rate(100, 1000)).value, 3)
    0.443
    """
    cl = attack.confidence_level
    if control is None:
        return RiskEstimate.bound(attack.value, attack.error, cl)
    if control.confidence_level != cl:
        raise ParameterError(
            "The attack and control rates of residual_risk must share a confidence level. "
            f"Got {attack.confidence_level} and {control.confidence_level} instead."
        )
    # The Wilson centre is below 1 for any finite number of trials, so this never divides by 0.
    margin = 1.0 - control.value
    estimate = (attack.value - control.value) / margin
    d_attack = 1.0 / abs(margin)
    d_control = (attack.value - 1.0) / margin**2
    error = math.sqrt((attack.error * d_attack) ** 2 + (control.error * d_control) ** 2)
    return RiskEstimate.bound(estimate, error, cl)
