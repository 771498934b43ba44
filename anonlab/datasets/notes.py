"""A labelled corpus of synthetic clinical notes, for measuring free-text scrubbers.

Each note is assembled sentence by sentence from templates whose slots write either plain text
or an identifier; an identifier's character offsets are recorded at the moment it is written,
so the labels are exact by construction and never recovered by searching the finished text.

The identity of each note's patient is a row of :func:`anonlab.datasets.patients`. The names of
the other people in the notes (relatives, clinicians, neighbours) are drawn from the 1990 US
Census frequency lists shipped in ``data/census1990_names.tsv.gz`` (public domain; see
``data/ATTRIBUTION.md``), checked against their recorded SHA-256 on first use.

All randomness comes from one :func:`numpy.random.default_rng`: uniform floats are drawn in
blocks and consumed one at a time by the per-note Python code, so a corpus is identical on every
machine for the same ``n`` and ``seed``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from anonlab._validation import check_int
from anonlab.datasets._census_names import Census, load_census
from anonlab.datasets._note_templates import compose
from anonlab.datasets._note_writer import Draws, Note, Record
from anonlab.datasets.patients import COLUMNS as _PATIENT_COLUMNS
from anonlab.datasets.patients import patients

__all__ = ["COLUMNS", "IDENTITY_COLUMNS", "KINDS", "MAX_NOTES", "SPANS_DTYPE", "clinical_notes"]

#: The identifier kinds a span can carry, in the order of the labelling rules.
KINDS: tuple[str, ...] = (
    "name",
    "date",
    "age",
    "phone",
    "ssn",
    "email",
    "url",
    "ip",
    "address",
    "zip",
    "mrn",
)

#: The columns taken over from :func:`anonlab.datasets.patients`, in order.
IDENTITY_COLUMNS: tuple[str, ...] = (
    "name",
    "email",
    "phone",
    "ssn",
    "mrn",
    "address",
    "city",
    "zip",
    "date_of_birth",
    "sex",
    "admission_date",
    "discharge_date",
)

#: The dtype of the ``spans`` column.
SPANS_DTYPE = pl.List(pl.Struct({"start": pl.Int64, "end": pl.Int64, "kind": pl.String}))

#: Column names and polars dtypes of :func:`clinical_notes`, in order.
COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    **{name: _PATIENT_COLUMNS[name] for name in IDENTITY_COLUMNS},
    "note": pl.String,
    "spans": SPANS_DTYPE,
}

#: The largest ``n`` (notes are written one by one in Python, about 15,000 a second).
MAX_NOTES = 1_000_000


def _phone_parts(phone: str) -> tuple[int, int, int]:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 11:
        digits = digits[1:]
    return int(digits[:3]), int(digits[3:6]), int(digits[6:])


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _records(
    frame: pl.DataFrame, d: Draws, census: Census
) -> tuple[list[Record], list[str], list[str]]:
    """The patients' records, a quarter renamed with hard-word names (new names and e-mails)."""
    cols = {c: frame.get_column(c).to_list() for c in frame.columns}
    dx_codes, dxs = cols["diagnosis_code"], cols["diagnosis"]
    records: list[Record] = []
    names: list[str] = cols["name"]
    emails: list[str] = cols["email"]
    for i in range(frame.height):
        first, last = names[i].split(" ", 1)
        female = cols["sex"][i] == "F"
        email = emails[i]
        if d.chance(0.25):
            firsts = census.female if female else census.male
            mode = d.below(3)
            if mode != 1:
                first = d.pick(firsts.hard)
            if mode != 0:
                last = d.pick(census.last.hard)
            local = f"{first}.{last}".lower().replace("'", "")
            if d.chance(0.5):
                local += str(d.between(1, 99))
            email = f"{local}@{email.split('@', 1)[1]}"
            names[i], emails[i] = f"{first} {last}", email
        dob, adm = cols["date_of_birth"][i], cols["admission_date"][i]
        records.append(
            Record(
                first=first,
                last=last,
                female=female,
                email=email,
                phone=_phone_parts(cols["phone"][i]),
                ssn=cols["ssn"][i],
                mrn=cols["mrn"][i],
                address=cols["address"][i],
                city=cols["city"][i],
                zip=cols["zip"][i],
                dob=dob,
                adm=adm,
                dis=cols["discharge_date"][i],
                age=_age(dob, adm),
                dx_code=dx_codes[i],
                dx=dxs[i],
            )
        )
    return records, names, emails


def clinical_notes(n: int = 500, seed: int = 0) -> pl.DataFrame:
    """A labelled corpus of synthetic clinical notes, with every identifier's exact offsets.

    Each row is a patient of :func:`patients` (same ``n`` and ``seed``; a quarter renamed, see
    *hard cases*) and a note about them of 2 to 8 sentences (a header line counts as one),
    drawn from 105 templates: an optional header line, one of 11 openings, then history of
    present illness, past history, social and family history, examination and labs, hospital
    course, plan, contacts and administrative lines, each section on its own line and usually
    labelled ("HPI:", "Plan:"). Every identifier in the note is listed in ``spans`` with its
    character offsets, recorded while the note was written (never found afterwards by
    searching), so ``note[start:end]`` is the identifier's exact text. Notes are ASCII, so
    character and byte offsets agree. Nothing describes a real person.

    The corpus is meant to measure free-text scrubbers; it was written without reference to
    any scrubber. A 500-note corpus holds about 5,000 spans, at least 30 of each kind.

    Parameters
    ----------
    n : int, default 500
        Number of notes, from 0 (an empty frame with the full schema) to 1,000,000.
    seed : int, default 0
        Seed of the random generator (an int >= 0). The same ``n`` and ``seed`` always give the
        identical frame; another seed gives other patients and other notes.

    Returns
    -------
    polars.DataFrame
        ``n`` rows and 14 columns: the identity columns of :func:`patients` (``name``,
        ``email``, ``phone``, ``ssn``, ``mrn``, ``address``, ``city``, ``zip``,
        ``date_of_birth``, ``sex``, ``admission_date``, ``discharge_date``), then ``note``
        (String) and ``spans`` (List of Struct{``start``: Int64, ``end``: Int64, ``kind``:
        String}), sorted by ``start`` and never overlapping.

    Raises
    ------
    ParameterError
        ``n`` or ``seed`` is not a non-negative int, or ``n`` is over 1,000,000.

    Notes
    -----
    **Labelling rules.** The kinds follow the HIPAA Safe Harbor identifiers of 45 CFR
    164.514(b)(2) that occur in free text; every span carries one of:

    ``name``
        Any person's name: the patient ("Maria Garcia", "Maria", "Garcia", "GARCIA, Maria",
        "MARIA GARCIA"), relatives ("her daughter Hope", "son Will Grant") and clinicians
        ("Dr. Okafor", "Hope Bishop, NP"). Titles and roles ("Dr.", "Mr.", "Ms.", "Mrs.",
        "daughter", ", MD") are outside the span, as is a possessive "'s" ("Garcia's" labels
        "Garcia"). "LAST, First" is one span. Names other than the record's are drawn from the
        1990 US Census frequency lists.
    ``date``
        Every date element more specific than a year, in about 20 formats: "2023-01-10",
        "01/10/2023", "1/10/2023", "1/10/23", "10.01.2023", "Jan 10, 2023", "Jan. 10, 2023",
        "January 10, 2023", "January 10th, 2023", "10 January 2023", "10-Jan-2023",
        "20230110", "10th of January" (in "the 10th of January", "the" is outside), "Monday,
        January 10" (the weekday inside), "January 10", "January 10th", "Jan 10th", "1/10"
        (month/day), and month with year: "January 2023", "Jan 2023", "01/2023". Dates of
        birth, admission and discharge are the record's; others lie around the stay. A bare
        year ("in 2019", "since 2015") is *not* labelled.
    ``age``
        Ages over 89 only: the number in "92-year-old", "92 year old", "93 yo", "95 y/o",
        "age 91", "aged 94", "91F" / "93 M", or the number word in "ninety-three years old".
        Ages of 89 and under are plain text and common (the patient's own age in most notes,
        relatives aged 78-89).
    ``phone``
        Phone and fax numbers: "4155552671", "(415) 555-2671", "415-555-2671",
        "415.555.2671", "+1 415 555 2671", "+1 (415) 555-2671", "1-415-555-2671",
        "415 555 2671". A following "ext. 23" is outside the span.
    ``ssn``
        Social security numbers: "123-45-6789", "123 45 6789", "123456789"; the label word
        ("SSN:", "social security number") is outside.
    ``email``
        E-mail addresses (the patient's, relatives', staff's).
    ``url``
        Web addresses: "https://...", "http://...", "www.caringbridge.org/visit/...",
        "portal.example-health.com/p/123" (a sentence's final period is outside).
    ``ip``
        IPv4 addresses, and a few IPv6 ("2601:...").
    ``address``
        Street lines ("1234 N Main St", "56 Oak Avenue Apt 3B", "PO Box 123"; the record's
        own address mostly, others for pharmacies and relatives) and city names written in the
        note ("lives in Honolulu"). In "Honolulu, HI 96826" the city and the ZIP are spans and
        the state is not (a state is not a Safe Harbor identifier).
    ``zip``
        ZIP codes, 5-digit and ZIP+4 ("02139", "02139-4307").
    ``mrn``
        Record, account, plan and device numbers: the code in "MRN: 0048213", "MRN 48213",
        "medical record number 48213", "acct #123456", "account number 55-1234-9",
        "member ID XJH482910", "policy 1EG4-TE5-MK73", "Rx #0049321", "serial PJN602281S",
        "driver's license D4829103". The label words are outside the span, except the
        record's own "MRN-0048213" (as the ``mrn`` column writes it), which is labelled
        whole.

    **Hard cases.** A quarter of the patients are renamed, and about a third of the other
    people are drawn, with names that are everyday words (Rose, Hope, Will, Grant, Young,
    White, Brown, Hall, Mark, May, June, Bill, Faith, Joy, Frank, Dean, Page, Price, Long,
    Little, Rich, Bishop, King, Wood, Stone, Black, Green, Lane, Summer, Amber, Ivy, Walker,
    Burns, Short, Sharp, ...), so that well over 15% of the name spans are such words. The
    same words occur unlabelled as ordinary words: "Will follow up", "may increase", "Marked
    improvement", "hospital bill", "grant application", "Hope is to discharge", "BP rose",
    "no frank blood", "Brown sputum", "kidney stone", "walks with a walker", "short of
    breath", "sharp pain", "little change", "long-standing".

    **Unlabelled look-alikes** appear in most notes: vital signs and labs ("BP 132/84",
    "HR 88", "temp 98.6 F", "SpO2 94%", "WBC 12.3"), doses and frequencies ("120 mg",
    "15 mg/kg", "1/2 tablet", "2 x 500 mg", "q6h"), scores ("pain 7/10", "Strength 4/5",
    "Grade 3", "level 2", "x3"), ICD-10 codes ("I10", "E11.9"), times ("at 10:30"), room
    numbers, durations ("20 years of smoking"), bare years and ages of 89 and under.

    Examples
    --------
    >>> from anonlab.datasets import clinical_notes
    >>> corpus = clinical_notes(100, seed=1)
    >>> corpus.columns[-2:]
    ['note', 'spans']
    >>> row = corpus.row(0, named=True)
    >>> all(row["note"][s["start"]:s["end"]] for s in row["spans"])
    True
    """
    check_int(n, "n", "clinical_notes", min_value=0, max_value=MAX_NOTES)
    check_int(seed, "seed", "clinical_notes", min_value=0)
    import pyarrow as pa  # only here: importing anonlab stays light

    frame = patients(n, seed)
    census = load_census()
    # A stream of its own, so these draws never correlate with the patient table's.
    d = Draws(np.random.default_rng([seed, 0x6E6F746573]))
    records, names, emails = _records(frame, d, census)
    notes: list[str] = []
    offsets = [0]
    starts: list[int] = []
    ends: list[int] = []
    kinds: list[str] = []
    for rec in records:
        note = Note(d, census, rec)
        notes.append(compose(note))
        for start, end, kind in note.spans:
            starts.append(start)
            ends.append(end)
            kinds.append(kind)
        offsets.append(len(starts))
    spans = pa.ListArray.from_arrays(
        pa.array(offsets, pa.int32()),
        pa.StructArray.from_arrays(
            [
                pa.array(starts, pa.int64()),
                pa.array(ends, pa.int64()),
                pa.array(kinds, pa.large_string()),
            ],
            names=["start", "end", "kind"],
        ),
    )
    out = frame.select(IDENTITY_COLUMNS).with_columns(
        pl.Series("name", names, dtype=pl.String),
        pl.Series("email", emails, dtype=pl.String),
        pl.Series("note", notes, dtype=pl.String),
        pl.Series("spans", spans).cast(SPANS_DTYPE),
    )
    return out
