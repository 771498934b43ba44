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

A common slip is to pass the key itself where its reference belongs: ``env:<the key>`` instead of
``env:NAME``, or ``file:<the key>``. What follows ``env:`` must be a variable name
(``[A-Za-z_][A-Za-z0-9_]*``, and not a run of hex or base64); text given as a variable name or a
path that looks like key material (:func:`looks_like_key_material`: PEM or OpenSSH text, line
breaks, a pass phrase, a run of hex or base64) is never shown, in an error, a ``repr`` or a
license: :func:`shown_reference` puts a fingerprint in its place.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import secrets
from pathlib import Path
from typing import Any, NoReturn

from anonlab._files import KEY_MAX_BYTES, read_bounded
from anonlab.errors import ParameterError, SecretKeyError

__all__ = [
    "KEY_MIN_BYTES",
    "Key",
    "KeyRef",
    "check_key_ref",
    "describe_key_ref",
    "looks_like_key_material",
    "resolve_key",
    "shown_reference",
]

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


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEX_RUN = re.compile(r"[0-9A-Fa-f]{16,}")
_KEY_ALPHABET = re.compile(r"[A-Za-z0-9+/=_-]+")
_STRONG_MARKERS = ("-----BEGIN", "-----END", "PRIVATE KEY", "PUBLIC KEY", "OPENSSH")


def _char_class(c: str) -> int:
    return 0 if c.isupper() else 1 if c.islower() else 2 if c.isdigit() else 3


def _random_looking(text: str) -> bool:
    """A run of hex, or of base64 that mixes cases and digits the way random bytes do (path
    separators aside), rather than the words and numbers of a path or a variable name."""
    for run in _HEX_RUN.findall(text):
        if any(c.isdigit() for c in run) and any(c.isalpha() for c in run):
            return True
    core = text.strip().lstrip("/")
    if len(core) < KEY_MIN_BYTES or not _KEY_ALPHABET.fullmatch(core):
        return False
    if core.endswith("=") or "+" in core:
        return True  # base64 padding or its '+' (paths and variable names rarely hold them)
    letters = [c for c in core if c != "/"]
    if not (any(c.isupper() for c in letters) and any(c.islower() for c in letters)
            and any(c.isdigit() for c in letters)):
        return False
    pairs = [(a, b) for a, b in itertools.pairwise(core) if "/" not in (a, b)]
    changes = sum(_char_class(a) != _char_class(b) for a, b in pairs)
    return bool(pairs) and changes / len(pairs) >= 0.4


def _strong_key_material(text: str) -> bool:
    """Text that is certainly not a name or a path: PEM or OpenSSH text, or control characters."""
    return (any(marker in text for marker in _STRONG_MARKERS)
            or text.startswith(("ssh-ed25519 ", "ssh-rsa ", "ecdsa-sha2-"))
            or any(not c.isprintable() for c in text))


def looks_like_key_material(text: str) -> bool:
    """Whether ``text``, given where a variable name or a file path belongs, may be a key.

    Text shorter than :data:`KEY_MIN_BYTES` bytes cannot be a key anonlab accepts and is never
    key material. Longer text is when it holds PEM or OpenSSH markers, a line break or another
    control character, spaces without a path separator (a pass phrase), or a run of hex or base64
    that looks random.

    Examples
    --------
    >>> looks_like_key_material("ANONLAB_KEY"), looks_like_key_material("keys/licensor.key")
    (False, False)
    >>> looks_like_key_material("3f8a0c1d9e7b6a5f4e3d2c1b0a998877")
    True
    """
    if not isinstance(text, str) or len(text.encode("utf-8", "surrogatepass")) < KEY_MIN_BYTES:
        return False
    if _strong_key_material(text):
        return True
    if " " in text.strip() and "/" not in text and "\\" not in text:
        return True
    return _random_looking(text)


def _hidden(text: str, why: str = "looks like key material") -> str:
    return (f"text of {len(text)} characters that {why} (not shown; fingerprint "
            f"{fingerprint(text.encode('utf-8', 'surrogatepass'))})")


def _env_name_shown(var: str) -> str | None:
    """The variable name for a message, or None when it is not a name and may be a key."""
    if _ENV_NAME.fullmatch(var) and len(var) <= 128 and not looks_like_key_material(var):
        return repr(var)
    return None


def _path_shown(text: str) -> str | None:
    """A path for a message, or None when the text may be a key rather than a path."""
    if looks_like_key_material(text):
        return None
    bare = not any(c in text for c in "/\\.~")
    if bare and len(text.encode("utf-8", "surrogatepass")) >= KEY_MIN_BYTES:
        return None  # a long bare token: as likely a key as a file name
    return repr(text) if len(text) <= 200 else repr(text[:100] + "…")


def shown_reference(ref: str) -> str:
    """A key reference for a message: ``'env:NAME'`` or ``'file:PATH'`` as given, unless what
    follows the prefix may be a key, which is replaced by a description with its fingerprint.

    Examples
    --------
    >>> shown_reference("env:ANONLAB_KEY")
    "'env:ANONLAB_KEY'"
    >>> shown_reference("env:3f8a0c1d9e7b6a5f4e3d2c1b0a998877").startswith("'env:' followed by")
    True
    """
    if ref.startswith("env:"):
        if _env_name_shown(ref[4:]) is not None:
            return repr(ref)
        return f"'env:' followed by {_hidden(ref[4:], 'is not a variable name and may be a key')}"
    if ref.startswith("file:"):
        if _path_shown(ref[5:]) is not None:
            return repr(ref)
        return f"'file:' followed by {_hidden(ref[5:], 'may be a key rather than a path')}"
    shown_path = _path_shown(ref)
    return shown_path if shown_path is not None else _hidden(ref, "may be a key rather than a path")


def _not_a_variable(ref: str, owner: str) -> str:
    return (f"The key reference of {owner} is {shown_reference(ref)}: what follows 'env:' must "
            "be the NAME of an environment variable holding the key, not the key itself. Put "
            "the key in a variable (export NAME=...) and pass 'env:NAME'.")


def _not_a_path(ref: str, owner: str) -> str:
    return (f"The key reference of {owner} is {shown_reference(ref)}: what follows 'file:' "
            "must be the PATH of a file holding the key, not the key itself. Write the key to a "
            "file (mode 0600) and pass 'file:PATH'.")


def _exists(text: str) -> bool:
    try:
        return Path(text).expanduser().exists()
    except (OSError, ValueError):
        return False


def check_key_ref(ref: Any, owner: str, name: str = "key") -> KeyRef:
    """Check the syntax of a key reference (without reading the key) and return it.

    Raises
    ------
    ParameterError
        Not a reference, or a reference holding what looks like the key itself
        (``env:`` not followed by a variable name; ``file:`` followed by PEM text, line breaks,
        or a run of hex or base64 that names no existing file); the message never shows that
        text.
    """
    if isinstance(ref, Key):
        return ref
    if isinstance(ref, str) and ref.startswith("env:") and len(ref) > 4:
        if _env_name_shown(ref[4:]) is None:
            raise ParameterError(_not_a_variable(ref, owner))
        return ref
    if isinstance(ref, str) and ref.startswith("file:") and len(ref) > 5:
        text = ref[5:]
        if _strong_key_material(text) or (
                looks_like_key_material(text) and not _exists(text)):
            # a reference is written into recipes, reprs and licenses: never one holding a key
            raise ParameterError(_not_a_path(ref, owner))
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
    return shown_reference(ref)


def resolve_key(ref: KeyRef) -> bytes:
    """Read the key a reference points at.

    Raises
    ------
    SecretKeyError
        The variable is unset, the file is missing, or the key is shorter than 16 bytes; or the
        reference holds what looks like the key itself (never shown).
    """
    if isinstance(ref, Key):
        return ref.secret()
    if not isinstance(ref, str) or not ref.startswith(("env:", "file:")):
        raise SecretKeyError(
            "A key reference is 'env:NAME', 'file:PATH' or an anonlab.Key (the text given is "
            "not shown).")
    if ref.startswith("env:"):
        var = ref[4:]
        name = _env_name_shown(var)
        if name is None:
            raise SecretKeyError(_not_a_variable(ref, "this step"))
        value = os.environ.get(var)
        if value is None or value == "":
            raise SecretKeyError(
                f"The environment variable {name} (key={ref!r}) is not set. Set it to a secret "
                f"key before applying the recipe. {_HOWTO}"
            )
        # os.environ holds undecodable bytes as surrogate escapes; take the bytes as they are
        raw = os.fsencode(value)
        where = f"the environment variable {name}"
    else:
        text = ref[5:]
        if _strong_key_material(text):
            raise SecretKeyError(_not_a_path(ref, "this step"))
        shown = _path_shown(text)
        where = f"the key file {shown}" if shown is not None else (
            f"the key file named by {_hidden(text, 'may be a key rather than a path')}")
        try:
            label = shown if shown is not None else (
                f"named by {_hidden(text, 'may be a key rather than a path')}")
            raw = read_bounded(Path(text).expanduser(), KEY_MAX_BYTES, "key file",
                               SecretKeyError, shown=label).rstrip()
        except FileNotFoundError:
            hint = "" if shown is not None else (
                " If that text is the key itself, write it to a file and pass 'file:PATH'.")
            raise SecretKeyError(f"{where[:1].upper()}{where[1:]} does not exist.{hint}") \
                from None
        except (OSError, ValueError) as exc:  # ValueError: an embedded NUL
            reason = getattr(exc, "strerror", None) or "not a usable path"
            raise SecretKeyError(
                f"{where[:1].upper()}{where[1:]} cannot be read: {reason}.") from None
    if len(raw) < KEY_MIN_BYTES:
        raise SecretKeyError(
            f"The key in {where} has {len(raw)} bytes; a key needs at least {KEY_MIN_BYTES}. "
            f"{_HOWTO}"
        )
    return raw
