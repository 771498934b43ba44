"""The ADULT ("Census Income") extract used throughout the anonymization literature.

The data and its generalization hierarchies are the ARX Data Anonymization Tool's variant of the
UCI *Adult* data set (30,162 records, 9 attributes, no missing values), shipped inside the package
under ``anonlab/datasets/data/``; see ``ATTRIBUTION.md`` there for provenance and licences. Every
file is checked against the SHA-256 recorded below each time it is read.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Literal, overload

import polars as pl

from anonlab._validation import check_one_of
from anonlab.datasets.patients import BACKENDS, _convert
from anonlab.errors import DatasetError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["COLUMNS", "adult", "adult_hierarchies"]

#: The columns of :func:`adult`, in file order.
COLUMNS: tuple[str, ...] = (
    "sex", "age", "race", "marital-status", "education", "native-country", "workclass",
    "occupation", "salary-class",
)

_DATA_FILE = "adult.csv.gz"

# SHA-256 of each file's uncompressed content (for adult.csv, of the CSV inside the gzip file).
_SHA256: dict[str, str] = {
    "adult.csv": "c700df9304fbf3c4d4db5938bffc510561bd4a2dfad285a3feef9a20619391c5",
    "adult_hierarchy_sex.csv": "537d23f7b6969b916b5a5490eb1b32c273fefdc62ca050a7a813e23bbf3b78b2",
    "adult_hierarchy_age.csv": "463f35372e8b1ad31fc624eb73c5da9297878a044ae5d61038eaf7b431ac55ca",
    "adult_hierarchy_race.csv": "df11abf41fa0669455adc9c9f9fa88663afa0cee8327684ecca861cd32dc4209",
    "adult_hierarchy_marital-status.csv":
        "3e7ba2c4a5cd4fec059b4e3a2c57fce6e7c34a20daee1e624990ddd7beba85e5",
    "adult_hierarchy_education.csv":
        "f22e5ee519c28b05538d4e5ddea0fbee5f0017fefb3abab3fa02272325bf9ce5",
    "adult_hierarchy_native-country.csv":
        "696d3b53973311c096b33f98bb56e526016910b1a1cd5a1e904cb799d1077023",
    "adult_hierarchy_workclass.csv":
        "106f420349bf0071dbb25371795a78799edf24a64c3424619d563c3990ee8d02",
    "adult_hierarchy_occupation.csv":
        "16dc420d5d7f8ab4d1e6144eb1d19ab8314ef42523fe8c4ee202372db1c98126",
    "adult_hierarchy_salary-class.csv":
        "404895b3fcfb615813efab7ae0d2c50c8b127cec651f9b37d44a648646f86345",
}


def _data_dir() -> Traversable:
    """The folder holding the embedded files (a function, so tests can point it elsewhere)."""
    return files("anonlab.datasets").joinpath("data")


def _read_verified(resource: str, content_name: str) -> bytes:
    """The content of an embedded file, decompressed if it is gzip, checked against its hash."""
    try:
        raw = _data_dir().joinpath(resource).read_bytes()
    except OSError as exc:
        raise DatasetError(
            f"The embedded data file {resource!r} of anonlab.datasets is missing or cannot be "
            "read; reinstall anonlab."
        ) from exc
    if resource.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DatasetError(
                f"The embedded data file {resource!r} of anonlab.datasets is not a readable "
                "gzip file: it is corrupt; reinstall anonlab."
            ) from exc
    if hashlib.sha256(raw).hexdigest() != _SHA256[content_name]:
        raise DatasetError(
            f"The embedded data file {resource!r} of anonlab.datasets does not match its "
            "recorded SHA-256: it is corrupt; reinstall anonlab."
        )
    return raw


@overload
def adult(*, backend: Literal["polars"] = ...) -> pl.DataFrame: ...
@overload
def adult(*, backend: Literal["pandas"]) -> pd.DataFrame: ...
@overload
def adult(*, backend: Literal["arrow"]) -> pa.Table: ...
@overload
def adult(*, backend: str) -> pl.DataFrame | pd.DataFrame | pa.Table: ...
def adult(*, backend: str = "polars") -> pl.DataFrame | pd.DataFrame | pa.Table:
    """The ADULT census extract: 30,162 records of 9 attributes, as used by ARX.

    The UCI *Adult* (Census Income) data set, extracted from the 1994 US Census by Barry Becker,
    in the ARX Data Anonymization Tool's variant: the 9 attributes most used in anonymization
    benchmarks, and only the 30,162 training records without missing values. It is the usual
    benchmark for k-anonymity, l-diversity and t-closeness; :func:`adult_hierarchies` gives the
    matching generalization hierarchies.

    Data: Becker, B. & Kohavi, R. (1996). *Adult* [Dataset]. UCI Machine Learning Repository,
    https://doi.org/10.24432/C5XW20, licensed CC BY 4.0. See
    ``anonlab/datasets/data/ATTRIBUTION.md``.

    The embedded file is checked against its recorded SHA-256 on every call.

    Parameters
    ----------
    backend : {"polars", "pandas", "arrow"}, default "polars"
        Return a ``polars.DataFrame``, a ``pandas.DataFrame`` or a ``pyarrow.Table``.

    Returns
    -------
    polars.DataFrame or pandas.DataFrame or pyarrow.Table
        30,162 rows and 9 columns, in file order: ``sex``, ``age`` (Int64, 17 to 90), ``race``,
        ``marital-status``, ``education``, ``native-country``, ``workclass``, ``occupation``,
        ``salary-class`` (all String except ``age``). There are no nulls. A fresh frame is
        returned on each call.

    Raises
    ------
    ParameterError
        ``backend`` is unknown.
    DatasetError
        The embedded file is missing or corrupt (reinstall anonlab).

    Examples
    --------
    >>> import anonlab
    >>> df = anonlab.datasets.adult()
    >>> df.shape
    (30162, 9)
    """
    check_one_of(backend, "backend", "adult", BACKENDS)
    raw = _read_verified(_DATA_FILE, "adult.csv")
    schema = {name: (pl.Int64 if name == "age" else pl.String) for name in COLUMNS}
    try:
        df = pl.read_csv(io.BytesIO(raw), separator=";", schema=schema, quote_char=None)
    except pl.exceptions.PolarsError as exc:  # pragma: no cover - the checksum guards this
        raise DatasetError(
            f"The embedded data file {_DATA_FILE!r} of anonlab.datasets cannot be parsed; "
            "reinstall anonlab."
        ) from exc
    return _convert(df, backend)


def adult_hierarchies() -> dict[str, dict[str, tuple[str, ...]]]:
    """The generalization hierarchies of :func:`adult`, one per column.

    The hierarchies were written by the ARX team (Apache-2.0) and are embedded as they are in
    ARX's repository. For each column, every original value maps to its generalizations from
    level 1 to the most general level, which is always ``"*"`` (also how a suppressed value
    appears). Within a column all values have the same number of levels.

    Note the ARX quirk in the ``age`` hierarchy: its interval labels are shifted by one (``"0-4"``
    covers ages 1-5, ``"20-29"`` covers 21-30). The labels are kept as they are so that results
    can be compared with ARX and the literature.

    Returns
    -------
    dict of str to dict of str to tuple of str
        Column name (exactly the column names of :func:`adult`, in that order, including
        ``"salary-class"``) to a mapping from each original value, as written in the file (ages
        as strings ``"1"`` to ``"100"``), to the tuple ``(level 1, level 2, ..., "*")``. The
        dictionaries are built afresh on each call, so changing them affects nobody else.

    Raises
    ------
    DatasetError
        An embedded hierarchy file is missing or corrupt (reinstall anonlab).

    Examples
    --------
    >>> import anonlab
    >>> h = anonlab.datasets.adult_hierarchies()
    >>> h["education"]["Bachelors"]
    ('Undergraduate', 'Higher education', '*')
    >>> h["age"]["35"]  # ARX's labels are shifted by one: "30-34" covers 31-35
    ('30-34', '30-39', '20-39', '*')
    """
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for column in COLUMNS:
        name = f"adult_hierarchy_{column}.csv"
        text = _read_verified(name, name).decode("utf-8")
        out[column] = {
            parts[0]: tuple(parts[1:])
            for parts in (line.split(";") for line in text.splitlines() if line)
        }
    return out
