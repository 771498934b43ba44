"""Example data sets: a synthetic patient table and the ADULT census extract with hierarchies."""

from anonlab.datasets.adult import adult, adult_hierarchies
from anonlab.datasets.patients import patients

__all__ = ["adult", "adult_hierarchies", "patients"]
