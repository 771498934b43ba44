"""The public surface: what `import anonlab` offers, pinned so a change to it is deliberate."""

from __future__ import annotations

import subprocess
import sys

import anonlab

EXPECTED = [
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


def test_all_is_pinned_and_sorted() -> None:
    assert anonlab.__all__ == EXPECTED
    assert anonlab.__all__ == sorted(anonlab.__all__)


def test_every_name_in_all_exists() -> None:
    for name in anonlab.__all__:
        assert getattr(anonlab, name) is not None


def test_datasets_surface() -> None:
    assert anonlab.datasets.__all__ == sorted(anonlab.datasets.__all__)
    assert {"patients", "adult", "adult_hierarchies"} <= set(anonlab.datasets.__all__)


def test_public_functions_have_docstrings() -> None:
    for name in anonlab.__all__:
        obj = getattr(anonlab, name)
        if callable(obj):
            assert obj.__doc__, f"anonlab.{name} has no docstring"


def test_ships_py_typed() -> None:
    from importlib.resources import files

    assert files("anonlab").joinpath("py.typed").is_file()


def test_core_does_not_load_notebook_libraries() -> None:
    """The core never imports IPython, ipywidgets or matplotlib (they are optional extras)."""
    code = (
        "import sys, anonlab; anonlab.profile(anonlab.datasets.patients(20)); "
        "bad = sorted(m for m in ('IPython', 'ipywidgets', 'matplotlib') if m in sys.modules); "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
