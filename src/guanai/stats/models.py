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
