"""What an attack evaluator returns: small frozen values with plain data and a notebook display.

:class:`AttackResult` holds one of the three criteria of the Article 29 Working Party's Opinion
05/2014 on anonymisation techniques (singling out, linkability, inference), measured as
anonymeter measures them: the attack's success rate, the same attack on control records, a naive
baseline, and the residual risk. :class:`LinkageResult` holds the prosecutor re-identification
check against a ``1/k`` bound.

Neither holds a cell value: only counts, rates, column names and parameters, so both can go into
a license's evidence, a log or a report as they are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from types import MappingProxyType
from typing import Any, ClassVar

from anonlab.evidence.confidence import RiskEstimate, SuccessRate

__all__ = ["AttackResult", "LinkageResult"]

_CSS = """
<style>
.anonlab-evidence { font-family: var(--jp-ui-font-family, system-ui, sans-serif);
  font-size: 12px; color: var(--jp-ui-font-color1, inherit); }
.anonlab-evidence .al-head { margin: 0 0 6px 0; font-size: 13px; }
.anonlab-evidence table { border-collapse: collapse; }
.anonlab-evidence.anonlab-evidence th, .anonlab-evidence.anonlab-evidence td {
  text-align: left; }
.anonlab-evidence th { font-weight: 600; padding: 3px 8px;
  border-bottom: 1px solid var(--jp-border-color1, #999); }
.anonlab-evidence td { padding: 3px 8px;
  border-bottom: 1px solid var(--jp-border-color3, rgba(128,128,128,.25)); }
.anonlab-evidence.anonlab-evidence td.al-num { text-align: right;
  font-variant-numeric: tabular-nums; }
.anonlab-evidence .al-note { color: var(--jp-ui-font-color2, #777); font-size: 11px;
  margin-top: 6px; }
.anonlab-evidence .al-pass { color: #009E73; font-weight: 700; }
.anonlab-evidence .al-fail { color: #D55E00; font-weight: 700; }
</style>
"""


def _plain(value: Any) -> Any:
    """Parameters as JSON-ready plain data."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _pct(value: float) -> str:
    return f"{value:.2%}"


def _rate_row(label: str, rate: SuccessRate | None) -> str:
    if rate is None:
        return f"<tr><td>{escape(label)}</td><td colspan=3>not measured</td></tr>"
    successes = rate.successes
    shown = f"{successes:,.0f}" if float(successes).is_integer() else f"{successes:,.1f}"
    return (
        f"<tr><td>{escape(label)}</td><td class='al-num'>{_pct(rate.value)}</td>"
        f"<td class='al-num'>{_pct(rate.low)} – {_pct(rate.high)}</td>"
        f"<td class='al-num'>{escape(shown)} / {rate.trials:,}</td></tr>"
    )


def _params_text(parameters: Mapping[str, Any]) -> str:
    parts = []
    for key, value in parameters.items():
        if isinstance(value, list | tuple):
            shown = ", ".join(
                "[" + ", ".join(map(str, v)) + "]" if isinstance(v, list | tuple) else str(v)
                for v in value
            )
        elif isinstance(value, Mapping):
            shown = ", ".join(f"{k}: {v}" for k, v in value.items())
        else:
            shown = str(value)
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)


@dataclass(frozen=True, eq=False)
class AttackResult:
    """The outcome of a singling-out, linkability or inference attack on a release.

    Attributes
    ----------
    name : str
        ``"singling_out"``, ``"linkability"`` or ``"inference"``.
    attack : SuccessRate
        The attack on target records (records that are in the release).
    baseline : SuccessRate
        A naive attacker who guesses at random (random predicates, random links, random
        guesses). An attack no better than this says little: see :attr:`attack_beats_baseline`.
    control : SuccessRate or None
        The same attack on control records (not in the release); None when no control was
        given.
    risk : RiskEstimate
        The residual risk ``(attack - control) / (1 - control)`` with its interval; the attack
        rate itself when there is no control.
    parameters : mapping
        What the attack was run with (columns, numbers of attacks and neighbours, ...).
    figures : mapping
        Further counts the attack produced (e.g. predicates found, targets left out).
    detail : str
        One line saying what was measured.
    """

    name: str
    attack: SuccessRate
    baseline: SuccessRate
    control: SuccessRate | None
    risk: RiskEstimate
    parameters: Mapping[str, Any] = field(default_factory=dict)
    figures: Mapping[str, Any] = field(default_factory=dict)
    detail: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))
        object.__setattr__(self, "figures", MappingProxyType(dict(self.figures)))

    @property
    def n_attacks(self) -> int:
        """Attacks made on target records."""
        return self.attack.trials

    @property
    def n_success(self) -> float:
        """Successful attacks on target records."""
        return self.attack.successes

    @property
    def attack_beats_baseline(self) -> bool:
        """The attack's rate is above the naive baseline's.

        anonymeter warns "Attack is as good or worse as baseline model ... Analysis results
        cannot be trusted" when it is not: the attack may be too weak to show a risk.
        """
        return self.attack.value > self.baseline.value

    def __repr__(self) -> str:
        return (
            f"AttackResult({self.name}: risk {self.risk.value:.4f} "
            f"[{self.risk.low:.4f}, {self.risk.high:.4f}], attack {self.attack.value:.4f}, "
            f"control {'n/a' if self.control is None else f'{self.control.value:.4f}'}, "
            f"baseline {self.baseline.value:.4f}, n_attacks={self.n_attacks})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {
            "name": self.name,
            "attack": self.attack.to_dict(),
            "baseline": self.baseline.to_dict(),
            "control": None if self.control is None else self.control.to_dict(),
            "risk": self.risk.to_dict(),
            "attack_beats_baseline": self.attack_beats_baseline,
            "n_attacks": self.n_attacks,
            "n_success": self.n_success,
            "parameters": _plain(self.parameters),
            "figures": _plain(self.figures),
            "detail": self.detail,
        }

    def _repr_html_(self) -> str:
        title = self.name.replace("_", " ")
        risk = self.risk
        head = (
            f"<div class='al-head'><b>{escape(title.capitalize())}</b>: risk "
            f"{_pct(risk.value)} ({_pct(risk.low)} – {_pct(risk.high)}, "
            f"{risk.confidence_level:.0%} interval)</div>"
        )
        rows = (
            _rate_row("attack", self.attack)
            + _rate_row("control", self.control)
            + _rate_row("baseline", self.baseline)
        )
        table = (
            "<table><thead><tr><th></th><th>rate</th><th>interval</th><th>successes</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
        notes = [escape(self.detail)]
        if not self.attack_beats_baseline:
            notes.append(
                "The attack did no better than the naive baseline: it may be too weak to show "
                "a risk."
            )
        if self.parameters:
            notes.append(escape(_params_text(self.parameters)))
        note = "".join(f"<div class='al-note'>{n}</div>" for n in notes if n)
        return _CSS + f"<div class='anonlab-evidence'>{head}{table}{note}</div>"


@dataclass(frozen=True, eq=False)
class LinkageResult:
    """The outcome of the prosecutor linkage attack: targets linked back to release records.

    For each target the attacker collects the *candidates*, the release records compatible with
    the target on every quasi-identifier; the target's risk is ``1/|candidates|`` when its true
    record is among them, else 0.

    Attributes
    ----------
    n_attacks : int
        Targets attacked (sampled among targets whose record is in the release).
    unique : SuccessRate
        Targets correctly and uniquely re-identified: the candidates are exactly the true
        record.
    mean_risk : float
        The mean of the targets' risks.
    mean_risk_low, mean_risk_high : float
        Its normal-approximation confidence interval, clipped to ``[0, 1]``.
    max_risk : float
        The largest target risk.
    k : int or None
        The k the release claims; None when no bound was checked.
    bound : float or None
        ``1/k``.
    passed : bool or None
        ``max_risk <= 1/k`` (to 1e-12); None without ``k``.
    n_breaking : int
        Targets whose risk is above ``1/k`` (0 without ``k``).
    n_not_candidate : int
        Targets whose true record is not among their candidates (the release changed a
        quasi-identifier beyond the declared tolerance); their risk is 0.
    n_excluded : int
        Targets left out because their record is not in the release (no truth).
    mean_candidates : float
        The mean number of candidates per target.
    parameters : mapping
    figures : mapping
    detail : str
    """

    n_attacks: int
    unique: SuccessRate
    mean_risk: float
    mean_risk_low: float
    mean_risk_high: float
    max_risk: float
    k: int | None
    bound: float | None
    passed: bool | None
    n_breaking: int
    n_not_candidate: int
    n_excluded: int
    mean_candidates: float
    parameters: Mapping[str, Any] = field(default_factory=dict)
    figures: Mapping[str, Any] = field(default_factory=dict)
    detail: str = ""

    name: ClassVar[str] = "linkage"

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))
        object.__setattr__(self, "figures", MappingProxyType(dict(self.figures)))

    @property
    def n_unique(self) -> int:
        """Targets correctly and uniquely re-identified."""
        return int(self.unique.successes)

    def __repr__(self) -> str:
        bound = "" if self.k is None else f", 1/k={self.bound:.4f}, passed={self.passed}"
        return (
            f"LinkageResult(unique {self.unique.share:.4f}, mean risk {self.mean_risk:.4f}, "
            f"max risk {self.max_risk:.4f}{bound}, n_attacks={self.n_attacks})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {
            "name": self.name,
            "n_attacks": self.n_attacks,
            "unique": self.unique.to_dict(),
            "n_unique": self.n_unique,
            "mean_risk": self.mean_risk,
            "mean_risk_low": self.mean_risk_low,
            "mean_risk_high": self.mean_risk_high,
            "max_risk": self.max_risk,
            "k": self.k,
            "bound": self.bound,
            "passed": self.passed,
            "n_breaking": self.n_breaking,
            "n_not_candidate": self.n_not_candidate,
            "n_excluded": self.n_excluded,
            "mean_candidates": self.mean_candidates,
            "parameters": _plain(self.parameters),
            "figures": _plain(self.figures),
            "detail": self.detail,
        }

    def _repr_html_(self) -> str:
        if self.passed is None:
            verdict = ""
        elif self.passed:
            verdict = f" <span class='al-pass'>&#10003; within 1/k = 1/{self.k}</span>"
        else:
            verdict = (
                f" <span class='al-fail'>&#10007; {self.n_breaking:,} target(s) above "
                f"1/k = 1/{self.k}</span>"
            )
        head = f"<div class='al-head'><b>Linkage (prosecutor)</b>{verdict}</div>"
        u = self.unique
        rows = [
            (
                "uniquely re-identified",
                _pct(u.value),
                f"{_pct(u.low)} – {_pct(u.high)}",
                f"{self.n_unique:,} / {self.n_attacks:,}",
            ),
            (
                "mean 1/|candidates|",
                f"{self.mean_risk:.4f}",
                f"{self.mean_risk_low:.4f} – {self.mean_risk_high:.4f}",
                "",
            ),
            ("max 1/|candidates|", f"{self.max_risk:.4f}", "", ""),
            ("mean candidates", f"{self.mean_candidates:,.1f}", "", ""),
        ]
        body = "".join(
            f"<tr><td>{escape(a)}</td><td class='al-num'>{escape(b)}</td>"
            f"<td class='al-num'>{escape(c)}</td><td class='al-num'>{escape(d)}</td></tr>"
            for a, b, c, d in rows
        )
        table = (
            "<table><thead><tr><th></th><th>value</th><th>interval</th><th>targets</th>"
            f"</tr></thead><tbody>{body}</tbody></table>"
        )
        notes = [escape(self.detail)]
        if self.parameters:
            notes.append(escape(_params_text(self.parameters)))
        note = "".join(f"<div class='al-note'>{n}</div>" for n in notes if n)
        return _CSS + f"<div class='anonlab-evidence'>{head}{table}{note}</div>"
