"""Ed25519 signing keys for bundles, given by reference and never leaked.

A bundle's manifest is signed with an Ed25519 private key (RFC 8032) and checked with the
matching public key. Keys are given the way hash keys are (:mod:`anonlab.keys`):

``"env:NAME"``
    the environment variable ``NAME``: PEM text, or the base64 of the raw 32 key bytes;
``"file:PATH"``, a plain path or a :class:`os.PathLike`
    a file holding the same (PEM as written by :func:`generate_keypair` or OpenSSL, an OpenSSH
    key, or base64 of the raw 32 bytes);
a key object
    a :class:`SigningKey` / :class:`PublicKey`, or a ``cryptography`` Ed25519 key.

A :class:`SigningKey`'s ``repr`` shows only the fingerprint of its public key, it refuses to be
pickled, and error messages name where a key was looked for, never its bytes. The fingerprint of
a public key is ``"ed25519:"`` followed by the hex of the first 16 bytes of the SHA-256 of its
raw 32 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, NoReturn

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from anonlab._files import PEM_MAX_BYTES, read_bounded
from anonlab.errors import ParameterError, SecretKeyError
from anonlab.keys import (
    _env_name_shown,
    _not_a_variable,
    _path_shown,
    _strong_key_material,
    shown_reference,
)

__all__ = [
    "ALGORITHM",
    "PublicKey",
    "SigningKey",
    "fingerprint",
    "generate_keypair",
    "load_private_key",
    "load_public_key",
]

ALGORITHM = "ed25519"
"""The signature algorithm of every bundle."""

_HOWTO = "Create a key pair with anonlab.generate_keypair(prefix) or `anonlab keygen PREFIX`."


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _fingerprint_raw(raw: bytes) -> str:
    return f"{ALGORITHM}:{hashlib.sha256(raw).digest()[:16].hex()}"


class PublicKey:
    """An Ed25519 public key (not secret): checks signatures, names itself by fingerprint.

    Parameters
    ----------
    raw : bytes
        The 32 raw bytes of the key.
    """

    __slots__ = ("_key", "_raw")

    def __init__(self, raw: bytes) -> None:
        if not isinstance(raw, bytes) or len(raw) != 32:
            raise ParameterError("An Ed25519 public key is 32 raw bytes.")
        self._raw = raw
        self._key = Ed25519PublicKey.from_public_bytes(raw)

    @property
    def raw(self) -> bytes:
        """The 32 raw bytes."""
        return self._raw

    @property
    def base64(self) -> str:
        """The raw bytes in base64 (as stored in a manifest)."""
        return base64.b64encode(self._raw).decode("ascii")

    @property
    def fingerprint(self) -> str:
        """``"ed25519:"`` and 32 hex digits."""
        return _fingerprint_raw(self._raw)

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Whether ``signature`` is this key's signature of ``data``."""
        try:
            self._key.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def to_pem(self) -> bytes:
        """The key as a PEM ``PUBLIC KEY`` block (SubjectPublicKeyInfo)."""
        return self._key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def __repr__(self) -> str:
        return f"PublicKey(fingerprint={self.fingerprint!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicKey) and other._raw == self._raw

    def __hash__(self) -> int:
        return hash(self._raw)


class SigningKey:
    """An Ed25519 private key held in memory.

    Its ``repr`` shows only its public fingerprint; it cannot be pickled (that would write the
    key to a notebook checkpoint or a cache).

    Examples
    --------
    >>> key = SigningKey.generate()
    >>> repr(key).startswith("SigningKey(fingerprint='ed25519:")
    True
    """

    __slots__ = ("_key", "_public")

    def __init__(self, key: Ed25519PrivateKey) -> None:
        if not isinstance(key, Ed25519PrivateKey):
            raise ParameterError(
                f"SigningKey wraps a cryptography Ed25519PrivateKey. Got a "
                f"{type(key).__name__} instead. {_HOWTO}"
            )
        self._key = key
        self._public = PublicKey(_raw_public(key.public_key()))

    @classmethod
    def generate(cls) -> SigningKey:
        """A new random key."""
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> PublicKey:
        """The matching public key (safe to share)."""
        return self._public

    @property
    def fingerprint(self) -> str:
        """The public key's fingerprint."""
        return self._public.fingerprint

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``data``."""
        return self._key.sign(data)

    def _private_pem(self, password: bytes | None = None) -> bytes:
        """PKCS#8 PEM (for :func:`generate_keypair`; reading it is a deliberate act)."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.NoEncryption() if password is None
            else serialization.BestAvailableEncryption(password)
        )
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def __repr__(self) -> str:
        return f"SigningKey(fingerprint={self.fingerprint!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SigningKey) and other._public == self._public

    def __hash__(self) -> int:
        return hash(self._public)

    def __reduce__(self) -> NoReturn:
        raise TypeError(
            "anonlab SigningKey objects cannot be pickled: that would write the private key to "
            "disk. Reference the key with 'env:NAME' or 'file:PATH' instead."
        )


def fingerprint(public_key: PublicKey | SigningKey | Ed25519PublicKey | bytes) -> str:
    """``"ed25519:<hex of the first 16 bytes of sha256(raw public key)>"``.

    Parameters
    ----------
    public_key : PublicKey, SigningKey, cryptography Ed25519PublicKey or 32 raw bytes
        A :class:`SigningKey` gives its public key's fingerprint.
    """
    if isinstance(public_key, PublicKey | SigningKey):
        return public_key.fingerprint
    if isinstance(public_key, Ed25519PublicKey):
        return _fingerprint_raw(_raw_public(public_key))
    if isinstance(public_key, bytes) and len(public_key) == 32:
        return _fingerprint_raw(public_key)
    raise ParameterError(
        "fingerprint takes an Ed25519 public key (anonlab PublicKey, SigningKey, a cryptography "
        f"Ed25519PublicKey or its 32 raw bytes). Got a {type(public_key).__name__}."
    )


# --------------------------------------------------------------------------- reading references


def _read_ref(ref: str | os.PathLike[str], owner: str) -> tuple[bytes, str]:
    """The bytes a reference points at, and a description of where (never the bytes).

    Text that looks like the key itself, given as a variable name or a path, is never shown
    (:func:`anonlab.keys.shown_reference`): PEM or OpenSSH text, or text with line breaks, is
    refused before anything is read.
    """
    if isinstance(ref, str) and ref.startswith("env:"):
        var = ref[4:]
        if not var:
            raise ParameterError(f"The key reference of {owner} 'env:' names no variable.")
        name = _env_name_shown(var)
        if name is None:
            raise ParameterError(_not_a_variable(ref, owner))
        value = os.environ.get(var)
        if not value:
            raise SecretKeyError(
                f"The environment variable {name} (key={ref!r}) is not set. {_HOWTO}"
            )
        raw = os.fsencode(value)
        if b"-----BEGIN" in raw and b"\n" not in raw and b"\\n" in raw:
            raw = raw.replace(b"\\n", b"\n")  # PEM pasted into a one-line variable
        return raw, f"the environment variable {name}"
    if isinstance(ref, str):
        text = ref[5:] if ref.startswith("file:") else ref
        if not text:
            raise ParameterError(f"The key reference of {owner} names no file.")
        if _strong_key_material(text):
            # never echo it: the caller passed the key itself where a reference belongs
            raise ParameterError(
                f"The key reference of {owner} looks like key material, not a path: pass the "
                "path of the key file, 'file:PATH' or 'env:NAME' (its text is not shown)."
            )
        path = Path(text).expanduser()
    elif isinstance(ref, os.PathLike):
        path = Path(ref)
        text = str(path)
    else:
        raise ParameterError(
            f"The key of {owner} must be a path, 'file:PATH', 'env:NAME' or a key object. Got a "
            f"{type(ref).__name__} instead (raw key bytes are never passed directly)."
        )
    shown = _path_shown(text)
    where = (f"the key file {shown}" if shown is not None
             else f"the key file named by {shown_reference(text)}")
    try:
        return read_bounded(path, PEM_MAX_BYTES, "key file", SecretKeyError,
                            shown=shown), where
    except FileNotFoundError:
        hint = "" if shown is not None else (
            " If that text is the key itself, write it to a file and pass its path.")
        raise SecretKeyError(f"{_cap(where)} does not exist.{hint} {_HOWTO}") from None
    except (OSError, ValueError) as exc:  # ValueError: an embedded NUL
        reason = getattr(exc, "strerror", None) or "not a usable path"
        raise SecretKeyError(f"{_cap(where)} cannot be read: {reason}.") from None


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def b64decode_strict(text: str | bytes) -> bytes:
    """Decode standard base64 strictly: only the alphabet, correct padding, and the unused bits
    of the last character zero, so that each byte string has exactly one accepted encoding.

    ``base64.b64decode(validate=True)`` alone accepts ``...Q=`` and ``...R=`` for the same bytes
    (it ignores the padding bits), which lets a signature or key be altered without changing
    what it decodes to; the decoded bytes are therefore re-encoded and compared.

    Raises
    ------
    ValueError
        The text is not the canonical base64 of any bytes.
    """
    if isinstance(text, str):
        try:
            data = text.encode("ascii")
        except UnicodeEncodeError:
            raise ValueError("not ASCII") from None
    elif isinstance(text, bytes):
        data = text
    else:
        raise ValueError(f"a {type(text).__name__}, not base64 text")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    if base64.b64encode(raw) != data:
        raise ValueError("not canonical base64 (padding bits set, or padding missing)")
    return raw


def _raw32(data: bytes) -> bytes | None:
    try:
        raw = b64decode_strict(data.strip())
    except ValueError:
        return None
    return raw if len(raw) == 32 else None


def _not_ed25519(obj: Any, where: str) -> SecretKeyError:
    return SecretKeyError(
        f"{_cap(where)} holds a {type(obj).__name__.removeprefix('_')} key; bundles are "
        f"signed with Ed25519. {_HOWTO}"
    )


def load_private_key(
    ref: str | os.PathLike[str] | SigningKey | Ed25519PrivateKey,
    *,
    password: bytes | str | None = None,
) -> SigningKey:
    """Load an Ed25519 private key from a reference.

    Parameters
    ----------
    ref : str, path-like, SigningKey or cryptography Ed25519PrivateKey
        ``"env:NAME"``, ``"file:PATH"``, a plain path, or a key object.
    password : bytes or str, optional
        The passphrase of an encrypted PEM file.

    Raises
    ------
    SecretKeyError
        The variable is unset, the file is missing or unreadable, or it does not hold an
        unencrypted (or correctly decrypted) Ed25519 private key. The message names where the key
        was looked for, never the key.
    """
    if isinstance(ref, SigningKey):
        return ref
    if isinstance(ref, Ed25519PrivateKey):
        return SigningKey(ref)
    if isinstance(ref, PublicKey | Ed25519PublicKey):
        raise SecretKeyError(
            "A public key was given where the private signing key is needed. " + _HOWTO
        )
    data, where = _read_ref(ref, "load_private_key")
    secret = password.encode() if isinstance(password, str) else password
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        if b"PRIVATE KEY-----" not in text.split(b"\n", 1)[0]:
            raise SecretKeyError(
                f"{_cap(where)} holds a public key (or another PEM block), not a private "
                f"key: sign with the .key file, verify with the .pub file."
            )
        if b"ENCRYPTED" in text.split(b"\n", 1)[0] and secret is None:
            raise SecretKeyError(
                f"{_cap(where)} holds an encrypted private key; pass password=."
            )
        try:
            if b"OPENSSH PRIVATE KEY" in text:
                key: Any = serialization.load_ssh_private_key(text, password=secret)
            else:
                key = serialization.load_pem_private_key(text, password=secret)
        except (ValueError, TypeError):
            raise SecretKeyError(
                f"{_cap(where)} is not a readable private key (bad PEM, or a wrong "
                f"password). {_HOWTO}"
            ) from None
        except Exception:  # cryptography's UnsupportedAlgorithm and friends
            raise SecretKeyError(
                f"{_cap(where)} holds a key type this anonlab cannot read. {_HOWTO}"
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise _not_ed25519(key, where)
        return SigningKey(key)
    raw = _raw32(text)
    if raw is None:
        raise SecretKeyError(
            f"{_cap(where)} holds neither a PEM private key nor the base64 of 32 raw "
            f"Ed25519 key bytes. {_HOWTO}"
        )
    return SigningKey(Ed25519PrivateKey.from_private_bytes(raw))


def load_public_key(
    ref: str | os.PathLike[str] | PublicKey | SigningKey | Ed25519PublicKey,
) -> PublicKey:
    """Load an Ed25519 public key from a reference.

    Parameters
    ----------
    ref : str, path-like, PublicKey, SigningKey or cryptography Ed25519PublicKey
        ``"env:NAME"``, ``"file:PATH"``, a plain path (PEM ``PUBLIC KEY``, an OpenSSH
        ``ssh-ed25519`` line, or base64 of the raw 32 bytes), or a key object (a
        :class:`SigningKey` gives its public half).

    Raises
    ------
    SecretKeyError
        The reference cannot be read or does not hold an Ed25519 public key. A file holding a
        *private* key is refused: the verifier should never need it.
    """
    if isinstance(ref, PublicKey):
        return ref
    if isinstance(ref, SigningKey):
        return ref.public_key
    if isinstance(ref, Ed25519PublicKey):
        return PublicKey(_raw_public(ref))
    if isinstance(ref, Ed25519PrivateKey):
        return PublicKey(_raw_public(ref.public_key()))
    data, where = _read_ref(ref, "load_public_key")
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        if b"PRIVATE KEY" in text.split(b"\n", 1)[0]:
            raise SecretKeyError(
                f"{_cap(where)} holds a private key. Verify with the public key (the .pub "
                "file) and keep the private key with the signer."
            )
        try:
            key: Any = serialization.load_pem_public_key(text)
        except ValueError:
            raise SecretKeyError(
                f"{_cap(where)} is not a readable PEM public key.") from None
        except Exception:
            raise SecretKeyError(
                f"{_cap(where)} holds a key type this anonlab cannot read."
            ) from None
    elif text.startswith(b"ssh-"):
        try:
            key = serialization.load_ssh_public_key(text)
        except Exception:  # ValueError, UnsupportedAlgorithm
            raise SecretKeyError(
                f"{_cap(where)} is not a readable OpenSSH public key.") from None
    else:
        raw = _raw32(text)
        if raw is None:
            raise SecretKeyError(
                f"{_cap(where)} holds neither a PEM public key nor the base64 of 32 raw "
                "Ed25519 key bytes."
            )
        return PublicKey(raw)
    if not isinstance(key, Ed25519PublicKey):
        raise _not_ed25519(key, where)
    return PublicKey(_raw_public(key))


# --------------------------------------------------------------------------- writing key files


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to a new file ``path`` with ``mode``: complete or absent, never replacing.

    The bytes go to a private temporary file in the same folder, which is then hard-linked to
    ``path`` (a link never replaces an existing file). Where hard links are not supported, the
    file is created exclusively (``O_EXCL``) and written in place.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links here (some network and FUSE file systems)
            out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(out, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    finally:
        Path(tmp).unlink(missing_ok=True)


def generate_keypair(
    path_prefix: str | os.PathLike[str], *, password: bytes | str | None = None
) -> tuple[Path, Path]:
    """Create a new Ed25519 key pair as ``<prefix>.key`` (private) and ``<prefix>.pub``.

    The private file is PKCS#8 PEM with mode 0600 (encrypted when ``password`` is given), the
    public file PEM with mode 0644. Each is written atomically; existing files are never
    overwritten.

    Parameters
    ----------
    path_prefix : str or path-like
        ``"keys/licensor"`` writes ``keys/licensor.key`` and ``keys/licensor.pub``.
    password : bytes or str, optional
        Encrypt the private key with this passphrase.

    Returns
    -------
    (private_path, public_path)

    Raises
    ------
    ParameterError
        Either file already exists (nothing is written).
    """
    prefix = Path(path_prefix).expanduser()
    if not prefix.name:
        raise ParameterError("generate_keypair needs a file name prefix, e.g. 'keys/licensor'.")
    private_path = prefix.with_name(prefix.name + ".key")
    public_path = prefix.with_name(prefix.name + ".pub")
    for p in (private_path, public_path):
        if p.exists() or p.is_symlink():
            raise ParameterError(
                f"{str(p)!r} already exists; generate_keypair never overwrites a key. Choose "
                "another prefix, or move the old key away first."
            )
    prefix.parent.mkdir(parents=True, exist_ok=True)
    key = SigningKey.generate()
    secret = password.encode() if isinstance(password, str) else password
    try:
        _write_new(private_path, key._private_pem(secret), 0o600)
    except FileExistsError:
        raise ParameterError(f"{str(private_path)!r} appeared while writing; not replaced.") \
            from None
    try:
        _write_new(public_path, key.public_key.to_pem(), 0o644)
    except FileExistsError:
        private_path.unlink(missing_ok=True)
        raise ParameterError(
            f"{str(public_path)!r} appeared while writing; nothing was kept."
        ) from None
    except BaseException:
        private_path.unlink(missing_ok=True)
        raise
    return private_path, public_path
