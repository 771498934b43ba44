"""Secret keys for keyed hashing and pseudonyms, always given by reference.

A recipe never holds a key. A step names where its key comes from:

``"env:NAME"``
    the environment variable ``NAME`` (its text, UTF-8 encoded);
``"file:PATH"``
    the bytes of the file at ``PATH`` (trailing whitespace and newlines stripped);
a :class:`Key` object
    a key held in memory, for notebooks and tests. A recipe that uses one cannot be written to a
    file: there is nothing to reference.

A key must have at least :data:`KEY_MIN_BYTES` bytes. Error messages name where a key was looked
for, never the key; a :class:`Key`'s ``repr`` shows only a fingerprint, and it refuses to be
pickled so it does not end up in a saved notebook or cache.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Any, NoReturn

from anonlab._files import KEY_MAX_BYTES, read_bounded
from anonlab.errors import ParameterError, SecretKeyError

__all__ = ["KEY_MIN_BYTES", "Key", "KeyRef", "check_key_ref", "describe_key_ref", "resolve_key"]

KEY_MIN_BYTES = 16
"""Shortest key accepted: 128 bits."""

_HOWTO = (
    "Use a random secret of at least 32 bytes, e.g. "
    "python -c 'import secrets; print(secrets.token_hex(32))'."
)


class Key:
    """A secret key held in memory.

    Parameters
    ----------
    secret : bytes or str
        The key (a str is UTF-8 encoded). At least 16 bytes.

    Examples
    --------
    >>> key = Key.generate()
    >>> repr(key).startswith("Key(fingerprint=")
    True
    """

    __slots__ = ("_secret",)

    def __init__(self, secret: bytes | str) -> None:
        raw = secret.encode() if isinstance(secret, str) else secret
        if not isinstance(raw, bytes):
            raise ParameterError(
                f"The 'secret' parameter of Key must be bytes or str. Got a "
                f"{type(secret).__name__} instead."
            )
        if len(raw) < KEY_MIN_BYTES:
            raise SecretKeyError(
                f"The key has {len(raw)} bytes; a key needs at least {KEY_MIN_BYTES}. {_HOWTO}"
            )
        self._secret = raw

    @classmethod
    def generate(cls, nbytes: int = 32) -> Key:
        """A new random key of ``nbytes`` bytes from the operating system's secure source."""
        return cls(secrets.token_bytes(max(nbytes, KEY_MIN_BYTES)))

    def secret(self) -> bytes:
        """The key's bytes (a method, so that reading the secret is a deliberate act)."""
        return self._secret

    @property
    def fingerprint(self) -> str:
        """16 hex digits that tell keys apart without revealing them."""
        return fingerprint(self._secret)

    def __repr__(self) -> str:
        return f"Key(fingerprint={self.fingerprint!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and secrets.compare_digest(self._secret, other._secret)

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            "anonlab Key objects cannot be pickled: that would write the secret to disk. "
            "Reference the key with 'env:NAME' or 'file:PATH' instead."
        )


KeyRef = str | Key
"""A key reference: ``"env:NAME"``, ``"file:PATH"`` or a :class:`Key`."""


def fingerprint(secret: bytes) -> str:
    """A short, one-way identifier of a key."""
    return hashlib.sha256(b"anonlab key fingerprint\x00" + secret).hexdigest()[:16]


def check_key_ref(ref: Any, owner: str, name: str = "key") -> KeyRef:
    """Check the syntax of a key reference (without reading the key) and return it."""
    if isinstance(ref, Key):
        return ref
    if isinstance(ref, str) and (
        (ref.startswith("env:") and len(ref) > 4) or (ref.startswith("file:") and len(ref) > 5)
    ):
        return ref
    shown = "a str" if isinstance(ref, str) else type(ref).__name__
    raise ParameterError(
        f"The {name!r} parameter of {owner} must be a reference 'env:NAME', 'file:PATH' or an "
        f"anonlab.Key. Got {shown} instead (a key itself is never written into a step)."
    )


def describe_key_ref(ref: KeyRef) -> str:
    """Where a key comes from, for messages (never the key)."""
    if isinstance(ref, Key):
        return f"an in-memory Key (fingerprint {ref.fingerprint})"
    return repr(ref)


def resolve_key(ref: KeyRef) -> bytes:
    """Read the key a reference points at.

    Raises
    ------
    SecretKeyError
        The variable is unset, the file is missing, or the key is shorter than 16 bytes.
    """
    if isinstance(ref, Key):
        return ref.secret()
    if ref.startswith("env:"):
        var = ref[4:]
        value = os.environ.get(var)
        if value is None or value == "":
            raise SecretKeyError(
                f"The environment variable {var!r} (key={ref!r}) is not set. Set it to a secret "
                f"key before applying the recipe. {_HOWTO}"
            )
        # os.environ holds undecodable bytes as surrogate escapes; take the bytes as they are
        raw = os.fsencode(value)
        where = f"the environment variable {var!r}"
    else:
        path = Path(ref[5:]).expanduser()
        try:
            raw = read_bounded(path, KEY_MAX_BYTES, "key file", SecretKeyError,
                               shown="of the 'file:' key reference").rstrip()
        except FileNotFoundError:
            raise SecretKeyError(
                f"The key file {str(path)!r} (key={ref!r}) does not exist."
            ) from None
        except OSError as exc:
            raise SecretKeyError(
                f"The key file {str(path)!r} cannot be read: {exc.strerror}."
            ) from None
        where = f"the key file {str(path)!r}"
    if len(raw) < KEY_MIN_BYTES:
        raise SecretKeyError(
            f"The key in {where} has {len(raw)} bytes; a key needs at least {KEY_MIN_BYTES}. "
            f"{_HOWTO}"
        )
    return raw
