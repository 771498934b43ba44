"""Re-identification risk: equivalence classes, privacy models, attacker models and reports."""

from anonlab.risk.classes import SUPPRESSED, ClassTable, equivalence_classes
from anonlab.risk.models import (
    AlphaKAnonymity,
    BetaLikeness,
    DeltaDisclosure,
    DeltaPresence,
    KAnonymity,
    KMap,
    LDiversity,
    ModelResult,
    PrivacyModel,
    TCloseness,
    model_from_dict,
    registered_models,
)

__all__ = [
    "SUPPRESSED",
    "AlphaKAnonymity",
    "BetaLikeness",
    "ClassTable",
    "DeltaDisclosure",
    "DeltaPresence",
    "KAnonymity",
    "KMap",
    "LDiversity",
    "ModelResult",
    "PrivacyModel",
    "TCloseness",
    "equivalence_classes",
    "model_from_dict",
    "registered_models",
]
