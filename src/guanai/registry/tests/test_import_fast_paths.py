"""The persons importer's shortcuts answer as the general rules do."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import pytest

from guanai.registry import categories as cat
from guanai.registry.categories import age_window
from guanai.textproc import idcard


@pytest.mark.parametrize("today", [date(2024, 2, 29), date(2025, 3, 1), date(2026, 2, 28), date(2026, 12, 31)])
def test_the_age_window_agrees_with_age_problems(today):
    codes = [code for code, _label in cat.CATEGORY_CHOICES]
    sets = [(c,) for c in codes] + list(itertools.combinations(codes, 2))
    rng = random.Random(7)
    births = set()
    for years in (0, 1, 15, 16, 17, 18, 59, 60, 61, 100):
        middle = idcard.born_on_or_before(today, years)
        births.update(middle + timedelta(days=d) for d in range(-3, 4))
    births.update(today - timedelta(days=rng.randint(0, 40_000)) for _ in range(300))
    for categories in sets:
        after, up_to = age_window(categories, today)
        for birth in births:
            if birth > today:
                continue
            fits = (after is None or birth > after) and (up_to is None or birth <= up_to)
            assert fits == (not cat.age_problems(categories, birth, today)), (categories, birth)

