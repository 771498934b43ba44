"""Example data sets: synthetic patients and clinical notes, the ADULT extract with hierarchies."""

from anonlab.datasets.adult import adult, adult_hierarchies
from anonlab.datasets.notes import clinical_notes
from anonlab.datasets.patients import patients

__all__ = ["adult", "adult_hierarchies", "clinical_notes", "patients"]
