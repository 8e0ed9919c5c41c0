"""Read the figures of normalised Chinese prose: dates, counts, money, percentages.

``extract_facts`` returns one ``Fact`` per figure, in text order, with the
exact span it was read from, so that a fact-checker can compare a figure in a
draft with the value it should have and point at it.

Figures are matched in passes: dates first, then percentages, then numbers
followed by a measure word (``元`` making money); a later pass never reads
inside the span of an earlier one, so the day of ``3月25日`` is not a count.
The subject of a count is the noun phrase next to it, taken with jieba.

News copies write dates by the day alone (``5日，全县召开…``) and relative to
when they were written (``上月``, ``今年以来``, ``近日``). A day-only date takes
its month and year from the nearest date before it that has a month, else from
the document's own date (``document_date``: a full date at its head or foot);
a relative expression is a date fact whose range is worked out from the
document's date where it can be. Both are marked ``inferred``.

Modules: ``fact`` (the Fact), ``chinese_numbers`` (一千二百 → 1200), ``patterns`` (the regular
expressions the passes share), ``phrases`` (a figure's subject, by jieba), ``dates`` (dates and
document_date), ``extract`` (the passes).
"""

from .chinese_numbers import parse_chinese_number
from .dates import document_date
from .extract import extract_facts
from .fact import Fact
from .patterns import MEASURE_WORDS

__all__ = ["MEASURE_WORDS", "Fact", "document_date", "extract_facts", "parse_chinese_number"]
