"""Pagination that stays fast over a million rows: the count stops at a cap."""

from functools import cached_property

from django.core.paginator import Paginator

COUNT_CAP = 10000


class CappedPaginator(Paginator):
    """Counts at most ``COUNT_CAP + 1`` rows; ``capped`` tells the page to say "超过N".

    An exact count of a city's million records costs more than the whole page
    should; nobody pages past the ten-thousandth row anyway, they filter.
    """

    @cached_property
    def count(self):
        counted = self.object_list[: COUNT_CAP + 1].count()
        return min(counted, COUNT_CAP)

    @cached_property
    def capped(self) -> bool:
        return self.object_list[COUNT_CAP: COUNT_CAP + 1].exists()
