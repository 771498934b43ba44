"""anonlab: see what in a table identifies people, anonymize it while watching the risk, and ship it
with a signed, enforced license.

The public API lives here; everything else is private unless documented. Start with
:func:`profile` on a pandas or polars frame, or on the embedded example data in
:mod:`anonlab.datasets`.
"""

from anonlab import datasets, risk, transforms
from anonlab._version import __version__
from anonlab.errors import (
    AnonlabError,
    ColumnNameError,
    ColumnNotFoundError,
    DatasetError,
    EmptyFrameError,
    FrameError,
    HierarchyError,
    ParameterError,
    RecipeError,
    SecretKeyError,
    TransformError,
    UnrepresentableColumnError,
    UnsupportedFrameError,
)
from anonlab.hierarchies import Hierarchy
from anonlab.io import read
from anonlab.keys import Key
from anonlab.optimize import OptimizationResult, mondrian, optimize
from anonlab.profiling import (
    ColumnProfile,
    ColumnRole,
    Detection,
    HipaaCategory,
    Kind,
    Profile,
    profile,
)
from anonlab.recipe import Recipe, Step, Targets
from anonlab.risk.models import (
    AlphaKAnonymity,
    BetaLikeness,
    DeltaDisclosure,
    DeltaPresence,
    KAnonymity,
    KMap,
    LDiversity,
    PrivacyModel,
    TCloseness,
)
from anonlab.risk.report import RiskReport, assess_risk
from anonlab.suggest import suggest_recipe

__all__ = [
    "AlphaKAnonymity",
    "AnonlabError",
    "BetaLikeness",
    "ColumnNameError",
    "ColumnNotFoundError",
    "ColumnProfile",
    "ColumnRole",
    "DatasetError",
    "DeltaDisclosure",
    "DeltaPresence",
    "Detection",
    "EmptyFrameError",
    "FrameError",
    "Hierarchy",
    "HierarchyError",
    "HipaaCategory",
    "KAnonymity",
    "KMap",
    "Key",
    "Kind",
    "LDiversity",
    "OptimizationResult",
    "ParameterError",
    "PrivacyModel",
    "Profile",
    "Recipe",
    "RecipeError",
    "RiskReport",
    "SecretKeyError",
    "Step",
    "TCloseness",
    "Targets",
    "TransformError",
    "UnrepresentableColumnError",
    "UnsupportedFrameError",
    "__version__",
    "assess_risk",
    "datasets",
    "mondrian",
    "optimize",
    "profile",
    "read",
    "risk",
    "suggest_recipe",
    "transforms",
]
