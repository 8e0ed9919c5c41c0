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

    Written only by ``stats.tallies`` from the metric's own per-month form (``@by_month``).
    """

    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    month = models.CharField(max_length=7)  # YYYY-MM
    value = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    area_path = "area"
    personal_data = False

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "area", "month"], name="one_tally_per_key_area_month")]
        # An area's months read this index alone: (key, area range, month range) → values.
        indexes = [models.Index(fields=["key", "area", "month", "value"], name="stats_month_sum")]
