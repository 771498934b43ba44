"""The secret scan (issue 13, item 1): planted keys never appear in any error, repr, output or file.

Three kinds of key are planted: hash keys (hex and base64 text, the values ``ANONLAB_KEY`` would
hold), an Ed25519 signing key (its PEM file, its raw bytes in base64) and in-memory identity keys
(an ``anonlab.Key`` and a ``SigningKey``). Every error path reachable with them runs, through the
API and through ``anonlab.cli.main``: the key itself given where its reference belongs
(``env:<key>``, ``file:<key>``, a plain path), references to the wrong kind of file, keys given as
other parameters, bad bundles and bad arguments. Each case asserts the anonlab error it expects,
and then that no form of any planted key (bytes, hex, base64, PEM lines) is in the message, the
repr, stdout, stderr, or any file the case wrote (audit logs, outputs).
"""

from __future__ import annotations

import base64
import pickle
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

import anonlab
from anonlab.bundle import Keyring, SigningKey, load_private_key, load_public_key
from anonlab.errors import AnonlabError, ParameterError, RecipeError, SecretKeyError
from anonlab.keys import Key, check_key_ref, describe_key_ref, resolve_key
from anonlab.transforms import Generalize, Hash, Noise, Pseudonymize
from tests.adversarial._support import HASH_KEY, Made, assert_no_leak, cli, make_bundle
from tests.identities import LICENSEE_KEYS, LICENSEE_PUBLIC_KEY


@dataclass(frozen=True)
class Planted:
    """The keys of one test, and where they are."""

    hash_hex: str  # the value of ANONLAB_KEY
    hash_b64: str
    pem: str  # the licensor's private key file, as text
    raw_b64: str  # its 32 raw bytes in base64
    private: Path
    public: Path
    memory_key: Key
    memory_signing: SigningKey
    bundle: Made
    tmp: Path

    def secrets(self) -> list[bytes]:
        signing = load_private_key(self.private)._key
        raw = signing.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        memory_raw = self.memory_signing._key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return [
            self.hash_hex.encode(),
            self.hash_b64.encode(),
            self.pem.encode(),
            raw,
            self.memory_key.secret(),
            memory_raw,
            HASH_KEY.encode(),
        ]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Made:
    return make_bundle(tmp_path_factory.mktemp("secret-scan"))


@pytest.fixture
def planted(bundle: Made, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Planted:
    private, public = anonlab.generate_keypair(tmp_path / "keys" / "signer")
    pem = private.read_text()
    raw = load_private_key(private)._key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    hash_hex = secrets.token_hex(32)
    monkeypatch.setenv("ANONLAB_KEY", hash_hex)
    monkeypatch.setenv("ANONLAB_SIGNING_PEM", pem)
    anonlab.datasets.patients(30, seed=1).write_csv(tmp_path / "data.csv")
    return Planted(
        hash_hex,
        base64.b64encode(secrets.token_bytes(32)).decode(),
        pem,
        base64.b64encode(raw).decode(),
        private,
        public,
        Key.generate(),
        SigningKey.generate(),
        bundle,
        tmp_path,
    )


def _inputs(p: Planted) -> Path:
    """Where a case puts the files it gives anonlab (which may hold a key: not scanned)."""
    folder = p.tmp / "inputs"
    folder.mkdir(exist_ok=True)
    return folder


def _recipe(p: Planted, key: str, name: str = "recipe.yaml") -> Path:
    path = _inputs(p) / name
    path.write_text(
        f"format_version: 1\nsteps:\n- column: ssn\n  op: hash\n  key: {key!r}\n".replace("'", '"')
    )
    return path


def _yaml_recipe(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
    return f'format_version: 1\nsteps:\n- column: ssn\n  op: hash\n  key: "{escaped}"\n'


def _written(p: Planted) -> list[bytes]:
    """Everything a case may have written: files under the test's folder and beside the bundle,
    but not the planted key files and the input data themselves."""
    out = []
    roots = [p.tmp, p.bundle.path.parent]
    for root in roots:
        for file in root.rglob("*"):
            if (
                file.is_file()
                and not {"keys", "inputs"} & set(file.parts)
                and file.name != "data.csv"
            ):
                out.append(file.read_bytes())
    return out


# -- the API ------------------------------------------------------------------------------------


def _encrypted_key_file(p: Planted) -> Path:
    private, _ = anonlab.generate_keypair(p.tmp / "keys" / "locked", password="pass phrase 1")
    return private


def _broken_pem(p: Planted) -> str:
    lines = p.pem.strip().splitlines()
    return "\n".join([lines[0], lines[1][:-4] + "!!!!", lines[-1]])


def _reprs(p: Planted) -> list[str]:
    hashed = Hash(key=p.memory_key)
    recipe = anonlab.Recipe().then("ssn", hashed)
    return [
        repr(p.memory_key),
        describe_key_ref(p.memory_key),
        repr(hashed),
        hashed.describe(),
        recipe.summary(),
        repr(recipe),
        repr(p.memory_signing),
        repr(load_private_key(p.private)),
        repr(load_public_key(p.public)),
    ]


API_CASES: list[tuple[str, Callable[[Planted], Any], type[BaseException] | None]] = [
    ("resolve env:<hex key>", lambda p: resolve_key("env:" + p.hash_hex), SecretKeyError),
    ("resolve env:<base64 key>", lambda p: resolve_key("env:" + p.hash_b64), SecretKeyError),
    ("resolve env:<PEM>", lambda p: resolve_key("env:" + p.pem), SecretKeyError),
    ("resolve file:<hex key>", lambda p: resolve_key("file:" + p.hash_hex), SecretKeyError),
    ("resolve file:<base64 key>", lambda p: resolve_key("file:" + p.hash_b64), SecretKeyError),
    ("resolve file:<PEM>", lambda p: resolve_key("file:" + p.pem), SecretKeyError),
    ("resolve <the key itself>", lambda p: resolve_key(p.hash_hex), SecretKeyError),
    (
        "resolve file:<key> with a folder",
        lambda p: resolve_key(f"file:/tmp/{p.hash_b64}"),
        SecretKeyError,
    ),
    ("check env:<hex key>", lambda p: check_key_ref("env:" + p.hash_hex, "Hash"), ParameterError),
    (
        "check file:<base64 key>",
        lambda p: check_key_ref("file:" + p.hash_b64, "Hash"),
        ParameterError,
    ),
    ("check file:<PEM>", lambda p: check_key_ref("file:" + p.pem, "Hash"), ParameterError),
    ("Hash(key=env:<base64>)", lambda p: Hash(key="env:" + p.hash_b64), ParameterError),
    ("Hash(key=<the key>)", lambda p: Hash(key=p.hash_hex), ParameterError),
    ("Hash(key=<bytes>)", lambda p: Hash(key=p.hash_hex.encode()), ParameterError),
    ("Pseudonymize(key=file:<PEM>)", lambda p: Pseudonymize(key="file:" + p.pem), ParameterError),
    (
        "Noise(key=env:<hex>)",
        lambda p: Noise(distribution="laplace", scale=1.0, key="env:" + p.hash_hex),
        ParameterError,
    ),
    ("a key as another parameter", lambda p: Generalize(keep=p.hash_hex), ParameterError),
    ("a key as bytes parameter", lambda p: Generalize(width=p.memory_key.secret()), ParameterError),
    (
        "recipe key: env:<hex>",
        lambda p: anonlab.Recipe.from_yaml(_yaml_recipe("env:" + p.hash_hex)),
        RecipeError,
    ),
    (
        "recipe key: file:<PEM>",
        lambda p: anonlab.Recipe.from_yaml(_yaml_recipe("file:" + p.pem)),
        RecipeError,
    ),
    (
        "recipe key: <the key>",
        lambda p: anonlab.Recipe.from_yaml(_yaml_recipe(p.hash_b64)),
        RecipeError,
    ),
    (
        "suggest_recipe(key=env:<hex>)",
        lambda p: anonlab.suggest_recipe(
            anonlab.profile(anonlab.datasets.patients(20)), key="env:" + p.hash_hex
        ),
        ParameterError,
    ),
    ("in-memory keys in reprs and summaries", _reprs, None),
    (
        "a recipe holding a Key written to YAML",
        lambda p: anonlab.Recipe().then("ssn", Hash(key=p.memory_key)).to_yaml(),
        RecipeError,
    ),
    ("a Key pickled", lambda p: pickle.dumps(p.memory_key), TypeError),
    ("a SigningKey pickled", lambda p: pickle.dumps(p.memory_signing), TypeError),
    ("private key env:<PEM>", lambda p: load_private_key("env:" + p.pem), ParameterError),
    ("private key <PEM> as a path", lambda p: load_private_key(p.pem), ParameterError),
    ("private key <base64> as a path", lambda p: load_private_key(p.raw_b64), SecretKeyError),
    ("private key file:<base64>", lambda p: load_private_key("file:" + p.raw_b64), SecretKeyError),
    (
        "private key env: broken PEM",
        lambda p: _with_env("ANONLAB_T_KEY", _broken_pem(p), load_private_key),
        SecretKeyError,
    ),
    (
        "private key env: a hash key",
        lambda p: _with_env("ANONLAB_T_KEY", p.hash_hex, load_private_key),
        SecretKeyError,
    ),
    (
        "private key file holding a hash key",
        lambda p: load_private_key(_file(p, "hash.key", p.hash_hex)),
        SecretKeyError,
    ),
    (
        "encrypted private key without its pass phrase",
        lambda p: load_private_key(_encrypted_key_file(p)),
        SecretKeyError,
    ),
    ("public key given the private file", lambda p: load_public_key(p.private), SecretKeyError),
    (
        "public key env: a private PEM",
        lambda p: load_public_key("env:ANONLAB_SIGNING_PEM"),
        SecretKeyError,
    ),
    ("public key env:<PEM>", lambda p: load_public_key("env:" + p.pem), ParameterError),
    (
        "verify public_key=env:<PEM>",
        lambda p: anonlab.verify(p.bundle.path, public_key="env:" + p.pem),
        ParameterError,
    ),
    (
        "verify public_key=<PEM>",
        lambda p: anonlab.verify(p.bundle.path, public_key=p.pem),
        ParameterError,
    ),
    (
        "open public_key=<private file>",
        lambda p: anonlab.open(
            p.bundle.path,
            purpose="statistics",
            role="analyst",
            user="ada",
            public_key=p.private,
            audit_log=p.tmp / "a.audit.jsonl",
        ),
        SecretKeyError,
    ),
    (
        "open public_key=file:<base64>",
        lambda p: anonlab.open(
            p.bundle.path,
            purpose="statistics",
            role="analyst",
            user="ada",
            public_key="file:" + p.raw_b64,
            audit_log=p.tmp / "a.audit.jsonl",
        ),
        SecretKeyError,
    ),
    ("export signing_key=env:<PEM>", lambda p: _export(p, "env:" + p.pem), ParameterError),
    ("export signing_key=<base64>", lambda p: _export(p, p.raw_b64), SecretKeyError),
    ("export signing_key=the public key", lambda p: _export(p, p.public), SecretKeyError),
    ("keyring add a private key", lambda p: Keyring(p.tmp / "ring").add(p.private), SecretKeyError),
    (
        "keyring add env:<PEM>",
        lambda p: Keyring(p.tmp / "ring").add("env:" + p.pem),
        ParameterError,
    ),
    (
        "keyring remove <hex key>",
        lambda p: Keyring(p.tmp / "ring").remove(p.hash_hex),
        ParameterError,
    ),
]


def _with_env(name: str, value: str, fn: Callable[[str], Any]) -> Any:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(name, value)
        return fn(f"env:{name}")


def _file(p: Planted, name: str, text: str) -> Path:
    path = _inputs(p) / name
    path.write_text(text)
    return path


def _export(p: Planted, signing_key: Any) -> Any:
    raw = anonlab.datasets.patients(40, seed=2)
    recipe = anonlab.suggest_recipe(anonlab.profile(raw))
    return anonlab.export(
        raw,
        recipe=recipe,
        license="gdpr-pseudonymous-research",
        license_terms={"licensee": "Lab", "expires": "2099-01-01",
                       "licensee_keys": LICENSEE_KEYS},
        path=p.tmp / "out-bundle",
        signing_key=signing_key,
    )


@pytest.mark.parametrize(
    ("fn", "expected"), [(c[1], c[2]) for c in API_CASES], ids=[c[0] for c in API_CASES]
)
def test_api_error_paths_never_show_a_key(
    planted: Planted, fn: Callable[[Planted], Any], expected: type[BaseException] | None
) -> None:
    texts: list[str | bytes] = []
    if expected is None:
        result = fn(planted)
        texts += [str(t) for t in result] if isinstance(result, list) else [repr(result)]
    else:
        with pytest.raises(expected) as info:
            fn(planted)
        if expected is not TypeError:
            assert isinstance(info.value, AnonlabError)
        texts += [str(info.value), repr(info.value), *map(str, info.value.args)]
    assert_no_leak([*texts, *_written(planted)], planted.secrets())


# -- the command line ----------------------------------------------------------------------------


def _export_args(p: Planted, signing_key: str) -> list[str]:
    recipe = _inputs(p) / "suggested.yaml"
    if not recipe.exists():
        assert cli("suggest", str(p.tmp / "data.csv"), "-o", str(recipe)).code == 0
    return [
        "export",
        str(p.tmp / "data.csv"),
        "--recipe",
        str(recipe),
        "--template",
        "gdpr-pseudonymous-research",
        "--licensee",
        "Lab",
        f"--licensee-key={_licensee_pub(p.tmp)}",
        "--expires",
        "2099-01-01",
        f"--signing-key={signing_key}",
        "-o",
        str(p.tmp / "cli-bundle"),
    ]


def _open_args(p: Planted, *more: str) -> list[str]:
    return [
        "open",
        str(p.bundle.path),
        "--purpose",
        "statistics",
        "--role",
        "analyst",
        "--user",
        "ada",
        "--audit-log",
        str(p.tmp / "cli.audit.jsonl"),
        *more,
    ]


CLI_CASES: list[tuple[str, Callable[[Planted], list[str]], int]] = [
    (
        "apply a recipe with env:<hex>",
        lambda p: [
            "apply",
            str(_recipe(p, "env:" + p.hash_hex)),
            str(p.tmp / "data.csv"),
            "-o",
            str(p.tmp / "out.csv"),
        ],
        1,
    ),
    (
        "apply a recipe with file:<base64>",
        lambda p: [
            "apply",
            str(_recipe(p, "file:" + p.hash_b64)),
            str(p.tmp / "data.csv"),
            "-o",
            str(p.tmp / "out.csv"),
        ],
        1,
    ),
    (
        "apply with the right key, a missing column",
        lambda p: [
            "apply",
            str(_missing_column(p)),
            str(p.tmp / "data.csv"),
            "-o",
            str(p.tmp / "out.csv"),
        ],
        1,
    ),
    (
        "apply with the key as an extra argument",
        lambda p: [
            "apply",
            str(_recipe(p, "env:ANONLAB_KEY")),
            str(p.tmp / "data.csv"),
            "-o",
            str(p.tmp / "out.csv"),
            p.hash_hex,
        ],
        2,
    ),
    (
        "suggest --key env:<hex>",
        lambda p: ["suggest", str(p.tmp / "data.csv"), "--key", "env:" + p.hash_hex],
        1,
    ),
    ("suggest --key=<PEM>", lambda p: ["suggest", str(p.tmp / "data.csv"), f"--key={p.pem}"], 1),
    (
        "suggest --key=<the key>",
        lambda p: ["suggest", str(p.tmp / "data.csv"), f"--key={p.hash_b64}"],
        1,
    ),
    ("profile <the key> as the input", lambda p: ["profile", p.hash_hex], 1),
    (
        "risk --k <the key>",
        lambda p: ["risk", str(p.tmp / "data.csv"), "--qi", "zip", "--k", p.hash_hex],
        2,
    ),
    ("export --signing-key=<PEM>", lambda p: _export_args(p, p.pem), 1),
    ("export --signing-key env:<base64>", lambda p: _export_args(p, "env:" + p.raw_b64), 1),
    ("export --signing-key file:<base64>", lambda p: _export_args(p, "file:" + p.raw_b64), 1),
    ("export --signing-key <the public key>", lambda p: _export_args(p, str(p.public)), 1),
    (
        "export failing its checks with the key set",
        lambda p: [
            *_export_args(p, str(p.private))[:5],
            "hipaa-safe-harbor",
            *_export_args(p, str(p.private))[6:],
        ],
        1,
    ),
    (
        "verify --public-key=<PEM>",
        lambda p: ["verify", str(p.bundle.path), f"--public-key={p.pem}"],
        1,
    ),
    (
        "verify --public-key <private file>",
        lambda p: ["verify", str(p.bundle.path), "--public-key", str(p.private)],
        1,
    ),
    (
        "verify a folder that is no bundle, key given",
        lambda p: ["verify", str(p.tmp), "--public-key", str(p.public)],
        1,
    ),
    (
        "open --public-key env:<hex>",
        lambda p: _open_args(p, "--public-key", "env:" + p.hash_hex),
        1,
    ),
    (
        "open --public-key <private file>",
        lambda p: _open_args(p, "--public-key", str(p.private)),
        1,
    ),
    ("open signed by another key", lambda p: _open_args(p, "--public-key", str(p.public)), 1),
    (
        "trust add <private file>",
        lambda p: ["trust", "add", str(p.private), "--keyring", str(p.tmp / "ring")],
        1,
    ),
    (
        "trust add env:<PEM>",
        lambda p: ["trust", "add", "env:" + p.pem, "--keyring", str(p.tmp / "ring")],
        1,
    ),
    (
        "trust remove <hex key>",
        lambda p: ["trust", "remove", p.hash_hex, "--keyring", str(p.tmp / "ring")],
        1,
    ),
    ("keygen over an existing key", lambda p: ["keygen", str(p.private.with_suffix(""))], 1),
]


def _missing_column(p: Planted) -> Path:
    path = _inputs(p) / "missing.yaml"
    path.write_text(
        "format_version: 1\nsteps:\n- column: no_such_column\n  op: hash\n  key: env:ANONLAB_KEY\n"
    )
    return path


@pytest.mark.parametrize(
    ("argv", "code"), [(c[1], c[2]) for c in CLI_CASES], ids=[c[0] for c in CLI_CASES]
)
def test_cli_error_paths_never_show_a_key(
    planted: Planted, argv: Callable[[Planted], list[str]], code: int
) -> None:
    run = cli(*argv(planted))
    assert run.code == code, run.text
    assert "Traceback" not in run.text
    assert run.err.strip() or run.out.startswith("FAILED"), run.text  # it says what went wrong
    assert_no_leak([run.out, run.err, *_written(planted)], planted.secrets())


def test_the_scan_finds_a_planted_leak(planted: Planted) -> None:
    """The scan itself works: each planted key, in each form, is found."""
    from tests.adversarial._support import leak_forms

    for secret in planted.secrets():
        for form in leak_forms(secret):
            with pytest.raises(AssertionError, match="key material"):
                assert_no_leak([b"before " + form + b" after"], planted.secrets())


def test_a_fingerprint_stands_in_for_the_key(planted: Planted) -> None:
    """What is shown instead: a fingerprint that tells two mistaken keys apart."""
    with pytest.raises(SecretKeyError) as first:
        resolve_key("env:" + planted.hash_hex)
    with pytest.raises(SecretKeyError) as second:
        resolve_key("env:" + planted.hash_b64)
    for info in (first, second):
        assert "not a variable name" in str(info.value)
        assert "fingerprint" in str(info.value)
    assert str(first.value) != str(second.value)


@pytest.mark.parametrize("name", ["ANONLAB_KEY", "MY_RELEASE_KEY_2026", "key_for_vendor"])
def test_variable_names_are_still_shown(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(name, raising=False)
    with pytest.raises(SecretKeyError, match=rf"'{name}'.*is not set"):
        resolve_key(f"env:{name}")


def test_a_file_path_is_still_shown(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyError, match=r"licensor\.key.*does not exist"):
        load_private_key(tmp_path / "keys" / "licensor.key")
    with pytest.raises(SecretKeyError, match=r"hash\.key.*does not exist"):
        resolve_key(f"file:{tmp_path / 'hash.key'}")


def test_an_existing_file_with_a_random_name_is_a_valid_reference(tmp_path: Path) -> None:
    """A reference is refused as key material only when it names no file."""
    odd = tmp_path / secrets.token_hex(16)
    odd.write_text(secrets.token_hex(32))
    assert check_key_ref(f"file:{odd}", "Hash") == f"file:{odd}"
    assert resolve_key(f"file:{odd}") == odd.read_bytes().strip()


def _licensee_pub(folder: Path) -> Path:
    """The test licensee's public key as a .pub file in ``folder``."""
    path = folder / "licensee.pub"
    path.write_bytes(LICENSEE_PUBLIC_KEY.to_pem())
    return path
