"""Optimal anonymization: the least-loss full-domain generalization meeting privacy targets.

:func:`optimize` searches the lattice of hierarchy levels (one per quasi-identifier) with record
suppression up to a limit, exactly as the reference tool ARX does (optimal search, Loss metric by
default), and returns an :class:`OptimizationResult` with the output frame and a recipe that
reproduces it. :func:`mondrian` is local recoding instead: Mondrian multidimensional
partitioning of numeric quasi-identifiers into intervals.
"""

from anonlab.optimize.metrics import METRICS
from anonlab.optimize.mondrian import MondrianResult, mondrian
from anonlab.optimize.result import Alternative, OptimizationResult
from anonlab.optimize.search import optimize

__all__ = [
    "METRICS",
    "Alternative",
    "MondrianResult",
    "OptimizationResult",
    "mondrian",
    "optimize",
]
