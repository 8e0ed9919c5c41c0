"""One sheet row in, a valid Row or Chinese errors naming the row and column out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError

from guanai.core.validation import check_date, date_bounds
from guanai.importing import RowError
from guanai.textproc import idcard
from guanai.textproc.cells import CellValueError, clean_phone, clean_text, parse_cell_date
from guanai.textproc.numbers import format_date

from .. import categories as cat
from .. import crypto
from .columns import (
    CHILD_ENUMS, HAN_NAME, NOTE_ROW, CHILD_FIELDS, PERSON_COLUMNS, read_categories, clean_label, read_enum, read_ethnicity,
    label_for,
)
from .villages import Villages

@dataclass(slots=True)
class Row:
    """One valid row, ready to compare with what is stored."""

    number: int
    name: str
    sex: str
    ethnicity: str
    birth_date: date | None
    id_number: str  # normalised 18 characters, or "" when the sheet gives none
    id_hash: str
    phone: str
    area_id: str
    address: str
    hukou_place: str
    categories: tuple[str, ...]
    child: dict | None
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def key(self):
        """Identity of a person: the ID number, or village + name + birth date without one."""
        return self.id_hash or ("", self.area_id, self.name, self.birth_date)


_MOBILE = re.compile(r"1[3-9][0-9]{9}")
PLACE_CACHE = 50_000
_CODE12 = re.compile(r"[0-9]{12}")


# Characters clean_text would change inside a string: invisible marks, NBSP, full-width
# digits, letters and . % - + (a string without them, and without outer blanks, is clean).
_NEEDS_CLEANING = re.compile("[\u200b\u200c\u200d\u2060\ufeff\xa0\uff05\uff0b\uff0d\uff0e"
                             "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def _text(value) -> str:
    """clean_text, with a shortcut for strings that are already clean."""
    if type(value) is str and value and not value[0].isspace() and not value[-1].isspace() \
            and not _NEEDS_CLEANING.search(value):
        return value
    return clean_text(value)


def is_blank(value) -> bool:
    return value is None or value == "" or (type(value) is str and not value.strip())


class Validator:
    """Turns one sheet row into a Row or a list of RowErrors (Chinese, naming row and column)."""

    def __init__(self, table, villages: Villages, default_category: str | None, default_area: str | None,
                 today: date):
        self.cols = cols = table.columns
        self.labels = {f: clean_label(table.header_labels[i]) for f, i in cols.items()}
        self.need = max(cols.values()) + 1
        # Index of each field's cell; a field without a column reads an always-empty cell.
        self.absent = self.need
        self.idx = {f: cols.get(f, self.absent) for f in PERSON_COLUMNS}
        self.villages = villages
        self.default_category = default_category
        self.default_area = default_area
        self.today = today
        self.birth_floor = date_bounds("birth", today)[0]
        self.child_fields = [(f, cols[f]) for f in CHILD_FIELDS if f in cols]
        self.has_village_code = "village_code" in cols
        self._category_cache: dict = {}
        self._ethnicity_cache: dict = {}
        self._village_cache: dict = {}
        self._place_cache: dict[str, str] = {}  # address and 户籍 texts, which repeat within a village
        # Birth dates within every age limit of a set of categories: (after, up to) or None.
        self._age_window_cache: dict[tuple[str, ...], tuple[date | None, date | None]] = {}
        self.id_hash = crypto.lookup_hasher()

    def label(self, field_name: str) -> str:
        return label_for(self.labels, field_name)

    def pad(self, values: list) -> list:
        """The row with room for every mapped column plus the always-empty cell."""
        short = self.need + 1 - len(values)
        if short == 1:
            values.append(None)  # each row is a fresh list: extend it in place
        elif short > 0:
            values.extend([None] * short)
        elif values[self.absent] is not None:
            values[self.absent] = None  # a cell of an unmapped column
        return values

    def is_blank_or_note(self, values: list) -> bool:
        """Wholly blank rows, and notes such as 填表人：… or 合计 under the table."""
        filled = [v for v in values if not is_blank(v)]
        if not filled:
            return True
        return len(filled) <= 2 and isinstance(filled[0], str) and bool(NOTE_ROW.match(filled[0].strip()))

    def validate(self, number: int, values: list) -> tuple[Row | None, list[RowError]]:
        idx = self.idx
        today = self.today
        birth_floor = self.birth_floor
        errors: list[RowError] = []

        def fail(field_name, message):
            errors.append(RowError(number, self.label(field_name), message))

        # 姓名
        name = _text(values[idx["name"]])
        if not name:
            fail("name", "姓名不能为空")
        else:
            if " " in name and HAN_NAME.fullmatch(name):
                name = re.sub(r"\s+", "", name)  # 张  三, padded for alignment
            if len(name) > 50:
                fail("name", f"姓名过长（{len(name)}个字），最多50个字")

        # 出生日期
        birth = None
        raw_birth = values[idx["birth_date"]]
        if raw_birth is not None and raw_birth != "":
            if isinstance(raw_birth, datetime):
                birth = raw_birth.date()
            elif isinstance(raw_birth, date):
                birth = raw_birth
            else:
                try:
                    birth = parse_cell_date(raw_birth)
                except CellValueError as exc:
                    if clean_text(raw_birth):  # a blank cell is no error
                        fail("birth_date", f"{exc}（请填写如2010-5-3、2010年5月3日或20100503的日期）")
            if birth is not None and not birth_floor <= birth <= today:
                try:
                    check_date(birth, "birth", label=f"出生日期{birth.isoformat()}", today=today)
                except ValidationError as exc:
                    fail("birth_date", exc.messages[0])
                birth = None

        # 性别
        sex = ""
        raw_sex = values[idx["sex"]]
        if raw_sex is not None and raw_sex != "":
            sex = idcard.SEX_WORDS.get(raw_sex) or idcard.normalise_sex(raw_sex) or ""
            if not sex and clean_text(raw_sex):
                fail("sex", f"无法识别的性别“{clean_text(raw_sex)}”，应填写“男”或“女”")

        # 身份证号
        id_number = ""
        raw_id = values[idx["id_number"]]
        if raw_id is not None and raw_id != "":
            fast = idcard.parse_clean_18(raw_id, today=today)
            if fast is not None:
                id_number, id_birth = fast
                id_sex = "男" if int(id_number[16]) % 2 else "女"
            elif clean_text(raw_id):
                try:
                    parsed = idcard.parse_id_number(raw_id, today=today)
                except idcard.IdNumberError as exc:
                    fail("id_number", str(exc))
                else:
                    id_number, id_birth, id_sex = parsed.number, parsed.birth_date, parsed.sex
        if id_number:
            if birth is not None and birth != id_birth:
                fail("birth_date", f"填写的出生日期{format_date(birth)}与身份证号码中的{format_date(id_birth)}不一致")
            if sex and sex != id_sex:
                fail("sex", f"填写的性别“{sex}”与身份证号码（{id_sex}）不一致")
            birth = birth or id_birth
            sex = sex or id_sex
        elif name and not errors and birth is None:
            fail("id_number", "身份证号为空时须填写出生日期，以便识别此人")

        # 民族
        ethnicity = ""
        raw = values[idx["ethnicity"]]
        if raw is not None and raw != "":
            ethnicity = self._ethnicity_cache.get(raw)
            if ethnicity is None:
                ethnicity = self._ethnicity_cache[raw] = read_ethnicity(clean_text(raw))
            if len(ethnicity) > 20:
                fail("ethnicity", f"民族“{ethnicity}”过长")

        # 联系电话
        phone = ""
        raw = values[idx["phone"]]
        if raw is not None and raw != "":
            if type(raw) is str and len(raw) == 11 and _MOBILE.fullmatch(raw):
                phone = raw
            else:
                try:
                    phone = clean_phone(raw)
                except CellValueError as exc:
                    fail("phone", str(exc))

        # 村（社区）
        area_id = self._village(values, fail)

        # 现住址, 户籍所在地
        address = self._place(values[idx["address"]])
        if len(address) > 200:
            fail("address", f"内容过长（{len(address)}个字），最多200个字")
        hukou_place = self._place(values[idx["hukou_place"]])
        if len(hukou_place) > 200:
            fail("hukou_place", f"内容过长（{len(hukou_place)}个字），最多200个字")

        # 人员类别
        categories: tuple[str, ...] = ()
        raw = values[idx["category"]]
        if raw is not None and raw != "":
            hit = self._category_cache.get(raw)
            if hit is None:
                hit = self._category_cache[raw] = read_categories(clean_text(raw))
            categories, problem = hit
            if problem:
                fail("category", problem)
        if not categories and self.default_category:
            categories = (self.default_category,)
        if categories and birth is not None and not errors and not self._age_fits(categories, birth):
            for problem in cat.age_problems(categories, birth, today):
                fail("category", problem)

        child = self._child(values, fail) if self.child_fields else None

        if errors:
            return None, errors
        return Row(number, name, sex, ethnicity, birth, id_number, self.id_hash(id_number) if id_number else "",
                   phone, area_id, address, hukou_place, categories, child, self.labels), errors

    def _place(self, value) -> str:
        """_text of an address cell, remembered for up to PLACE_CACHE texts."""
        if type(value) is not str:
            return _text(value)
        hit = self._place_cache.get(value)
        if hit is None:
            hit = _text(value)
            if len(self._place_cache) < PLACE_CACHE:
                self._place_cache[value] = hit
        return hit

    def _age_fits(self, categories: tuple[str, ...], birth: date) -> bool:
        """True when ``birth`` is within every age limit of ``categories`` (age_problems would say
        nothing); False sends the row to age_problems, which says what is wrong."""
        window = self._age_window_cache.get(categories)
        if window is None:
            window = self._age_window_cache[categories] = cat.age_window(categories, self.today)
        after, up_to = window
        return (after is None or birth > after) and (up_to is None or birth <= up_to)

    def _village(self, values: list, fail) -> str:
        idx = self.idx
        raw_code = values[idx["village_code"]]
        raw_name = values[idx["village"]]
        key = (raw_code, raw_name, values[idx["township"]])
        hit = self._village_cache.get(key)
        if hit is None:
            hit = self._village_cache[key] = self._resolve_village(*key)
        area_id, field_name, problem = hit
        if problem:
            fail(field_name, problem)
        return area_id

    def _resolve_village(self, raw_code, raw_name, raw_township) -> tuple[str, str, str | None]:
        code_text = clean_text(raw_code).replace(" ", "")
        name_text = clean_text(raw_name)
        code_field = "village_code" if self.has_village_code else "village"
        if _CODE12.fullmatch(name_text) and not code_text:
            code_text, name_text, code_field = name_text, "", "village"
        if code_text:
            area_id, problem = self.villages.by_code(code_text)
            return area_id or "", code_field, problem
        if name_text:
            area_id, problem = self.villages.by_name(name_text, clean_text(raw_township))
            return area_id or "", "village", problem
        if self.default_area:
            return self.default_area, code_field, None
        return "", code_field, "未填写所在村（社区），请填写12位村（社区）代码或村（社区）名称"

    def _child(self, values: list, fail) -> dict | None:
        child = {}
        for field_name, i in self.child_fields:
            text = clean_text(values[i])
            if not text:
                continue
            if field_name in CHILD_ENUMS:
                by_text, what, choices = CHILD_ENUMS[field_name]
                value = read_enum(text, by_text)
                if value is None:
                    fail(field_name, f"无法识别的{what}“{text}”，可填写：{'、'.join(label for _c, label in choices)}")
                    continue
            elif field_name == "guardian_phone":
                try:
                    value = clean_phone(text)
                except CellValueError as exc:
                    fail(field_name, str(exc))
                    continue
            else:
                if len(text) > 50:
                    fail(field_name, f"内容过长（{len(text)}个字），最多50个字")
                    continue
                value = text
            child[field_name] = value
        return child or None
