"""Free text: find the HIPAA Safe Harbor identifiers written in it and remove them.

- :mod:`anonlab.text.patterns`: dates, ages over 89, phone, SSN, e-mail, URL, IP, street
  addresses and cities, ZIP codes, record and account codes;
- :mod:`anonlab.text.names`: people's names, from titles, relations and the US Census name
  lexicons (:mod:`anonlab.text.lexicons`);
- :mod:`anonlab.text.context`: the record's own identifier values (row context);
- :mod:`anonlab.text.scrubber`: the three together, over a string or a polars column.

:class:`anonlab.transforms.Scrub` is the recipe step; the residual scan that checks its output,
sharing no code with it, is :mod:`anonlab.evidence.residual`.
"""

from anonlab.text.scrubber import KINDS, Span, find_identifiers, scrub_series, scrub_text

__all__ = ["KINDS", "Span", "find_identifiers", "scrub_series", "scrub_text"]
