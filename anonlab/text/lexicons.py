"""Name lexicons and the common words that keep them from swallowing ordinary prose.

The surname and given-name lists are the US Census Bureau's 1990 frequency lists (public domain;
see ``data/ATTRIBUTION.md``), loaded once on first use. Many entries are also ordinary English
words (``will``, ``hope``, ``grant``, ``young``, ``patient``, ``stable``...): :data:`COMMON_WORDS`
lists such words, and the name finder accepts one of them as a name only where the context says
so (a title, a relation, a given name before a surname, the record's own name).

The common-word list is written by hand: no English word list small enough to ship and free to
redistribute covers the clinical vocabulary of notes, and this list only needs the words that
collide with the name lists.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

__all__ = ["COMMON_WORDS", "given_names", "surnames"]


def _load(name: str) -> tuple[str, ...]:
    raw = resources.files("anonlab.text").joinpath("data").joinpath(name).read_bytes()
    return tuple(gzip.decompress(raw).decode("ascii").split())


@cache
def surnames() -> frozenset[str]:
    """The 88,799 surnames of the 1990 Census, lower-cased."""
    return frozenset(_load("census_1990_surnames.txt.gz"))


@cache
def surname_rank() -> dict[str, int]:
    """Each surname's frequency rank (1 is the most frequent)."""
    return {name: i + 1 for i, name in enumerate(_load("census_1990_surnames.txt.gz"))}


@cache
def given_names() -> frozenset[str]:
    """The 5,163 given names of the 1990 Census (female and male lists), lower-cased."""
    return frozenset(_load("census_1990_given_names.txt.gz"))


COMMON_WORDS: frozenset[str] = frozenset(
    str.split("""
    a about above abuse across act active acute add added after again against age aged ago aid air
    alert all allergies allergy also alternate am an and angel any april are arm art as ask at
    august autumn baby back bad bag ball band bank bar base bath bay be beach bear bed bell belt
    bench berry best better big bill bird bishop black blank blood blue board body bond bone boss
    both bottom bow box boy brain branch brand bread breast bridge bright brook brother brown budget
    bull burn bush but buy by call called came camp can cap car card care case cash castle cat
    center chance change chapel charge chase check cheek chest chief child choice church city clear
    clerk close coach coat cold collar come common cook cool copper corn cost could count counter
    course court cover cross crown cry cup cure current cut daily dale dark date dawn day deal dear
    december deep dell diet do doctor does dollar done door dose double dove down dr draw dream
    dress drink drive drop dry due dull during dust each early east easy eat edge eight either else
    end english enough even ever every eye face fair faith fall far farm farmer fast father feb
    february fee feel fell few field fine finger fish five flat fleet floor flower fold follow food
    foot for forest form fort forward four fox free friday from front full gale game garden gate gay
    gentle german get gift given glad glass go gold golden good grace grade grant gray great green
    grey gross ground grove guard guest had half hall hand hard harvest has have hay he head heal
    health heart heat help her here high hill him his history hold holiday holly home honey hope
    horn horse host hot house how hunt ice if ill in inch iron is it its ivy jan january jewel job
    joy judge july jump june just keen keep kind king kitchen lake land lane large last late law
    lawyer lay lead leaf lean left leg less let level life light like limb lime line lion little
    live liver lock long look lord love low luck lung made mail main major make man march mark
    market marsh master match may mayor me meal means medical mercy merry middle might mild mill
    mine minor miss monday money month moon more morning most mother mount much music must my nail
    name near
    neck need never new news next nice night nine no noble none north not note nov november now
    nurse oak oct october of off oil old on once one only open or orange other our out over page
    pain pair palm parish park part partner pass past patient pay peace peach pearl penny people per
    person phone pine pink place plain plan plant play plenty plus pond pool poor pope post pound
    power pray price prince prior proud pure queen quick rain ranger rapid rare rather ray read
    ready reason record red rest review rice rich ride right ring rise river road robin rock rose
    rough round rule rush sage saint sale salt same sand saturday say school sea season second see
    seen sell send sept september set seven several shall sharp she ship shore short should show
    sick side sign silver simple since single sister six skin slow small snow so some son soon sound
    south spring square stable staff stand star start state stay steel step still stone stop storm
    story strange street strong such sugar summer sun sunday sure sweet table tall temple ten test
    than that the their them then there these they thing this those three through thursday time to
    today told too top tower town trail tree true tuesday turn twin two under union until up upper
    us use very vine visit wait walk wall ward warm wash watch water way we wear weather wednesday
    week weight well were west what when where which white who whole why wide wild will win wind
    window winter wise with within wolf wood word work worth would year yes yet you young your
    rash driver visiting service services amber clinic center centre hospital nursing kaiser
    permanente shield keepers comfort
    """)
)
"""Ordinary English and clinical words that are also in the Census name lists."""
