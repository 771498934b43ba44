"""The 1990 US Census name frequency lists shipped with anonlab, for synthetic text.

``data/census1990_names.tsv.gz`` holds the 2,000 most frequent surnames and the 1,000 most
frequent female and male first names of the U.S. Census Bureau's "Frequently Occurring Surnames
and First Names from the 1990 Census" (public domain), as distributed in the PyPI package
``names`` 0.3.0; see ``data/ATTRIBUTION.md``. The file is checked against its recorded SHA-256
when it is first read.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import zlib
from importlib.resources import files
from typing import NamedTuple

from anonlab.errors import DatasetError

__all__ = ["CORE_HARD_WORDS", "HARD_WORDS", "Census", "NameList", "load_census", "proper"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NAMES_FILE = "census1990_names.tsv.gz"
_NAMES_SHA256 = "5067338ed0400589bf1a9835b6f52180fa344b5461c2bab05e89ae0adc3a32f0"

# Words of everyday English (and of clinical prose) that are also frequent given names or
# surnames. Names drawn from this set are the corpus's hard cases; the same words also appear in
# the notes as ordinary words, unlabelled.
HARD_WORDS = _words(
    """
    rose hope will grant young white brown hall mark may june bill faith joy frank dean page
    price long little rich bishop king wood stone black green lane summer amber ivy april dawn
    robin hunter mason fisher baker cook ward hill gray bell reed ford west cole wells miles
    carter banks brooks rivers fox love hart bush moss marsh chase christian woods dale flowers
    pope cash gold silver walker burns cross hardy short sharp strong small major grace pearl
    ruby crystal holly heather iris hazel violet daisy autumn angel penny jack ray art guy earl
    sandy misty sterling berry rice bird lamb frost snow knight hunt hood park parks fields
    porter turner miller cooper waters golden noble wise sweet lowe payne mercy patience
    """
)
# The hard words that clinical_notes' labelling rules name; drawn three times as often.
CORE_HARD_WORDS = _words(
    """
    rose hope will grant young white brown hall mark may june bill faith joy frank dean page
    price long little rich bishop king wood stone black green lane summer amber ivy
    """
)
_O_PREFIXED = _words(
    "OBRIEN OCONNOR OCONNELL ODONNELL OHARA OLEARY OROURKE OKEEFE ONEAL ONEILL OMALLEY OREILLY"
    " OSULLIVAN"
)


def proper(name: str) -> str:
    """A census spelling (upper case, no punctuation) as it is usually written."""
    if name.startswith("MC") and len(name) > 3:
        return "Mc" + name[2:].capitalize()
    if name in _O_PREFIXED:
        return "O'" + name[1:].capitalize()
    return name.capitalize()


class NameList(NamedTuple):
    names: tuple[str, ...]
    cum: tuple[float, ...]  # cumulative census frequency, for drawing by frequency
    hard: tuple[str, ...]  # the names that are hard words, core ones listed three times


class Census(NamedTuple):
    last: NameList
    female: NameList
    male: NameList


def _data_file() -> bytes:
    return files("anonlab.datasets").joinpath("data").joinpath(_NAMES_FILE).read_bytes()


@functools.cache
def load_census() -> Census:
    """The embedded census name lists, checked against their SHA-256 (read once)."""
    try:
        raw = _data_file()
    except OSError as exc:
        raise DatasetError(
            f"The embedded data file {_NAMES_FILE!r} of anonlab.datasets is missing or cannot "
            "be read; reinstall anonlab."
        ) from exc
    try:
        raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError(
            f"The embedded data file {_NAMES_FILE!r} of anonlab.datasets is not a readable gzip "
            "file: it is corrupt; reinstall anonlab."
        ) from exc
    if hashlib.sha256(raw).hexdigest() != _NAMES_SHA256:
        raise DatasetError(
            f"The embedded data file {_NAMES_FILE!r} of anonlab.datasets does not match its "
            "recorded SHA-256: it is corrupt; reinstall anonlab."
        )
    lists: dict[str, tuple[list[str], list[float]]] = {
        "last": ([], []),
        "female": ([], []),
        "male": ([], []),
    }
    for line in raw.decode("ascii").splitlines()[1:]:
        which, name, frequency, _rank = line.split("\t")
        names, cum = lists[which]
        names.append(proper(name))
        cum.append((cum[-1] if cum else 0.0) + float(frequency))

    def name_list(which: str) -> NameList:
        names, cum = lists[which]
        hard = [x for x in names if x.lower() in HARD_WORDS]
        hard += [x for x in names if x.lower() in CORE_HARD_WORDS] * 2
        return NameList(tuple(names), tuple(cum), tuple(hard))

    return Census(name_list("last"), name_list("female"), name_list("male"))
