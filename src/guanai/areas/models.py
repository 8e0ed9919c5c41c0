from django.db import models
from django.utils.translation import gettext_lazy as _

from . import codes


class Area(models.Model):
    """A division of the five-level hierarchy, keyed by its statistical code.

    The code is the primary key so that every area-bound record carries the code
    itself in its foreign key, and scoping is a range on that column, no join.
    """

    LEVEL_CHOICES = [(lvl, _(name)) for lvl, name in codes.LEVEL_NAMES.items()]

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=LEVEL_CHOICES)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级区划"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )

    # Scoping: an area is bound to itself.
    area_path = "pk"
    personal_data = False

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self):
        return self.name

    @property
    def full_name(self) -> str:
        names = []
        node = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))

    def place(self, viewer_code: str | None) -> tuple[str, str]:
        """(name, where) as a list seen from ``viewer_code`` (None: everywhere) shows it. A list
        spanning several townships names the village's township, one spanning several counties
        its county and township too (two villages named 和平社区 under two 城关镇): "东城区城关镇".
        Lists select_related("area__parent__parent")."""
        viewer_level = codes.level_of(viewer_code) if viewer_code else 0
        names = []
        node = self.parent
        while node is not None and node.level > viewer_level:
            names.append(node.name)
            if len(names) == 2:
                break
            node = node.parent
        return self.name, "".join(reversed(names))

    def place_label(self, viewer_code: str | None) -> str:
        """``place`` as one text, for a file: 光明村（城关镇）, the words {% place %} shows."""
        name, where = self.place(viewer_code)
        return f"{name}（{where}）" if where else name

    def subtree_bounds(self) -> tuple[str, str]:
        return codes.subtree_bounds(self.code)

    def contains(self, code: str) -> bool:
        return codes.is_within(code, self.code)
