"""IPython magics: ``%anonymize``, ``%%anonymize`` and ``%anonlab``.

``%anonymize df [--qi a,b] [--sensitive s] [--k 5] [--template ID] [--recipe FILE] [-o NAME]``
    Anonymize the frame ``df`` (suggested recipe, or the one in FILE), store the result as
    NAME (default ``<frame>_anon``), and return an :class:`~anonlab.jupyter.anonymize.
    AnonymizeResult`, which shows as a compact summary.
``%%anonymize df [-o NAME] ...``
    The same, with the recipe's YAML as the cell body.
``%anonlab profile|risk|export|verify|help ...``
    Profile a frame, assess its risk, export it as a signed bundle, verify a bundle.

Every magic takes its line literally (``@no_var_expand``): ``$`` and ``{...}`` in options reach
anonlab unchanged. A user mistake (an unknown variable or column, a bad option, a malformed
recipe, any :class:`~anonlab.errors.AnonlabError`) is shown as one line (a ``UsageError``), not
a traceback.
"""

from __future__ import annotations

import argparse
import keyword
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import (
    Magics,
    line_cell_magic,
    line_magic,
    magics_class,
    no_var_expand,
)
from IPython.core.magic_arguments import (
    MagicArgumentParser,
    argument,
    magic_arguments,
)
from IPython.utils.text import dedent

from anonlab.errors import AnonlabError
from anonlab.jupyter._common import frame_kind, load_recipe, one_line, split_names
from anonlab.jupyter.anonymize import AnonymizeResult, anonymize

__all__ = ["AnonlabMagics", "VerificationView", "anonlab_help"]

_results: dict[str, AnonymizeResult] = {}
"""What ``%anonymize`` made in this process, by output name (``%anonlab export`` reads the
recipe and the risk report from here)."""


@contextmanager
def _usage_errors() -> Iterator[None]:
    """Turn anonlab's errors into one-line UsageErrors (whitespace collapsed)."""
    try:
        yield
    except UsageError:
        raise
    except AnonlabError as exc:
        raise UsageError(one_line(exc)) from None


def _split(line: str) -> list[str]:
    """The words of a magic's line, shell style: quotes group words and are removed (on
    Windows backslashes are kept, as paths need them)."""
    from IPython.utils.process import arg_split

    posix = os.name == "posix"
    try:
        words = arg_split(line, posix=posix, strict=True)
    except ValueError as exc:
        raise UsageError(f"Cannot read the options: {exc} (check the quotes).") from None
    if not posix:
        words = [w[1:-1] if len(w) > 1 and w[0] == w[-1] and w[0] in "'\"" else w
                 for w in words]
    return words


def _k(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _fraction(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None


def _variable(text: str) -> str:
    if not text.isidentifier() or keyword.iskeyword(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid variable name")
    return text


# -- %anonlab subcommands ---------------------------------------------------------------------


def _parser(name: str, description: str) -> MagicArgumentParser:
    return MagicArgumentParser(prog=f"anonlab {name}", description=description)


def _build_parsers() -> dict[str, MagicArgumentParser]:
    parsers: dict[str, MagicArgumentParser] = {}

    p = _parser("profile", "Profile a frame: statistics, detected identifiers and suggested "
                           "roles per column. Returns the Profile.")
    p.add_argument("frame", help="The variable holding the frame.")
    p.add_argument("--sample", type=_k, default=None,
                   help="Profile a random sample of this many rows.")
    parsers["profile"] = p

    p = _parser("risk", "The re-identification risk of a frame on its quasi-identifiers. "
                        "Returns the RiskReport.")
    p.add_argument("frame", help="The variable holding the frame.")
    p.add_argument("--qi", required=True,
                   help="The quasi-identifiers, comma-separated: --qi zip,sex,age.")
    p.add_argument("--sensitive", default=None,
                   help="Sensitive columns, comma-separated (l and t are measured on each).")
    p.add_argument("--k", type=_k, default=5, help="The k-anonymity target (default 5).")
    p.add_argument("--l", type=_k, default=None, dest="l_div",
                   help="A distinct l-diversity target on each sensitive column.")
    p.add_argument("--t", type=_fraction, default=None,
                   help="A t-closeness target on each sensitive column.")
    parsers["risk"] = p

    p = _parser("export", "Make a release, attack it and write it with a license as a signed "
                          "bundle folder. Given a frame %anonymize made, the release is made "
                          "again from that frame's original with its recipe (keys for this "
                          "release alone, a secret row order); given an original frame, with "
                          "--recipe. Returns the Bundle.")
    p.add_argument("frame", help="The variable holding a frame %%anonymize made, or the "
                                 "original frame (with --recipe).")
    p.add_argument("--template", required=True,
                   help="The license template: hipaa-safe-harbor, hipaa-expert-determination, "
                        "gdpr-anonymous, gdpr-pseudonymous-research, ccpa-deidentified, "
                        "internal-ml, vendor-analytics.")
    p.add_argument("--licensee", required=True, help="Who receives the data.")
    p.add_argument("--licensee-key", action="append", metavar="PUB",
                   help="A licensee identity key (.pub file) that may open the bundle; repeat "
                   "for several (required by gdpr-pseudonymous-research).")
    p.add_argument("--licensor", default=None, help="Who grants the license.")
    p.add_argument("--purpose", action="append", default=None,
                   help="A permitted purpose (repeat, or comma-separate); default: the "
                        "template's.")
    p.add_argument("--expires", default=None,
                   help="When the license ends: a date (2027-12-31) or a duration (P1Y); "
                        "default: the template's term.")
    p.add_argument("--signing-key", required=True, dest="signing_key",
                   help="The licensor's Ed25519 private key: a file, file:PATH or env:NAME.")
    p.add_argument("--to", required=True, dest="path", help="The bundle folder to create.")
    p.add_argument("--recipe", default=None,
                   help="The recipe file to apply (default: the one %%anonymize used).")
    p.add_argument("--format", default="parquet", dest="formats",
                   help="Data files, comma-separated: parquet (always) and csv.")
    p.add_argument("--overwrite", action="store_true",
                   help="Replace an existing bundle at the target.")
    parsers["export"] = p

    p = _parser("verify", "Check that every file of a bundle is what its signer wrote. "
                          "Without --public-key the signer is looked up in your keyring "
                          "(anonlab trust add); a signer in neither is reported untrusted.")
    p.add_argument("path", help="The bundle folder.")
    p.add_argument("--public-key", default=None, dest="public_key",
                   help="The licensor's public key: a file, file:PATH or env:NAME.")
    parsers["verify"] = p

    p = _parser("help", "Show this help, or one subcommand's.")
    p.add_argument("subcommand", nargs="?", default=None, help="A subcommand.")
    parsers["help"] = p
    return parsers


_PARSERS = _build_parsers()


def anonlab_help(subcommand: str | None = None) -> str:
    """The help text of ``%anonlab`` (every subcommand), or of one subcommand."""
    if subcommand is not None:
        if subcommand not in _PARSERS:
            raise UsageError(_unknown_subcommand(subcommand))
        return _PARSERS[subcommand].format_help()
    head = dedent("""\
        %anonlab SUBCOMMAND [options]: anonlab's notebook commands.

        Subcommands:
          profile FRAME                  profile a frame
          risk FRAME --qi A,B [...]      the re-identification risk of a frame
          export FRAME --template ID --licensee WHO --signing-key FILE --to PATH [...]
                                         export an anonymized frame as a signed bundle
          verify PATH [--public-key FILE]
                                         verify a bundle
          help [SUBCOMMAND]              this help

        Anonymize with %anonymize (see %anonymize?). Options are taken literally: $ and {...}
        are not expanded.
        """)
    parts = [head]
    for name, parser in _PARSERS.items():
        if name != "help":
            parts.append(parser.format_help())
    return "\n".join(parts)


def _unknown_subcommand(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(_PARSERS), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return (f"Unknown %anonlab subcommand {name!r}.{hint} Subcommands: "
            f"{', '.join(_PARSERS)} (see %anonlab help).")


class VerificationView:
    """A verified bundle, for display; ``.result`` is the
    :class:`~anonlab.bundle.verify.VerificationResult`."""

    def __init__(self, result: Any) -> None:
        self.result = result

    def __repr__(self) -> str:
        return f"VERIFIED: {self.result.summary()}"

    def _repr_html_(self) -> str:
        import html

        trusted = self.result.signature_trusted
        colour = "#1a7f37" if trusted else "#9a6700"
        return (f'<div class="anonlab-verify"><b style="color:{colour}">VERIFIED</b> '
                f"{html.escape(self.result.summary())}</div>")


# -- the magics -------------------------------------------------------------------------------


@magics_class
class AnonlabMagics(Magics):
    """anonlab's IPython magics (``%load_ext anonlab`` registers them)."""

    def _namespace(self) -> dict[str, Any]:
        """The notebook's variables (magics always run on a shell)."""
        assert self.shell is not None
        ns: dict[str, Any] = self.shell.user_ns
        return ns

    def _frame(self, name: str) -> Any:
        ns = self._namespace()
        if name not in ns:
            import difflib

            frames = [k for k, v in ns.items() if not k.startswith("_") and frame_kind(v)]
            close = difflib.get_close_matches(name, frames, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else (
                f" Frames defined: {', '.join(sorted(frames)[:10])}." if frames else "")
            raise UsageError(f"No variable named {name!r} in the notebook.{hint}")
        obj = ns[name]
        if frame_kind(obj) is None:
            raise UsageError(
                f"{name!r} is a {type(obj).__name__}, not a frame: pass the name of a pandas "
                "or polars DataFrame (or a polars LazyFrame)."
            )
        return obj

    @no_var_expand
    @magic_arguments()
    @argument("frame", help="The variable holding the frame to anonymize (pandas or polars).")
    @argument("--qi", default=None,
              help="Quasi-identifiers for the risk assessment, comma-separated (default: the "
                   "recipe's targets, else those the profile suggests).")
    @argument("--sensitive", default=None,
              help="Sensitive columns, comma-separated (default: the recipe's).")
    @argument("--k", type=_k, default=None,
              help="The k-anonymity target (default: the recipe's, else 5).")
    @argument("--template", default=None,
              help="A license template id (hipaa-safe-harbor, gdpr-anonymous, ...): the "
                   "suggested recipe aims at it and its checks run on the result.")
    @argument("--recipe", default=None,
              help="A recipe file (.yaml or .json) to apply instead of the suggested one "
                   "(line mode only; in %%%%anonymize the cell is the recipe).")
    @argument("-o", "--output", type=_variable, default=None,
              help="The variable to store the anonymized frame in (default: <frame>_anon).")
    @line_cell_magic
    def anonymize(self, line: str, cell: str | None = None) -> AnonymizeResult | None:
        """Anonymize a frame of the notebook and show what it achieved.

        %anonymize df stores the anonymized frame as df_anon and returns a summary (steps
        applied, k reached, highest risk, targets passed or failed) that shows as the cell's
        output. Without --recipe the recipe is the one suggested from the frame's profile;
        its hash steps read their key from the environment variable ANONLAB_KEY, which must
        be set. In cell mode (%%anonymize df -o out) the cell body is the recipe in YAML.
        The line is taken literally: $ and {...} are not expanded.
        """
        words = _split(line)
        if "-h" in words or "--help" in words:
            print(self.anonymize.parser.format_help())
            return None
        args = self.anonymize.parser.parse_args(words)
        frame = self._frame(args.frame)
        output = args.output or f"{args.frame}_anon"
        with _usage_errors():
            recipe = None
            source = ""
            if cell is not None:
                if args.recipe is not None:
                    raise UsageError("%%anonymize reads the recipe from the cell; drop --recipe "
                                     "(or use the line magic %anonymize with --recipe).")
                if not cell.strip():
                    raise UsageError("The %%anonymize cell is empty: write the recipe's YAML "
                                     "in it (steps: - column: ... op: ...).")
                from anonlab.recipe import Recipe

                recipe = Recipe.from_yaml(cell)
                source = "from the cell"
            elif args.recipe is not None:
                recipe = load_recipe(Path(args.recipe))
                source = f"from {args.recipe}"
            result = anonymize(
                frame,
                recipe=recipe,
                template=args.template,
                quasi_identifiers=split_names(args.qi),
                sensitive=split_names(args.sensitive),
                k=args.k,
                name=args.frame,
                output=output,
                source=source,
            )
        self._namespace()[output] = result.frame
        _results[output] = result
        return result

    @no_var_expand
    @line_magic
    def anonlab(self, line: str) -> Any:
        """anonlab's notebook commands (the help of every subcommand is assigned below)."""
        argv = _split(line)
        if not argv or argv[0] in ("help", "-h", "--help"):
            args = _PARSERS["help"].parse_args(argv[1:])
            print(anonlab_help(args.subcommand))
            return None
        name, rest = argv[0], argv[1:]
        if name not in _PARSERS:
            raise UsageError(_unknown_subcommand(name))
        if "-h" in rest or "--help" in rest:
            print(anonlab_help(name))
            return None
        args = _PARSERS[name].parse_args(rest)
        with _usage_errors():
            return getattr(self, f"_anonlab_{name}")(args)

    anonlab.__doc__ = anonlab_help()

    # -- subcommands ---------------------------------------------------------------------------
    def _anonlab_profile(self, args: argparse.Namespace) -> Any:
        from anonlab.profiling import profile

        return profile(self._frame(args.frame), sample=args.sample)

    def _anonlab_risk(self, args: argparse.Namespace) -> Any:
        from anonlab.risk.report import assess_risk

        frame = self._frame(args.frame)
        qis = split_names(args.qi) or ()
        if not qis:
            raise UsageError("--qi names no column: pass the quasi-identifiers, --qi zip,sex.")
        sensitive = split_names(args.sensitive) or ()
        return assess_risk(frame, qis, sensitive, k=args.k, l=args.l_div, t=args.t)

    def _anonlab_export(self, args: argparse.Namespace) -> Any:
        frame = self._frame(args.frame)
        made = _results.get(args.frame)
        if made is not None and made.frame is frame:
            # a frame %anonymize made: the release is made again from its original
            original = made.original
            recipe = load_recipe(Path(args.recipe)) if args.recipe is not None else made.recipe
        elif args.recipe is not None:
            original, recipe = frame, load_recipe(Path(args.recipe))
        else:
            raise UsageError(
                f"{args.frame!r} was not made by %anonymize in this session (or has been "
                "replaced since), so the recipe that produced it is unknown: pass --recipe "
                "FILE."
            )
        try:
            from anonlab.bundle import export
        except ImportError as exc:
            raise UsageError(f"%anonlab export needs anonlab.bundle, which cannot be imported "
                             f"here ({exc}).") from None
        terms: dict[str, Any] = {"licensee": args.licensee}
        if args.licensee_key:
            terms["licensee_keys"] = list(args.licensee_key)
        if args.licensor is not None:
            terms["licensor"] = args.licensor
        if args.purpose:
            terms["purposes"] = [p for text in args.purpose for p in split_names(text) or ()]
        if args.expires is not None:
            terms["expires"] = args.expires
        return export(
            original,
            recipe=recipe,
            license=args.template,
            license_terms=terms,
            path=args.path,
            signing_key=args.signing_key,
            formats=split_names(args.formats) or ("parquet",),
            overwrite=args.overwrite,
        )

    def _anonlab_verify(self, args: argparse.Namespace) -> VerificationView:
        try:
            from anonlab.bundle import verify
        except ImportError as exc:
            raise UsageError(f"%anonlab verify needs anonlab.bundle, which cannot be imported "
                             f"here ({exc}).") from None
        return VerificationView(verify(args.path, public_key=args.public_key))
