from django.db import models


class AreaTally(models.Model):
    """A metric's current value for one village, kept so that dashboards of a city or
    province sum a few thousand rows instead of counting a million records.

    Values are written only by ``stats.tallies.refresh_villages``, which asks the
    metric functions themselves, so a tally and its metric cannot disagree.
    """

    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    value = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    area_path = "area"
    personal_data = False

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "area"], name="one_tally_per_key_and_area")]
        # A province's sum reads this index alone (some 20,000 villages per key), not the rows.
        indexes = [models.Index(fields=["key", "area", "value"], name="stats_tally_sum")]


class MonthTally(models.Model):
    """A figure that adds up over months (visits, aid) for one village and one month, kept so that
    a province's year or its twelve-month trend sums rows instead of scanning millions of visits.

    Written only by ``stats.tallies`` from the metric's own per-month form (``@by_month``). A distinct
    count, which months do not add up to (persons visited: ``kept_keys.keep_by_period``), has a row
    per village and standard period instead, ``month`` holding the period's key (2026-09, 2026Q3,
    2026S1, 2026), from the metric's ``@by_period`` form; summed up the levels the same way.
    """

    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    month = models.CharField(max_length=7)  # YYYY-MM (a figure kept by period: the period's key)
    value = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    area_path = "area"
    personal_data = False

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "area", "month"], name="one_tally_per_key_area_month")]
        # An area's months read this index alone: (key, area range, month range) → values.
        indexes = [models.Index(fields=["key", "area", "month", "value"], name="stats_month_sum")]



class MonthEndTally(models.Model):
    """A state metric's value (persons on file, at risk, due a visit ...) for one village at the
    end of one month that is over, kept so that a past period's state (2025, 2026年第二季度) of a
    city or a province sums rows instead of counting every record again.

    Written only by ``stats.tallies`` from the metric's own per-village form (``@by_village``)
    evaluated with a period ending on the month's last day, so it equals the metric counted
    for that period. A row per area, month and key whose value is not 0 (absent: 0); a row
    ``_complete`` on each top area marks a month as kept.
    """

    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)  # YYYY-MM
    key = models.CharField(max_length=80)
    value = models.BigIntegerField(db_default=0)

    area_path = "area"
    personal_data = False

    class Meta:
        # An area's month reads its rows by (area, month); a refresh replaces them by (area, month range).
        constraints = [models.UniqueConstraint(fields=["area", "month", "key"], name="one_tally_per_area_month_key")]
