"""Transforms: the operations a recipe applies to columns, each a small registered class.

Importing this package registers the built-in transforms. See :mod:`anonlab.transforms.base`
for how a transform is built and :func:`register_transform` to add your own.

=====================  =============================================================
op                     what it does
=====================  =============================================================
``keep``               leave the column as it is (an explicit decision, recorded)
``drop``               remove the column
``redact``             replace every value with a constant
``scrub``              replace identifiers found inside free text
``mask``               hide characters, keeping the first/last few or a value's format
``hash``               keyed HMAC-SHA256 / BLAKE2b digest, truncated and encoded
``pseudonymize``       consistent tokens per value, keyed or sequential
``generalize``         intervals, periods, prefixes or hierarchy levels
``top_bottom_code``    pool the extremes (ages over 89 -> ``90+``)
``round``              round to a multiple
``noise``              seeded Laplace or Gaussian noise in the data's units
``date_shift``         a keyed random offset per individual
``shuffle``            permute one column (optionally within groups)
``pram``               post-randomization of a category by a transition matrix
``microaggregate``     replace values by their group's mean or median, groups >= k
``suppress_rare``      replace values seen fewer than n times
``suppress_records``   drop rows by predicate or by class size under k
``local_suppress``     blank the fewest cells that make every class reach k
``suppress_outliers``  set every quasi-identifier to ``*`` in classes breaking the targets
``hipaa_zip3``         first three ZIP digits; restricted prefixes (population <= 20,000) -> ``000``
=====================  =============================================================
"""

from anonlab.transforms import (
    aggregation,
    basic,
    coding,
    generalization,
    hashing,
    masking,
    outliers,
    perturbation,
    suppression,
    text,
    zip3,
)
from anonlab.transforms.aggregation import Microaggregate
from anonlab.transforms.base import Context, Transform, dtype_family
from anonlab.transforms.basic import Drop, Keep, Redact
from anonlab.transforms.coding import Round, TopBottomCode
from anonlab.transforms.generalization import Generalize
from anonlab.transforms.hashing import Hash, Pseudonymize, UnkeyedHashWarning
from anonlab.transforms.masking import Mask
from anonlab.transforms.outliers import SuppressOutliers
from anonlab.transforms.perturbation import DateShift, Noise, Pram, Shuffle
from anonlab.transforms.registry import (
    register_transform,
    registered_transforms,
    transform_class,
    transform_from_dict,
)
from anonlab.transforms.suppression import LocalSuppress, SuppressRare, SuppressRecords
from anonlab.transforms.text import Scrub
from anonlab.transforms.zip3 import HipaaZip3

__all__ = [
    "Context",
    "DateShift",
    "Drop",
    "Generalize",
    "Hash",
    "HipaaZip3",
    "Keep",
    "LocalSuppress",
    "Mask",
    "Microaggregate",
    "Noise",
    "Pram",
    "Pseudonymize",
    "Redact",
    "Round",
    "Scrub",
    "Shuffle",
    "SuppressOutliers",
    "SuppressRare",
    "SuppressRecords",
    "TopBottomCode",
    "Transform",
    "UnkeyedHashWarning",
    "aggregation",
    "basic",
    "coding",
    "dtype_family",
    "generalization",
    "hashing",
    "masking",
    "outliers",
    "perturbation",
    "register_transform",
    "registered_transforms",
    "suppression",
    "text",
    "transform_class",
    "transform_from_dict",
    "zip3",
]
