"""anonlab benchmarks: ``python -m benchmarks`` (or ``make bench``) runs them and prints figures.

Every figure is measured side by side with its baseline in the same run, on the same data, so the
ratios hold on any machine even when the seconds do not.
"""
