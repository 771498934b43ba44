"""Side tables at rest: a pseudonym lookup table is written encrypted, or not at all.

A :class:`~anonlab.transforms.hashing.Pseudonymize` step with ``lookup=`` produces the table of
every original value beside its token: whoever holds it re-identifies the release. anonlab never
writes such a table as plaintext. :func:`write_lookup` (and ``anonlab apply --lookup-dir DIR
--lookup-key REF``) encrypts it with AES-256-GCM under a key given by reference, exactly like a
hashing key (``"env:NAME"``, ``"file:PATH"`` or an :class:`~anonlab.keys.Key`); without a key it
refuses. :func:`read_lookup` decrypts it.

File format (version 1)
-----------------------
All integers are big-endian::

    offset  size  field
    0       8     magic            b"ANONLKUP"
    8       1     format version   1
    9       2     name length n    the table name's UTF-8 length (1 to 255)
    11      n     table name       UTF-8 (the recipe's ``lookup:`` name)
    11+n    12    nonce            random, from the operating system, new for every file
    23+n    rest  ciphertext       AES-256-GCM of the Parquet bytes of the table, with its
                                   16-byte tag at the end

The associated data is the whole header (magic, version, name length, name: bytes ``0`` to
``11+n``), so the table name and the format version are authenticated with the contents: a file
renamed to another table's name, or edited anywhere, fails to decrypt. The AES key is
``HKDF-SHA256(key, salt=None, info=b"anonlab.lookup.v1", length=32)`` of the referenced key's
bytes, so a key also used for hashing is never used directly as the AES key.

The file is written to a private temporary file beside the target (mode 0600), flushed, and
renamed over the target, so it is never readable by others and never half written. A wrong key
and a tampered file cannot be told apart (GCM authenticates both); either raises
:class:`~anonlab.errors.LookupTableError` naming the file, never the key.
"""

from __future__ import annotations

import io
import os
import secrets
import struct
from pathlib import Path
from typing import Any

import polars as pl

from anonlab._files import read_bounded, write_atomic
from anonlab.errors import LookupTableError, ParameterError, SecretKeyError
from anonlab.keys import KeyRef, check_key_ref, describe_key_ref, resolve_key

__all__ = [
    "FORMAT_VERSION",
    "LOOKUP_MAX_BYTES",
    "MAGIC",
    "read_lookup",
    "write_lookup",
]

MAGIC = b"ANONLKUP"
"""The first 8 bytes of an encrypted lookup table file."""
FORMAT_VERSION = 1
"""The version of the file format this module writes and reads."""
NONCE_BYTES = 12
"""AES-GCM nonce length (96 bits, the recommended size)."""
TAG_BYTES = 16
"""AES-GCM authentication tag length, at the end of the ciphertext."""
LOOKUP_MAX_BYTES = 2**31 - 1 - TAG_BYTES
"""The largest table (its Parquet bytes) written: one AES-GCM call in ``cryptography`` takes at
most ``2**31 - 1`` bytes, the tag included."""
MAX_NAME_BYTES = 255
"""The longest table name, in UTF-8 bytes."""
FILE_MODE = 0o600
"""Owner read and write only."""
_INFO = b"anonlab.lookup.v1"
_HEADER = struct.Struct(">8sBH")
_OWNER = "write_lookup"


def _header(name: str) -> bytes:
    raw = name.encode("utf-8")
    return _HEADER.pack(MAGIC, FORMAT_VERSION, len(raw)) + raw


def _check_name(name: Any, owner: str) -> str:
    if not isinstance(name, str) or not name or len(name.encode("utf-8")) > MAX_NAME_BYTES:
        got = f"a str of {len(name)} characters" if isinstance(name, str) else type(name).__name__
        raise ParameterError(
            f"The 'name' parameter of {owner} must be a table name of 1 to {MAX_NAME_BYTES} "
            f"UTF-8 bytes. Got {got} instead."
        )
    return name


def _aes(ref: Any, owner: str) -> Any:
    """The AESGCM cipher for a key reference (the key is read here, never shown)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    if ref is None:
        raise SecretKeyError(
            f"{owner} needs key=: a lookup table re-identifies the data, so anonlab writes and "
            "reads it only encrypted (AES-256-GCM). Give a key reference, key='env:NAME' or "
            "key='file:PATH' (on the command line: --lookup-key env:NAME), holding a random "
            "secret of at least 32 bytes, e.g. python -c 'import secrets; "
            "print(secrets.token_hex(32))'."
        )
    checked = check_key_ref(ref, owner)
    secret = resolve_key(checked)
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)
    return AESGCM(derived)


def write_lookup(
    table: pl.DataFrame,
    path: str | os.PathLike[str],
    *,
    key: KeyRef | None,
    name: str | None = None,
) -> Path:
    """Write a lookup (side) table encrypted with AES-256-GCM, atomically, with mode 0600.

    Parameters
    ----------
    table : polars.DataFrame
        The table, e.g. ``side_outputs["mrn"]`` from ``Recipe.apply(..., side_outputs=...)``.
    path : path-like
        The file to write (replaced atomically if it exists; a link there is replaced, not
        followed). The file is not Parquet: read it with :func:`read_lookup`.
    key : str or Key
        The encryption key by reference: ``"env:NAME"``, ``"file:PATH"`` or a
        :class:`~anonlab.keys.Key` (at least 16 bytes; 32 random bytes recommended). Required:
        ``None`` is refused, so a lookup table is never written as plaintext.
    name : str, optional
        The table name bound into the file (authenticated). Default: the file name without
        its extension.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    SecretKeyError
        No key, or the key cannot be read (the message names where it was looked for).
    ParameterError
        ``table`` is not a polars DataFrame, or ``name`` is not a table name.
    LookupTableError
        The table is larger than :data:`LOOKUP_MAX_BYTES` as Parquet.

    Examples
    --------
    >>> import polars as pl, tempfile, pathlib
    >>> from anonlab.keys import Key
    >>> key = Key.generate()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> table = pl.DataFrame({"value": ["A17"], "token": ["ID-000001"]})
    >>> target = write_lookup(table, folder / "mrn.lookup", key=key)
    >>> read_lookup(target, key=key).rows()
    [('A17', 'ID-000001')]
    """
    if not isinstance(table, pl.DataFrame):
        raise ParameterError(
            f"The 'table' parameter of {_OWNER} must be a polars DataFrame. Got a "
            f"{type(table).__name__} instead."
        )
    target = Path(path)
    name = _check_name(target.name.split(".", 1)[0] if name is None else name, _OWNER)
    cipher = _aes(key, _OWNER)
    buffer = io.BytesIO()
    table.write_parquet(buffer)
    plain = buffer.getvalue()
    if len(plain) > LOOKUP_MAX_BYTES:
        raise LookupTableError(
            f"The lookup table {name!r} is {len(plain):,} bytes as Parquet, more than the "
            f"{LOOKUP_MAX_BYTES:,} one encrypted file holds; nothing was written to "
            f"{str(target)!r}."
        )
    header = _header(name)
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = cipher.encrypt(nonce, plain, header)
    write_atomic(target, header + nonce + sealed, mode=FILE_MODE)
    return target


def read_lookup(
    path: str | os.PathLike[str],
    *,
    key: KeyRef,
    name: str | None = None,
) -> pl.DataFrame:
    """Decrypt a lookup table written by :func:`write_lookup` (or ``anonlab apply
    --lookup-dir``).

    Parameters
    ----------
    path : path-like
        The encrypted file.
    key : str or Key
        The key it was written with, by reference (``"env:NAME"``, ``"file:PATH"`` or a
        :class:`~anonlab.keys.Key`).
    name : str, optional
        The table name the file must hold (it is authenticated); default: any.

    Returns
    -------
    polars.DataFrame

    Raises
    ------
    LookupTableError
        The file is not an anonlab lookup table, has an unknown format version, holds another
        table than ``name``, or does not decrypt (a wrong key or a changed byte: the two cannot
        be told apart). The message names the file, never the key.
    SecretKeyError
        The key cannot be read.
    FileNotFoundError
        No file at ``path``.
    """
    from cryptography.exceptions import InvalidTag

    file = Path(path)
    shown = repr(str(file))
    limit = _HEADER.size + MAX_NAME_BYTES + NONCE_BYTES + TAG_BYTES + LOOKUP_MAX_BYTES
    data = read_bounded(file, limit, "lookup table file", LookupTableError)
    fixed = _HEADER.size
    if len(data) < fixed or data[:8] != MAGIC:
        raise LookupTableError(
            f"The file {shown} is not an anonlab lookup table (it does not start with "
            f"{MAGIC!r}); an encrypted lookup table is written by write_lookup or anonlab apply "
            "--lookup-dir."
        )
    _, version, length = _HEADER.unpack_from(data)
    if version != FORMAT_VERSION:
        raise LookupTableError(
            f"The lookup table {shown} has format version {version}; this anonlab reads "
            f"version {FORMAT_VERSION}. Read it with the anonlab version that wrote it."
        )
    body = fixed + length
    if len(data) < body + NONCE_BYTES + TAG_BYTES:
        raise LookupTableError(f"The lookup table {shown} is truncated.")
    header = data[:body]
    try:
        stored = header[fixed:].decode("utf-8")
    except UnicodeDecodeError:
        raise LookupTableError(
            f"The lookup table {shown} is damaged: its table name is not UTF-8 text."
        ) from None
    if name is not None and stored != name:
        raise LookupTableError(
            f"The lookup table {shown} holds the table {stored!r}, not {name!r}."
        )
    cipher = _aes(key, "read_lookup")
    nonce = data[body : body + NONCE_BYTES]
    try:
        plain = cipher.decrypt(nonce, data[body + NONCE_BYTES :], header)
    except InvalidTag:
        raise LookupTableError(
            f"The lookup table {shown} does not decrypt with the key given "
            f"({describe_key_ref(key)}): either it is the wrong key or the file was changed after "
            "it was written."
        ) from None
    return pl.read_parquet(io.BytesIO(plain))
