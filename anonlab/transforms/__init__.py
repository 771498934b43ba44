"""Transforms: the operations a recipe applies to columns, each a small registered class.

Importing this package registers the built-in transforms. See :mod:`anonlab.transforms.base`
for how a transform is built and :func:`register_transform` to add your own.
"""

from anonlab.transforms import basic, text
from anonlab.transforms.base import Context, Transform, dtype_family
from anonlab.transforms.basic import Drop, Keep, Redact
from anonlab.transforms.registry import (
    register_transform,
    registered_transforms,
    transform_class,
    transform_from_dict,
)
from anonlab.transforms.text import Scrub

__all__ = [
    "Context",
    "Drop",
    "Keep",
    "Redact",
    "Scrub",
    "Transform",
    "basic",
    "dtype_family",
    "register_transform",
    "registered_transforms",
    "text",
    "transform_class",
    "transform_from_dict",
]
