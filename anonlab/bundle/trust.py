"""The recipient's keyring: the licensors' public keys they trust.

A bundle carries the public key it was signed with, so a bundle that was changed and re-signed
with another key is still self-consistent. Only a key the recipient trusts says who signed it:
:func:`anonlab.open` refuses a bundle whose signer is not trusted, unless the caller accepts an
untrusted signature explicitly (``accept_untrusted=True``, ``--accept-untrusted``; logged and
printed). A key is trusted when it is passed (``public_key=``, ``--public-key``) or when it is in
the keyring, so a recipient adds each licensor's key once::

    anonlab trust add general-hospital.pub --name "General Hospital"
    anonlab trust list
    anonlab trust remove "General Hospital"

Where the keyring lives: ``$ANONLAB_KEYRING`` when set, else
``$XDG_CONFIG_HOME/anonlab/trusted_keys`` (``~/.config/anonlab/trusted_keys``). It is a text file,
one key a line, ``#`` comments allowed::

    ed25519:1f0c…(32 hex digits) <base64 of the 32 raw key bytes> General Hospital

The fingerprint must match the key (a line edited by hand to pair a name with another key is an
error, not a silent trust), the base64 is canonical, and the file may not be writable by the
group or others (whoever can write it decides whom you trust). It holds public keys only: never
a secret.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anonlab._files import write_atomic
from anonlab.bundle.signing import PublicKey, b64decode_strict, load_public_key
from anonlab.errors import BundleError, ParameterError

__all__ = [
    "KEYRING_ENV",
    "MAX_KEYRING_BYTES",
    "Keyring",
    "TrustedKey",
    "UntrustedSignatureWarning",
    "default_keyring_path",
]

KEYRING_ENV = "ANONLAB_KEYRING"
"""The environment variable naming the keyring file."""

MAX_KEYRING_BYTES = 1 << 20
"""A keyring larger than this (1 MiB, some 10,000 keys) is refused unread."""

_FINGERPRINT = re.compile(r"ed25519:[0-9a-f]{32}")
_HEADER = (
    "# anonlab trusted licensor keys: one 'fingerprint base64-key name' a line.\n"
    "# Edit with `anonlab trust add/list/remove`; it holds public keys only.\n"
)


class UntrustedSignatureWarning(UserWarning):
    """A bundle was opened although its signer is not trusted (``accept_untrusted=True``)."""


def default_keyring_path() -> Path:
    """``$ANONLAB_KEYRING``, else ``$XDG_CONFIG_HOME/anonlab/trusted_keys`` (default
    ``~/.config/anonlab/trusted_keys``)."""
    named = os.environ.get(KEYRING_ENV)
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or "~/.config"
    return Path(base).expanduser() / "anonlab" / "trusted_keys"


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ParameterError("The name of a trusted key must be a non-empty str.")
    clean = name.strip()
    if len(clean) > 200 or any(not c.isprintable() for c in clean):
        raise ParameterError(
            "The name of a trusted key must be at most 200 printable characters on one line."
        )
    if _FINGERPRINT.fullmatch(clean):
        raise ParameterError("The name of a trusted key cannot be a fingerprint.")
    return clean


@dataclass(frozen=True)
class TrustedKey:
    """One key of the keyring.

    Attributes
    ----------
    key : PublicKey
    name : str
        Who the key belongs to, as the recipient named it.
    """

    key: PublicKey
    name: str

    @property
    def fingerprint(self) -> str:
        """The key's fingerprint (``ed25519:`` and 32 hex digits)."""
        return self.key.fingerprint

    def line(self) -> str:
        """The keyring line of this key."""
        return f"{self.fingerprint} {self.key.base64} {self.name}"


class Keyring:
    """The keys a recipient trusts, in a small text file.

    Parameters
    ----------
    path : path-like, optional
        The keyring file (default :func:`default_keyring_path`). A missing file is an empty
        keyring; it is created by the first :meth:`add`.

    Examples
    --------
    >>> ring = Keyring("trusted_keys")
    >>> ring.add("general-hospital.pub", name="General Hospital").fingerprint  # doctest: +SKIP
    'ed25519:…'
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        if path is not None and not isinstance(path, str | os.PathLike):
            raise ParameterError(
                f"The keyring must be a path or an anonlab Keyring. Got a {type(path).__name__}."
            )
        self._path = Path(path).expanduser() if path is not None else default_keyring_path()

    @classmethod
    def of(cls, keyring: Keyring | str | os.PathLike[str] | None) -> Keyring:
        """``keyring`` itself, the keyring at that path, or the default one (None)."""
        return keyring if isinstance(keyring, Keyring) else cls(keyring)

    @property
    def path(self) -> Path:
        """The keyring file."""
        return self._path

    # -- reading ----------------------------------------------------------------------------------
    def _read(self) -> str:
        shown = repr(str(self._path))
        try:
            fd = os.open(self._path, os.O_RDONLY)
        except FileNotFoundError:
            return ""
        except OSError as exc:
            raise BundleError(f"Cannot read the keyring {shown}: {exc.strerror}.") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise BundleError(f"The keyring {shown} is not a plain file.")
            if os.name == "posix" and info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                raise BundleError(
                    f"The keyring {shown} is writable by other users, who could make you trust "
                    f"their keys; it is not used. Run: chmod go-w {self._path}"
                )
            with os.fdopen(os.dup(fd), "rb") as fh:
                raw = fh.read(MAX_KEYRING_BYTES + 1)
        finally:
            os.close(fd)
        if len(raw) > MAX_KEYRING_BYTES:
            raise BundleError(
                f"The keyring {shown} is larger than {MAX_KEYRING_BYTES:,} bytes; it is not read."
            )
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BundleError(
                f"The keyring {shown} is not UTF-8 text (byte {exc.start})."
            ) from None

    def keys(self) -> tuple[TrustedKey, ...]:
        """Every trusted key, in file order.

        Raises
        ------
        BundleError
            The file cannot be read, is writable by others, too large, or a line is malformed
            (the message names the line; a key's fingerprint that does not match it is refused).
        """
        out: list[TrustedKey] = []
        seen: set[str] = set()
        for number, line in enumerate(self._read().splitlines(), 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            out.append(self._parse(text, number, seen))
        return tuple(out)

    def _parse(self, text: str, number: int, seen: set[str]) -> TrustedKey:
        where = f"Line {number} of the keyring {str(self._path)!r}"
        parts = text.split(None, 2)
        if len(parts) != 3 or not _FINGERPRINT.fullmatch(parts[0]):
            raise BundleError(f"{where} is not 'ed25519:<32 hex digits> <base64 key> <name>'.")
        fp, encoded, name = parts
        try:
            key = PublicKey(b64decode_strict(encoded))
        except (ValueError, TypeError):
            raise BundleError(
                f"{where}: the key is not the canonical base64 of 32 bytes."
            ) from None
        if key.fingerprint != fp:
            raise BundleError(
                f"{where}: the fingerprint {fp} is not that of the key on the line "
                f"({key.fingerprint}); the line was edited. Remove it and add the key again."
            )
        try:
            name = _check_name(name)
        except ParameterError as exc:
            raise BundleError(f"{where}: {exc}") from None
        if fp in seen:
            raise BundleError(f"{where} repeats the key {fp}.")
        seen.add(fp)
        return TrustedKey(key, name)

    def find(self, fingerprint: str) -> TrustedKey | None:
        """The trusted key with this fingerprint, or None."""
        for entry in self.keys():
            if entry.fingerprint == fingerprint:
                return entry
        return None

    def __iter__(self) -> Iterator[TrustedKey]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            return self.find(key) is not None
        if isinstance(key, PublicKey):
            return self.find(key.fingerprint) is not None
        return False

    # -- writing ----------------------------------------------------------------------------------
    def _write(self, entries: list[TrustedKey]) -> None:
        text = _HEADER + "".join(f"{e.line()}\n" for e in entries)
        try:
            write_atomic(self._path, text.encode("utf-8"), mode=0o644)
        except OSError as exc:
            raise BundleError(
                f"Cannot write the keyring {str(self._path)!r}: {exc.strerror}."
            ) from None

    def add(self, key: Any, *, name: str | None = None) -> TrustedKey:
        """Trust a licensor's public key.

        Parameters
        ----------
        key : path, "file:PATH", "env:NAME", PublicKey
            The public key (a file holding a private key is refused).
        name : str, optional
            Who it belongs to (default: the key file's name without its extension, or
            ``"licensor"``).

        Returns
        -------
        TrustedKey
            The entry (the existing one when the key is already trusted).

        Raises
        ------
        ParameterError
            Another key already has this name.
        SecretKeyError
            The key cannot be read, or is not an Ed25519 public key.
        """
        public = load_public_key(key)
        if name is None:
            given = key[5:] if isinstance(key, str) and key.startswith("file:") else key
            stem = (
                Path(given).stem
                if isinstance(given, str | os.PathLike) and not str(given).startswith("env:")
                else ""
            )
            name = stem or "licensor"
        name = _check_name(name)
        entries = list(self.keys())
        for entry in entries:
            if entry.key == public:
                return entry
            if entry.name == name:
                raise ParameterError(
                    f"The keyring already has a key named {name!r} ({entry.fingerprint}). "
                    "Choose another name, or remove that key first."
                )
        added = TrustedKey(public, name)
        self._write([*entries, added])
        return added

    def remove(self, which: str) -> TrustedKey:
        """Stop trusting a key, given by its fingerprint or its name; returns the entry removed.

        Raises
        ------
        ParameterError
            No key has that fingerprint or name.
        """
        if not isinstance(which, str) or not which.strip():
            raise ParameterError("Name the key to remove by its fingerprint or its name.")
        entries = list(self.keys())
        for i, entry in enumerate(entries):
            if which.strip() in (entry.fingerprint, entry.name):
                self._write(entries[:i] + entries[i + 1 :])
                return entry
        from anonlab.keys import looks_like_key_material, shown_reference

        shown = (
            repr("".join(c if c.isprintable() else "?" for c in which)[:80])
            if not looks_like_key_material(which)
            else shown_reference(which)
        )
        raise ParameterError(
            f"No trusted key has the fingerprint or name {shown} in {str(self._path)!r}; "
            "`anonlab trust list` shows them."
        )

    def __repr__(self) -> str:
        return f"Keyring({str(self._path)!r})"
