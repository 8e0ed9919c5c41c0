from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberUnit(models.Model):
    """A member unit (成员单位) of an area's joint conference on left-behind children."""

    name = models.CharField(_("单位名称"), max_length=100)
    area = models.ForeignKey("areas.Area", verbose_name=_("所属区划"), on_delete=models.PROTECT)
    is_lead = models.BooleanField(_("牵头单位"), default=False)

    area_path = "area"
    unit_path = "pk"
    personal_data = False

    class Meta:
        ordering = ["area_id", "-is_lead", "name"]
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="unique_unit_name_per_area")]

    def __str__(self):
        return self.name
