"""The dictionary attack: reversing hashed tokens by hashing guesses without a key.

An unkeyed hash of a small domain (SSNs, phone numbers, e-mail addresses, record numbers) is
reversed by hashing every candidate value and looking the outputs up. :func:`dictionary_attack`
does exactly that: MD5, SHA-1, SHA-256, SHA-512, BLAKE2b-256 and BLAKE2b-512 of each candidate's
UTF-8 text (and of the text behind a public salt or pseudonym context), each digest encoded as
the transforms encode theirs (lowercase hex, lowercase and uppercase base32), every token looked
up among them. :func:`enumeration` gives a small, deterministic list of candidates shaped like a
kind of identifier, where the original values are not at hand.

A keyed hash resists it: without the key nobody can compute the token of a guess. The
``irreversibility`` compliance check (:mod:`anonlab.licensing.irreversibility`) runs it on every
hashed or pseudonymized column of a release.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from collections.abc import Callable, Iterable

__all__ = ["ALGORITHMS", "MIN_TOKEN", "dictionary_attack", "enumeration"]

ALGORITHMS: dict[str, Callable[[bytes], bytes]] = {
    "md5": lambda b: hashlib.md5(b, usedforsecurity=False).digest(),
    "sha1": lambda b: hashlib.sha1(b, usedforsecurity=False).digest(),
    "sha256": lambda b: hashlib.sha256(b).digest(),
    "sha512": lambda b: hashlib.sha512(b).digest(),
    "blake2b-256": lambda b: hashlib.blake2b(b, digest_size=32).digest(),
    "blake2b-512": lambda b: hashlib.blake2b(b).digest(),
}
"""The unkeyed hash functions the attack tries."""

MIN_TOKEN = 8  # shorter tokens would match some digest prefix by chance


def enumeration(kind: str | None, *, limit: int = 2_000) -> list[str]:
    """Candidate values shaped like ``kind`` (``"ssn"``, ``"phone"``, ``"email"``,
    ``"record_id"``): a small, deterministic enumeration an attacker would start with."""
    out: list[str] = []
    if kind == "ssn":
        out = [f"{a:03d}-{b:02d}-{c:04d}" for a, b, c in itertools.product(
            (123, 111, 219, 78), (45, 12, 99), range(1, 200))]
    elif kind == "phone":
        out = [f"{a}-555-{c:04d}" for a, c in itertools.product((212, 617, 415, 312),
                                                                 range(500))]
    elif kind == "email":
        names = ("john", "mary", "james", "linda", "michael", "susan", "david", "karen",
                 "robert", "lisa", "maria", "thomas", "jennifer", "william", "sarah")
        out = [f"{n}{sep}{s}{i}@{d}" for n, sep, s, i, d in itertools.product(
            names, (".", "_"), ("smith", "jones", "lee"), ("", "1", "12"),
            ("gmail.com", "yahoo.com", "example.com"))]
    elif kind == "record_id":
        out = [f"{i:07d}" for i in range(1, 1001)] + [f"MRN{i:07d}" for i in range(1, 1001)]
    return out[:limit]


_ALPHABETS: dict[str, frozenset[str]] = {
    "hex": frozenset("0123456789abcdef"),
    "base32": frozenset("abcdefghijklmnopqrstuvwxyz234567"),
    "BASE32": frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
}


def _encoder(name: str) -> Callable[[bytes], str]:
    if name == "hex":
        return bytes.hex
    if name == "base32":
        return lambda d: base64.b32encode(d).decode("ascii").rstrip("=").lower()
    return lambda d: base64.b32encode(d).decode("ascii").rstrip("=")


def dictionary_attack(
    tokens: Iterable[str], candidates: Iterable[str], prefixes: Iterable[bytes] = (b"",)
) -> tuple[int, int]:
    """Hash every candidate without a key and count the tokens found among the digests.

    Parameters
    ----------
    tokens : iterable of str
        Output tokens (distinct values of the hashed column, any public prefix removed).
    candidates : iterable of str
        Guessed original values.
    prefixes : iterable of bytes
        Public strings put before each candidate (a salt and its separator).

    Returns
    -------
    (attempts, matches) : tuple of int
        Digests computed, and tokens equal to the start of one of them.
    """
    by_length: dict[int, set[str]] = {}
    for t in tokens:
        if len(t) >= MIN_TOKEN:
            by_length.setdefault(len(t), set()).add(t)
    if not by_length:
        return 0, 0
    lengths = sorted(by_length)
    chars = set().union(*(set(t) for group in by_length.values() for t in group))
    # only the encodings whose alphabet can have written every token
    encoders = [_encoder(name) for name, alphabet in _ALPHABETS.items() if chars <= alphabet]
    candidates = list(candidates)
    found: set[str] = set()
    attempts = 0
    for prefix in prefixes:
        messages = [prefix + value.encode("utf-8", "surrogatepass") for value in candidates]
        for fn in ALGORITHMS.values():
            attempts += len(messages)
            if not encoders:
                continue
            for message in messages:
                digest = fn(message)
                for encode in encoders:
                    encoded = encode(digest)
                    for n in lengths:
                        if encoded[:n] in by_length[n]:
                            found.add(encoded[:n])
    return attempts, len(found)
