"""Attacks on an anonymized release whose figures back the claims a license makes.

Each evaluator attacks a ``release`` with what an attacker knows about records that are in it
(``targets``) and, for the three criteria of the Article 29 Working Party's Opinion 05/2014
(singling out, linkability, inference), compares with the same attack on records that are not
(``control``), the way anonymeter measures them (success rates with Wilson score intervals, the
residual risk ``(attack - control) / (1 - control)``, and a naive baseline). The prosecutor
:func:`linkage_attack` checks re-identification against a ``1/k`` bound.

Suppressed cells (null, NaN, or ``"*"`` in a text column) are wildcards everywhere: they match
any value and add nothing to a distance.

Every random choice comes from the ``rng`` (a :class:`numpy.random.Generator`) the caller
passes. Results are frozen values with ``to_dict()`` (plain data) and a notebook display, and
hold no cell value.
"""

from anonlab.evidence.confidence import RiskEstimate, SuccessRate, residual_risk, success_rate
from anonlab.evidence.inference import inference_attack
from anonlab.evidence.linkability import linkability_attack
from anonlab.evidence.linkage import linkage_attack
from anonlab.evidence.result import AttackResult, LinkageResult
from anonlab.evidence.singling_out import singling_out_attack

__all__ = [
    "AttackResult",
    "LinkageResult",
    "RiskEstimate",
    "SuccessRate",
    "inference_attack",
    "linkability_attack",
    "linkage_attack",
    "residual_risk",
    "singling_out_attack",
    "success_rate",
]
