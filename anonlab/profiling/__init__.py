"""Profiling: statistics per column, detection of identifier kinds, suggested roles."""

from anonlab.profiling.detect import Detection
from anonlab.profiling.kinds import ColumnRole, HipaaCategory, Kind
from anonlab.profiling.profile import ColumnProfile, Profile, profile

__all__ = [
    "ColumnProfile",
    "ColumnRole",
    "Detection",
    "HipaaCategory",
    "Kind",
    "Profile",
    "profile",
]
