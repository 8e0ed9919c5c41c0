"""Where a row's person lives: a village by 12-digit code or by name (with its township),
under the import's base area and within the importing user's scope."""

from __future__ import annotations

import re

from guanai.accounts import roles
from guanai.accounts.roles import user_role
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import area_problem, may_see_area


class Villages:
    """Resolves a row's village by 12-digit code or by name, under a base area, within the user's scope."""

    def __init__(self, user, base: str | None):
        self.user = user
        self.base = base
        self.base_name = ""
        self._by_code: dict[str, tuple[str | None, str | None]] = {}  # code -> (code or None, error)
        self._names: dict[str, list[str]] | None = None
        restricted = user is not None and user_role(user) != roles.ADMIN
        self.scope_user = user if restricted else None
        self.may_place = (lambda code: may_see_area(user, code)) if restricted else (lambda code: True)

    def by_code(self, code: str) -> tuple[str | None, str | None]:
        hit = self._by_code.get(code)
        if hit is None:
            hit = self._check_code(code)
            self._by_code[code] = hit
        return hit

    def _check_code(self, code: str) -> tuple[str | None, str | None]:
        if self.base and len(code) == 12 and code.isdigit() and not codes.is_within(code, self.base):
            return None, f"村（社区）“{code}”不在所选地区“{self.base_name}”之下"
        area, problem = area_problem(self.scope_user, code, levels={codes.VILLAGE}, label="村（社区）")
        return (area.code if area else None), problem

    def by_name(self, name: str, township: str = "") -> tuple[str | None, str | None]:
        if self._names is None:
            self._load_names()
        key = _compact(name)
        found = self._names.get(_compact(township) + key) if township else None
        if found is None:
            found = self._names.get(key, [])
        where = f"“{self.base_name}”下" if self.base else ""
        if not found:
            return None, f"{where}没有名为“{name}”的村（社区），请检查名称或改填12位代码"
        if len(found) > 1:
            return None, (f"{where}有{len(found)}个名为“{name}”的村（社区），无法确定是哪一个，"
                          "请改填12位代码或填写所在乡镇")
        return found[0], None

    def _load_names(self) -> None:
        qs = Area.objects.filter(level=codes.VILLAGE)
        if self.base:
            low, high = codes.subtree_bounds(self.base)
            qs = qs.filter(code__gte=low, code__lt=high)
        names: dict[str, list[str]] = {}
        for code, name, township in qs.values_list("code", "name", "parent__name").iterator(chunk_size=5000):
            if not self.may_place(code):
                continue
            names.setdefault(_compact(name), []).append(code)
            names.setdefault(_compact(township or "") + _compact(name), []).append(code)
        self._names = names


def _compact(text: str) -> str:
    return re.sub(r"[\s/\\\-—|]+", "", text or "")
