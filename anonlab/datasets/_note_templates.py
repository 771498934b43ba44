"""The sentence templates of the synthetic clinical notes, and how a note is assembled.

A template is a sentence with slots: ``{slot}`` calls ``Note.slot_<slot>`` (``{Slot}``
capitalizes what it writes first) and ``[a|b|c]`` picks one literal alternative. A note is an
optional header line, an opening sentence, then further sentences sorted into sections (history,
social history, examination, course, plan, contacts, administrative lines).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import NamedTuple

from anonlab.datasets._note_writer import Note

__all__ = ["OPENINGS", "TEMPLATES", "compose"]

# Section labels, by section number; a note uses them or none at all.
_SECTIONS = (
    (),  # header lines: no label
    ("HPI:", "History of present illness:", "Subjective:"),
    ("PMH:", "Past medical history:", "History:"),
    ("Social history:", "SH:", "Social/family history:"),
    ("Exam:", "Objective:", "Vitals/labs:"),
    ("Hospital course:", "Course:"),
    ("Plan:", "Assessment and plan:", "A/P:"),
    ("Contacts:", "Contact information:"),
    ("Follow-up:", "Disposition:", "Administrative:"),
)
_HEADER = 0

#: The opening sentences; every note has exactly one.
OPENINGS = (
    "{Pt_full} is {a_age} {sexword} [admitted|who presented to the ED] on {adm} with {dx_lc} "
    "({dxcode}).",
    "{A_age} {sexword} (DOB {dob}) presenting with {complaint} since {recent}.",
    "{Pt_title} was [seen|evaluated] on {adm} for {complaint}; symptoms began on {recent}.",
    "{Pt_full} ({age_sex}) was admitted {adm} via the emergency department for {dx_lc}.",
    "Seen in clinic on {adm} for follow-up of {pmh}; {pt_title} reports {complaint}.",
    "{Pt_lastfirst} was admitted on {adm} and discharged on {dis} after treatment for {dx_lc}.",
    "{Pt_title} is {a_age} {sexword} with a history of {pmh} since {year} who presents with "
    "{complaint}.",
    "Presents with {complaint}. {Pt_full}, age {age_num}, arrived on {adm} after {event}.",
    "{Pt_first} is {a_age} {sexword} brought in by {poss} {rel} on {adm} with {complaint}.",
    "Admitted {adm} for {dx_lc}; {pt}, aged {age_num}, lives in {city}.",
    "{Pt} ({age_sex}) seen on {adm} for {complaint}; last well on {recent_weekday}.",
)

#: The other templates: (section, weight, adults only, text); section 0 is the header line.
TEMPLATES: tuple[tuple[int, float, bool, str], ...] = (
    # header lines
    (0, 3, False, "Patient: {pt_lastfirst}   DOB: {dob}   {mrn_record}"),
    (0, 3, False, "{Pt_upper} | {mrn_record} | Admit {adm_y} | Discharge {dis_y}"),
    (0, 2, False, "Name: {pt_full}. DOB {dob}. SSN {ssn}. Phone {phone}."),
    (0, 2, False, "RE: {pt_full} (DOB {dob}), {addr}, {city}, {state} {zip}"),
    (0, 2, False, "Date of service: {adm_y}. Attending: {dr_full}. MRN: {mrn}."),
    # history of present illness
    (
        1,
        3,
        False,
        "Symptoms started on {recent} and have [worsened|been intermittent] over the "
        "past {n} days.",
    ),
    (
        1,
        3,
        False,
        "{Pron} was last seen by {dr} on {past}, when {pron} [was doing well|had no complaints].",
    ),
    (
        1,
        2,
        False,
        "{Poss} {rel} brought {obj} in and reports {pron} has been more confused since "
        "{recent_weekday}.",
    ),
    (
        1,
        2,
        False,
        "Per {pt_poss} {rel_role}, {pron} [fell at home|missed several doses] on {recent}.",
    ),
    (1, 2, False, "{Pron} rates the pain {pain}/10 and took {analgesic} at {time} without relief."),
    (1, 2, False, "Denies chills; {pron} may have had a temperature of {temp} F at home."),
    (1, 2, False, "Referred by {dr_full} after an abnormal {test} on {past}."),
    (
        1,
        1,
        True,
        "{Pron} is a little short of breath walking to the mailbox, no change from baseline.",
    ),
    # past history
    (2, 2, True, "History of {pmh} diagnosed in {year}, on {med_dose} {freq}."),
    (2, 2, True, "{Proc} in {past_my} at an outside hospital; last {test} on {past_y}."),
    (2, 2, True, "Prior admission {past} for {pmh}, discharged to {dispo}."),
    (2, 2, False, "Problem list (ICD-10): {dxcode} {dx}; I10 hypertension; E78.5 hyperlipidemia."),
    (2, 1, False, "Immunizations: influenza vaccine on {past}, Tdap in {year}."),
    (2, 2, True, "No change in {med} dose since {year}; A1c {a1c}% in {year}."),
    (2, 1, False, "Allergies: penicillin (hives, {year}); sulfa (rash)."),
    (2, 1, True, "Records requested from {dr_poss} office on {recent}."),
    # social and family history
    (3, 3, False, "Lives with {poss} {rel} at {addr} in {city}."),
    (3, 3, False, "{Pron} lives in {city} with {poss} {old_rel_end}."),
    (3, 1, False, "Lives with {poss} {old_kin} (aged {age_old}) and a home aide."),
    (
        3,
        2,
        True,
        "Former smoker, {packyears} pack-years ({smoke_years} years of smoking), quit in {year}.",
    ),
    (3, 1, True, "Drinks {drinks} beers per week; no illicit drug use."),
    (3, 2, True, "Works as a {job}; {poss} {rel_role} {rel_full} is the primary caregiver."),
    (
        3,
        3,
        False,
        "Family history: [mother|father] died at age {age_young} of {fhx}; "
        "{old_kin}, age {age_old}, has {fhx}.",
    ),
    (3, 2, False, "{Poss} {old_role}, who is {age_word} years old, helps with meals."),
    (3, 1, True, "Married to {spouse} since {year}; they have {nkids} children."),
    (3, 1, True, "{Pron} hopes to be back to {poss} usual activities by {fut_my}."),
    (3, 1, True, "Walks two blocks with a walker; uses a cane at home and cannot cook."),
    (3, 2, False, "Moved to {city} from {city_other} in {year}."),
    (3, 1, True, "Attends church with {poss} {rel}; faith is important to {obj}."),
    (3, 2, False, "Lives at {addr_line}."),
    (
        3,
        2,
        False,
        "Neighbor {other_full} checks on {obj} daily; {other_first} can be reached at "
        "{phone_other}.",
    ),
    (3, 2, False, "{Poss} {old_rel} lives nearby; {pron} has visited daily since {past_my}."),
    (3, 1, True, "Shovels snow and chops wood in the winter; enjoys art and walks in the park."),
    # examination and labs
    (4, 4, False, "Vitals: BP {bp}, HR {hr}, RR {rr}, temp {temp} F, SpO2 {spo2}% on room air."),
    (4, 3, False, "Labs on {hosp}: WBC {wbc}, Hgb {hgb}, Cr {cr}, K {k}."),
    (4, 2, False, "Strength {strength}/5 in the left upper extremity; reflexes 2+ and symmetric."),
    (4, 2, False, "Pain {pain}/10 at {time}, improved to {pain_low}/10 after {analgesic}."),
    (4, 2, False, "Brown sputum, no frank blood; green sputum on {hosp_md}."),
    (4, 1, False, "Black, tarry stools x{grade}; guaiac positive."),
    (
        4,
        2,
        False,
        "CT on {hosp} showed a {size} mm kidney stone with Grade {grade} hydronephrosis.",
    ),
    (4, 2, False, "Weight {weight} kg, height {height} cm; white count {wbc}."),
    (4, 2, False, "BP rose to {bp} overnight; HR {hr} in sinus rhythm."),
    (
        4,
        2,
        False,
        "Marked improvement in edema; little change in appetite; long-standing murmur unchanged.",
    ),
    (
        4,
        1,
        False,
        "Amber urine, sharp pain at the costovertebral angle; small amount of white discharge.",
    ),
    (4, 2, False, "Alert and oriented x3; no focal deficits. Small bruise on the left shin."),
    (4, 1, False, "Rash from poison ivy last summer has resolved; skin warm and dry."),
    # hospital course
    (
        5,
        3,
        False,
        "Started on {med_dose} {freq} on {hosp} and transitioned to oral {med} on {hosp_md}.",
    ),
    (5, 3, False, "Seen by {spec} ({dr}) on {hosp}, who recommended {test}."),
    (5, 2, False, "{Pt} walked the hall with PT on {hosp}; level 2 fall risk."),
    (5, 2, False, "Transferred to room {room} on {hosp} at {time}."),
    (
        5,
        2,
        False,
        "Case discussed with {dr_full}; {pt_poss} {rel} was updated by phone at {rel_phone}.",
    ),
    (5, 2, False, "Nurse {nurse_full} paged the on-call resident at {time} for {page_reason}."),
    (5, 2, False, "Blood cultures from {hosp} with no growth after {n} days."),
    (5, 1, False, "Vancomycin 15 mg/kg IV q12h from {hosp_md}; enoxaparin 1 mg/kg for DVT."),
    (5, 1, False, "Video visit with {spec} on {hosp_md} from IP {ip}; audio dropped twice."),
    (5, 3, False, "Discharged on {dis} in stable condition to {dispo}."),
    (5, 2, False, "Given 1/2 tablet of {tablet} and 2 x 500 mg acetaminophen on {hosp}."),
    # plan
    (6, 3, False, "Will follow up with {pcp} on {fut} at {clinic_time}."),
    (6, 3, False, "Will continue {bp_med}; may increase if BP remains above {bp}."),
    (6, 2, False, "Repeat labs on {fut_weekday}; {pron} will mark symptoms in a diary."),
    (6, 2, False, "Return to clinic in {n} weeks, or sooner if worse; next appointment {fut}."),
    (6, 2, False, "Discussed with {pt} and {poss} {rel}; both agree with the plan."),
    (6, 2, True, "May return to work on {fut}; note provided for {poss} employer."),
    (6, 2, False, "Referral to {spec} ({dr_full}, fax {phone_other}) placed on {dis}."),
    (6, 1, True, "Social work to help with the hospital bill and a disability grant application."),
    (6, 1, True, "{Pron} will get a bill for the ambulance; a charity grant may cover the copay."),
    (6, 2, False, "Hope is to discharge home by {fut_md} if pain is controlled."),
    (6, 1, True, "Frank discussion with {pt_title} about goals of care; {pron} remains full code."),
    (6, 2, False, "Follow up in {n} weeks with {spec}; labs in {fut_my}."),
    # contacts
    (7, 3, False, "Emergency contact: {rel_full} ({rel_role}), {rel_phone}."),
    (7, 3, False, "Patient phone: {phone}; email {email}."),
    (7, 2, False, "Best number is {phone} ext. {ext}; alternate {phone_other}."),
    (7, 2, False, "{Pt_poss} {rel_role} can be reached at {rel_phone} or {rel_email}."),
    (7, 2, False, "Home address: {addr}, {city}, {state} {zip}."),
    (7, 2, False, "Mailing address: {pobox}, {city}, {state} {zip}."),
    (7, 2, False, "Please send records by fax to {phone_other} (attn: {nurse_full})."),
    (7, 1, False, "Caregiver {nurse_first} from {agency} at {phone_other}."),
    (7, 1, False, "Questions to {email_staff} or the clinic at {phone_other}."),
    # administrative
    (8, 3, False, "SSN: {ssn}. Insurance: {insurer}, member ID {member}."),
    (8, 3, False, "[MRN:|MRN|MR#] {mrn}; acct #{acct}."),
    (8, 2, False, "Patient portal: {url}; last login from IP {ip} on {recent}."),
    (8, 2, False, "Telehealth link sent to {email}: {url}"),
    (8, 2, False, "Remote monitoring device (serial {serial}) reporting from {ip} since {past}."),
    (
        8,
        2,
        False,
        "Prescriptions sent: Rx #{rx} and Rx #{rx} to the pharmacy at {addr_other}, {city}.",
    ),
    (8, 2, False, "Billing: account number {acct}, {insurer} policy {member}."),
    (8, 2, False, "Forms signed by {pt_full} on {dis}; witnessed by {nurse_full}."),
    (8, 1, True, "Driver's license {license} and social security number {ssn} verified."),
    (
        8,
        1,
        False,
        "Home router at {ip} registered for the remote monitor; updates posted at {url}.",
    ),
    (8, 2, False, "Electronically signed by {dr_full} on {dis_y} at {time}."),
    (
        8,
        1,
        False,
        "Medical record number {mrn}, encounter {acct}; {pt_upper} confirmed identity "
        "by phone {phone}.",
    ),
)


class _Slot(NamedTuple):
    fill: Callable[[Note], None]
    capitalize: bool


# A parsed template: literal text, a slot, or literal alternatives (one is picked).
_Segment = str | _Slot | tuple[str, ...]
_TOKEN = re.compile(r"\{(\w+)\}|\[([^\]]*)\]")


def _parse(template: str) -> tuple[_Segment, ...]:
    """A template as literal strings, slots and tuples of alternatives."""
    out: list[_Segment] = []
    pos = 0
    for m in _TOKEN.finditer(template):
        if m.start() > pos:
            out.append(template[pos : m.start()])
        if m.group(1) is not None:
            name = m.group(1)
            slot = getattr(Note, "slot_" + name.lower(), None)
            if slot is None:
                raise AssertionError(f"unknown slot {name!r} in a note template")
            out.append(_Slot(slot, name[0].isupper()))
        else:
            out.append(tuple(m.group(2).split("|")))
        pos = m.end()
    if pos < len(template):
        out.append(template[pos:])
    return tuple(out)


class _Pool(NamedTuple):
    templates: tuple[tuple[int, tuple[_Segment, ...]], ...]  # (section, parsed)
    cum: tuple[float, ...]


def _pool(adult: bool) -> _Pool:
    chosen = [(s, w, _parse(t)) for s, w, a, t in TEMPLATES if s != _HEADER and (adult or not a)]
    cum = tuple(itertools.accumulate(float(w) for _, w, _ in chosen))
    return _Pool(tuple((s, p) for s, _, p in chosen), cum)


_OPENING_TEMPLATES = tuple(_parse(t) for t in OPENINGS)
_HEADER_TEMPLATES = tuple(_parse(t) for s, _, _, t in TEMPLATES if s == _HEADER)
_HEADER_CUM = tuple(itertools.accumulate(float(w) for s, w, _, _ in TEMPLATES if s == _HEADER))
_ADULT_POOL = _pool(adult=True)
_CHILD_POOL = _pool(adult=False)
# Number of sentences (header line included) and their weights: 2 to 8.
_LENGTH_CUM = (1.0, 3.0, 6.0, 10.0, 14.0, 18.0, 21.0)


def _write(note: Note, parsed: tuple[_Segment, ...]) -> None:
    d = note.d
    for seg in parsed:
        if isinstance(seg, str):
            note.text(seg)
        elif isinstance(seg, _Slot):
            note.cap = seg.capitalize
            seg.fill(note)
            note.cap = False
        else:
            note.text(seg[d.below(len(seg))])


def compose(note: Note) -> str:
    """Write one note: a header line (sometimes), an opening sentence, then sections."""
    d = note.d
    length = 2 + d.weighted(_LENGTH_CUM)
    header = d.chance(0.45)
    pool = _ADULT_POOL if note.rec.age >= 18 else _CHILD_POOL
    want = length - 1 - header
    picked: list[int] = []
    tries = 0
    while len(picked) < want and tries < 4 * want:
        i = d.weighted(pool.cum)
        if i not in picked:
            picked.append(i)
        tries += 1
    picked.sort(key=lambda i: pool.templates[i][0])
    if header:
        _write(note, _HEADER_TEMPLATES[d.weighted(_HEADER_CUM)])
        note.text("\n")
    section = 1
    labelled = d.chance(0.75)
    if labelled:
        note.text(d.pick(_SECTIONS[1]) + " ")
    _write(note, _OPENING_TEMPLATES[d.below(len(_OPENING_TEMPLATES))])
    for i in picked:
        s, parsed = pool.templates[i]
        if s != section:
            note.text("\n")
            if labelled:
                note.text(d.pick(_SECTIONS[s]) + " ")
            section = s
        else:
            note.text(" ")
        _write(note, parsed)
    return "".join(note.parts)
