"""Property tests: guarantees of the profile over generated data."""

from __future__ import annotations

import json

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import anonlab

# Valid SSNs: area 001-899 except 666, group 01-99, serial 0001-9999.
ssns = st.builds(
    lambda a, g, s: f"{a:03d}-{g:02d}-{s:04d}",
    st.integers(1, 899).filter(lambda a: a != 666),
    st.integers(1, 99),
    st.integers(1, 9999),
)
emails = st.builds(
    lambda user, host, tld: f"{user}@{host}.{tld}",
    st.from_regex(r"[a-z][a-z0-9.]{2,10}[a-z0-9]", fullmatch=True),
    st.from_regex(r"[a-z]{3,10}", fullmatch=True),
    st.sampled_from(["com", "org", "net", "io", "de"]),
)
column_names = st.sampled_from(["ssn", "email", "contact", "col_1", "value", "id_number"])

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def rendered(profile: anonlab.Profile) -> str:
    return "\n".join(
        [
            json.dumps(profile.to_dict()),
            profile._repr_html_(),
            repr(profile),
            profile.to_frame(backend="polars").write_csv(),
        ]
    )


@SETTINGS
@given(
    values=st.lists(st.one_of(ssns, emails), min_size=20, max_size=60, unique=True),
    name=column_names,
    nulls=st.integers(0, 5),
)
def test_no_identifier_value_is_ever_shown(values: list[str], name: str, nulls: int) -> None:
    """Whatever a column of SSNs and e-mails (mixed in any proportion) is called, none of its
    values appears in any rendering of the profile."""
    # repeat some values so they become "top values" that a careless profile would print
    column = values + values[:5] + [None] * nulls
    prof = anonlab.profile(pl.DataFrame({name: column}))
    assert prof[name].masked
    text = rendered(prof)
    assert not [v for v in values if v in text]


@SETTINGS
@given(
    identifiers=st.lists(st.one_of(ssns, emails), min_size=1, max_size=5, unique=True),
    filler=st.lists(st.sampled_from(["n/a", "unknown", "-", "pending"]), min_size=20,
                    max_size=60),
)
def test_a_few_identifiers_among_junk_are_still_masked(identifiers: list[str],
                                                       filler: list[str]) -> None:
    """Too few to name the column's kind, but still never shown (the masking safety net)."""
    column = filler + identifiers + identifiers  # seen twice: a top-value candidate
    prof = anonlab.profile(pl.DataFrame({"remarks": column}))
    assert prof["remarks"].masked
    assert prof["remarks"].detection.seen
    text = rendered(prof)
    assert not [v for v in identifiers if v in text]


@SETTINGS
@given(
    values=st.lists(ssns, min_size=20, max_size=60, unique=True),
    name=column_names,
)
def test_a_column_of_valid_ssns_is_always_detected(values: list[str], name: str) -> None:
    prof = anonlab.profile(pl.DataFrame({name: values}))
    assert prof[name].kind is anonlab.Kind.SSN
    assert prof[name].masked


@SETTINGS
@given(
    frame=st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(-(2**40), 2**40)),
            st.one_of(st.none(), st.text(max_size=8)),
            st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
        ),
        max_size=50,
    )
)
def test_statistics_agree_with_polars(frame: list[tuple]) -> None:
    df = pl.DataFrame(frame, schema={"i": pl.Int64, "s": pl.String, "f": pl.Float64},
                      orient="row")
    prof = anonlab.profile(df)
    for name in df.columns:
        s = df.get_column(name)
        col = prof[name]
        assert col.rows == df.height
        assert col.nulls == s.null_count()
        assert col.distinct == s.drop_nulls().n_unique()
        assert sum(n for _, n in col.top_values) <= df.height - s.null_count()
        assert all(n >= 2 for _, n in col.top_values)
        counts = [n for _, n in col.top_values]
        assert counts == sorted(counts, reverse=True)
    i = prof["i"]
    if not i.masked and df.get_column("i").drop_nulls().len():
        assert (i.min, i.max) == (df.get_column("i").min(), df.get_column("i").max())
