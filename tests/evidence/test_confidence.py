"""Wilson rates and residual risks: the formulas, checked against anonymeter's own functions."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonlab.errors import ParameterError
from anonlab.evidence import RiskEstimate, residual_risk, success_rate

Z95 = 1.959963984540054


def test_wilson_by_hand() -> None:
    r = success_rate(0, 2000)
    z2 = Z95**2
    assert r.value == pytest.approx((0.5 * z2) / (2000 + z2))
    assert r.error == pytest.approx(Z95 / (2000 + z2) * math.sqrt(0.25 * z2))
    assert r.low == pytest.approx(0.0, abs=1e-15)  # the interval starts at 0
    assert r.share == 0.0
    r = success_rate(2000, 2000)
    assert r.value < 1.0 and r.high == 1.0


def test_residual_by_hand() -> None:
    attack, control = success_rate(500, 1000), success_rate(100, 1000)
    risk = residual_risk(attack, control)
    expected = (attack.value - control.value) / (1 - control.value)
    assert risk.estimate == pytest.approx(expected)
    d_a = 1 / (1 - control.value)
    d_c = (attack.value - 1) / (1 - control.value) ** 2
    assert risk.error == pytest.approx(math.hypot(attack.error * d_a, control.error * d_c))
    # no control: the attack rate itself
    alone = residual_risk(attack, None)
    assert (alone.value, alone.low, alone.high) == (attack.value, attack.low, attack.high)


def test_negative_residual_is_clipped() -> None:
    risk = residual_risk(success_rate(10, 1000), success_rate(300, 1000))
    assert risk.estimate < 0
    assert risk.value == 0.0 and risk.low == 0.0
    assert risk.to_dict()["estimate"] == risk.estimate


@settings(deadline=None)  # the first example imports anonymeter
@given(
    trials=st.integers(1, 5000),
    share=st.floats(0, 1),
    control_share=st.floats(0, 1),
    level=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_same_figures_as_anonymeter(
    trials: int, share: float, control_share: float, level: float
) -> None:
    """Rates, errors and residual risks equal anonymeter's to 1e-12."""
    conf = pytest.importorskip(
        "anonymeter.stats.confidence",
        reason="anonymeter is not installed (pip install --no-deps anonymeter==1.1.0)",
    )
    s, c = round(share * trials), round(control_share * trials)
    ours, theirs = success_rate(s, trials, level), conf.success_rate(trials, s, level)
    assert ours.value == pytest.approx(theirs.value, abs=1e-12)
    assert ours.error == pytest.approx(theirs.error, abs=1e-12)
    ours_c, theirs_c = success_rate(c, trials, level), conf.success_rate(trials, c, level)
    risk = residual_risk(ours, ours_c)
    bound = conf.residual_success(theirs, theirs_c).to_risk()
    assert risk.value == pytest.approx(bound.value, abs=1e-12)
    assert (risk.low, risk.high) == pytest.approx(bound.ci, abs=1e-12)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: success_rate(1, 0), "'trials' parameter of success_rate must be an int >= 1"),
        (lambda: success_rate(5, 4), "'successes' parameter"),
        (lambda: success_rate(-1, 4), "'successes' parameter"),
        (lambda: success_rate(1, 4, 1.0), "'confidence_level' parameter"),
        (lambda: success_rate(1, 4, True), "'confidence_level' parameter"),
        (lambda: success_rate(1, 4.0), "'trials' parameter"),  # type: ignore[arg-type]
    ],
)
def test_bad_parameters(call: object, fragment: str) -> None:
    with pytest.raises(ParameterError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        call()  # type: ignore[operator]


def test_levels_must_match() -> None:
    with pytest.raises(ParameterError, match="share a confidence level"):
        residual_risk(success_rate(1, 10, 0.95), success_rate(1, 10, 0.9))


def test_plain_data() -> None:
    r = success_rate(3, 10)
    assert r.to_dict()["successes"] == 3 and r.to_dict()["trials"] == 10
    est = RiskEstimate.bound(1.2, 0.5, 0.95)
    assert (est.value, est.low, est.high) == (1.0, 0.7, 1.0)
