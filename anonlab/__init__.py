"""anonlab: see what in a table identifies people, anonymize it while watching the risk, and ship it
with a signed, enforced license.

The public API lives here; everything else is private unless documented. Start with
:func:`profile` on a pandas or polars frame, or on the embedded example data in
:mod:`anonlab.datasets`.
"""

from typing import Any as _Any

from anonlab import datasets, licensing, risk, text, transforms
from anonlab._version import __version__
from anonlab.bundle import (
    AuditLog,
    Bundle,
    Keyring,
    PublicKey,
    SigningKey,
    VerificationResult,
    export,
    generate_keypair,
    load_private_key,
    load_public_key,
    verify,
)
from anonlab.bundle import open_bundle as open
from anonlab.errors import (
    AccessDeniedError,
    AnonlabError,
    BundleError,
    ColumnNameError,
    ColumnNotFoundError,
    ComplianceError,
    DatasetError,
    EmptyFrameError,
    FrameError,
    HierarchyError,
    LicenseError,
    LookupTableError,
    ParameterError,
    RecipeError,
    SecretKeyError,
    TransformError,
    UnrepresentableColumnError,
    UnsafePathError,
    UnsupportedFrameError,
    VerificationError,
)
from anonlab.hierarchies import Hierarchy
from anonlab.io import read
from anonlab.keys import Key
from anonlab.licensing import License, check_compliance, issue_license
from anonlab.lookup import read_lookup, write_lookup
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
    "AccessDeniedError",
    "AlphaKAnonymity",
    "AnonlabError",
    "AuditLog",
    "BetaLikeness",
    "Bundle",
    "BundleError",
    "ColumnNameError",
    "ColumnNotFoundError",
    "ColumnProfile",
    "ColumnRole",
    "ComplianceError",
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
    "Keyring",
    "Kind",
    "LDiversity",
    "License",
    "LicenseError",
    "LookupTableError",
    "OptimizationResult",
    "ParameterError",
    "PrivacyModel",
    "Profile",
    "PublicKey",
    "Recipe",
    "RecipeError",
    "RiskReport",
    "SecretKeyError",
    "SigningKey",
    "Step",
    "TCloseness",
    "Targets",
    "TransformError",
    "UnrepresentableColumnError",
    "UnsafePathError",
    "UnsupportedFrameError",
    "VerificationError",
    "VerificationResult",
    "__version__",
    "assess_risk",
    "check_compliance",
    "datasets",
    "export",
    "generate_keypair",
    "issue_license",
    "licensing",
    "load_private_key",
    "load_public_key",
    "mondrian",
    "open",
    "optimize",
    "panel",
    "profile",
    "read",
    "read_lookup",
    "risk",
    "suggest_recipe",
    "text",
    "transforms",
    "verify",
    "write_lookup",
]


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext anonlab``: register the ``%anonymize``/``%anonlab`` magics and the
    ``.anonlab`` accessors on pandas and polars frames (IPython is imported only here)."""
    from anonlab.jupyter import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: object) -> None:
    """``%unload_ext anonlab``: remove the magics."""
    from anonlab.jupyter import unload_ipython_extension as unload

    unload(ipython)


def panel(frame: object, **kwargs: _Any) -> object:
    """The interactive notebook panel over ``frame``: Profile, Transform, Risk, Code and
    Export tabs, all live over one recipe (see :func:`anonlab.jupyter.panel.panel`)."""
    from anonlab.jupyter.panel import panel as make_panel

    return make_panel(frame, **kwargs)
