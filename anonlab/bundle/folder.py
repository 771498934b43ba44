"""The :class:`Bundle` that :func:`anonlab.export` returns: where it is and what it holds."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anonlab.bundle.verify import VerificationResult

__all__ = ["Bundle"]


@dataclass(frozen=True, eq=False)
class Bundle:
    """A signed bundle folder.

    Attributes
    ----------
    path : Path
        The bundle folder.
    license : License
        The license in it, bound to its data.
    manifest : mapping
        The signed manifest (files with SHA-256 and size, license id, signing key).
    files : tuple of str
        Every file in the folder, ``manifest.json`` and ``signature`` included.
    """

    path: Path
    license: Any
    manifest: Mapping[str, Any] = field(repr=False)
    files: tuple[str, ...]

    @property
    def key_fingerprint(self) -> str:
        """The fingerprint of the key that signed the bundle."""
        return str(self.manifest["signing_key"]["fingerprint"])

    @property
    def audit_log_path(self) -> Path:
        """The default audit log of the bundle (``<bundle>.audit.jsonl`` beside it)."""
        from anonlab.bundle.layout import audit_path_for

        return audit_path_for(self.path)

    def verify(self, public_key: Any = None) -> VerificationResult:
        """:func:`anonlab.verify` on this bundle."""
        from anonlab.bundle.verify import verify

        return verify(self.path, public_key=public_key)

    def open(self, **kwargs: Any) -> Any:
        """:func:`anonlab.open` on this bundle (``purpose=``, ``role=``, ``user=`` required)."""
        from anonlab.bundle.access import open_bundle

        return open_bundle(self.path, **kwargs)

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def __repr__(self) -> str:
        lic = self.license
        return (f"Bundle({str(self.path)!r}, license={lic.id}, template={lic.template!r}, "
                f"files={len(self.files)}, signed by {self.key_fingerprint})")

    def _repr_html_(self) -> str:
        lic = self.license
        size = sum(int(f["bytes"]) for f in self.manifest["files"])
        status = (lic.anonymization or {}).get("claimed_status", "")
        rows = [
            ("folder", str(self.path)),
            ("license", f"{lic.id} ({lic.template})"),
            ("licensees", ", ".join(p.name for p in lic.licensees)),
            ("valid", f"{lic.valid_from:%Y-%m-%d} to {lic.valid_until:%Y-%m-%d}"),
            ("purposes", ", ".join(lic.purposes)),
            ("status", str(status)),
            ("files", f"{len(self.files)} ({size:,} bytes signed)"),
            ("signed by", self.key_fingerprint),
        ]
        body = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th>"
                       f"<td style='text-align:left'>{escape(v)}</td></tr>" for k, v in rows)
        return f"<div><b>anonlab bundle</b><table>{body}</table></div>"
