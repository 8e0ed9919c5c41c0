"""Import of persons (人员) from the sheets offices actually keep.

One code path for the CLI (`guanai import FILE --kind persons`), the upload page
(a background job, first as a dry run for the preview, then for real) and the
benchmark. Rows are read as a stream, validated one by one and written in
batches inside one transaction, so a failure or a kill leaves the database as
it was. A person is known again by ID number (through its keyed hash), so a
second import of the same file finds every row unchanged.

Blank cells never erase what is stored: a row updates only what it fills in,
and adds categories without removing others.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import mul
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from guanai.accounts import roles
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import may_see_area, user_role
from guanai.importing import ImportResult, RowError, no_progress, register
from guanai.spreadsheets import SpreadsheetError, open_table, visible_sheets
from guanai.tasks import task
from guanai.textproc import idcard
from guanai.textproc.cells import CellValueError, clean_phone, clean_text, parse_cell_date
from guanai.textproc.numbers import format_date
from guanai.textproc import pinyin as _pinyin
from guanai.textproc.pinyin import pinyin_keys
from pypinyin.constants import PHRASES_DICT

from . import categories as cat
from . import crypto
from .models import ChildProfile, Person, PersonCategory

BATCH_SIZE = 2000

# Field name -> the headers people write for it (the first is the template's).
PERSON_COLUMNS: dict[str, list[str]] = {
    "name": ["姓名", "儿童姓名", "老人姓名", "人员姓名", "服务对象姓名"],
    "sex": ["性别"],
    "ethnicity": ["民族"],
    "birth_date": ["出生日期", "出生年月日", "出生年月", "生日"],
    "id_number": ["身份证号", "公民身份号码", "身份证号码", "身份证", "身份证件号码", "证件号码",
                  "儿童身份证号", "居民身份证号码"],
    "phone": ["联系电话", "电话", "电话号码", "联系方式", "手机", "手机号码", "本人电话"],
    "village_code": ["村（社区）代码", "村代码", "社区代码", "村（社区）区划代码", "区划代码", "统计用区划代码"],
    "township": ["乡镇（街道）", "乡镇", "所在乡镇", "街道", "乡镇街道"],
    "village": ["所在村（社区）", "所在村", "村（社区）", "村（居）", "村居", "村（社区）名称", "村名",
                "所在社区", "社区", "村"],
    "address": ["现住址", "现居住地址", "现居住地", "家庭住址", "住址", "居住地址", "家庭地址"],
    "hukou_place": ["户籍所在地", "户籍地", "户籍地址", "户口所在地"],
    "category": ["人员类别", "类别", "人员类型", "对象类别", "帮扶对象类别"],
    "guardianship_rating": ["监护情况", "监护类型", "监护状况"],
    "guardian_name": ["委托监护人", "委托监护人姓名", "监护人", "监护人姓名"],
    "guardian_phone": ["监护人电话", "委托监护人电话", "监护人联系电话", "委托监护人联系电话"],
    "father_name": ["父亲", "父亲姓名"],
    "mother_name": ["母亲", "母亲姓名"],
    "schooling": ["就学情况", "就学状况", "在校情况", "就读情况"],
}
REQUIRED_COLUMNS = {"name", "id_number"}
# The name a column goes by in messages when the sheet has no such column.
COLUMN_LABELS = {f: names[0] for f, names in PERSON_COLUMNS.items()}
CHILD_FIELDS = ("guardianship_rating", "guardian_name", "guardian_phone", "father_name", "mother_name", "schooling")
# Person fields a row may fill in (blank cells leave the stored value alone).
UPDATABLE = ("name", "sex", "ethnicity", "birth_date", "phone", "area_id", "address", "hukou_place")

GUARDIANSHIP_BY_TEXT = {label: code for code, label in cat.GUARDIANSHIP_RATING} | {
    "无监护": "none", "父母无能力": "parent_incapable", "监护能力不足": "insufficient", "较好": "good", "好": "good"}
SCHOOLING_BY_TEXT = {label: code for code, label in cat.SCHOOLING} | {
    "学前": "none_preschool", "在园": "kindergarten", "职高": "vocational", "中专": "vocational", "失学": "dropout"}

ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
    "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 "
    "仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 "
    "鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
_ETHNICITY_SET = frozenset(ETHNICITIES)

_CATEGORY_SPLIT = re.compile(r"[、，,；;\s]+")
_HAN_NAME = re.compile(r"[\u3400-\u9fff·•．.\s]+")
_NOTE_ROW = re.compile(r"^(?:填表|制表|审核|负责人|联系人|合计|总计|小计|说明|注[:：]|备注)")


def _label(table_labels: dict[str, str], field_name: str) -> str:
    return table_labels.get(field_name) or COLUMN_LABELS[field_name]


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


class _Villages:
    """Resolves a row's village by 12-digit code or by name, under a base area, within the user's scope."""

    def __init__(self, user, base: str | None):
        self.user = user
        self.base = base
        self.base_name = ""
        self._by_code: dict[str, tuple[str | None, str | None]] = {}  # code -> (code or None, error)
        self._names: dict[str, list[str]] | None = None
        restricted = user is not None and user_role(user) != roles.ADMIN
        self.may_place = (lambda code: may_see_area(user, code)) if restricted else (lambda code: True)

    def by_code(self, code: str) -> tuple[str | None, str | None]:
        hit = self._by_code.get(code)
        if hit is None:
            hit = self._check_code(code)
            self._by_code[code] = hit
        return hit

    def _check_code(self, code: str) -> tuple[str | None, str | None]:
        try:
            level = codes.level_of(code)
        except codes.AreaCodeError as exc:
            return None, str(exc)
        if level != codes.VILLAGE:
            return None, f"“{code}”不是村（社区）一级的代码，人员须登记到村（社区）"
        if self.base and not codes.is_within(code, self.base):
            return None, f"村（社区）“{code}”不在所选地区“{self.base_name}”之下"
        if not self.may_place(code):
            return None, f"村（社区）“{code}”不在您的管辖范围内"
        if not Area.objects.filter(pk=code).exists():
            return None, f"系统中没有代码为“{code}”的村（社区）"
        return code, None

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


class _NamePinyin:
    """Pinyin keys per distinct name, as ``pinyin_keys`` gives them, but fast.

    pypinyin reads a name of Han characters by segmenting it into phrases of
    its dictionary; when no part of the name (after a surname with a special
    reading) is such a phrase, the reading is that of each character alone,
    which is cached here. Anything else goes to ``pinyin_keys`` itself.
    """

    def __init__(self):
        self.names: dict[str, tuple[str, str]] = {}
        self.chars: dict[str, str | None] = {}

    MAX_NAMES = 50_000

    def __call__(self, name: str) -> tuple[str, str]:
        keys = self.names.get(name)
        if keys is None:
            keys = self._fast(name) or pinyin_keys(name)
            if len(self.names) < self.MAX_NAMES:
                self.names[name] = keys
        return keys

    def _fast(self, name: str) -> tuple[str, str] | None:
        if not 1 <= len(name) <= 6 or name[:2] in _pinyin._COMPOUND_SURNAMES:
            return None
        head = _pinyin._SURNAMES.get(name[0])
        rest = name[1:] if head else name
        n = len(rest)
        for i in range(n - 1):
            for j in range(i + 2, n + 1):
                if rest[i:j] in PHRASES_DICT:
                    return None
        syllables = [head] if head else []
        chars = self.chars
        for char in rest:
            syllable = chars.get(char, "")
            if syllable == "":
                syllable = chars[char] = self._char(char)
            if syllable is None:
                return None
            syllables.append(syllable)
        return "".join(syllables), "".join(s[0] for s in syllables)

    @staticmethod
    def _char(char: str) -> str | None:
        if not "\u4e00" <= char <= "\u9fff":
            return None
        syllables = _pinyin._syllables(char)  # the reading of the character alone, not as a surname
        if len(syllables) != 1 or not (syllables[0].isascii() and syllables[0].isalpha()):
            return None
        return syllables[0]


_ID_PLAIN = re.compile(r"[0-9]{17}[0-9X]")  # ASCII only: full-width digits take the slow path
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_CODE12 = re.compile(r"[0-9]{12}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_ASCII_OFFSET = 48 * sum(_ID_WEIGHTS)


def _fast_id(raw, today: date) -> tuple[str, date] | None:
    """A clean 18-character ID number's (number, birth date), or None to take the slow path."""
    if type(raw) is not str or len(raw) != 18 or not _ID_PLAIN.fullmatch(raw):
        return None
    if raw[0] != "9" and raw[:2] not in idcard._PROVINCES:
        return None
    # The digits' ASCII codes are digit + 48: subtract 48 x the weights' sum once.
    if "10X98765432"[(sum(map(mul, raw[:17].encode(), _ID_WEIGHTS)) - _ID_ASCII_OFFSET) % 11] != raw[17]:
        return None
    try:
        born = date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        return None
    if born > today or born.year < idcard.MIN_BIRTH_YEAR:
        return None
    return raw, born


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


def _blank(value) -> bool:
    return value is None or value == "" or (type(value) is str and not value.strip())


class _Validator:
    """Turns one sheet row into a Row or a list of RowErrors (Chinese, naming row and column)."""

    def __init__(self, table, villages: _Villages, default_category: str | None, default_area: str | None,
                 today: date):
        self.cols = cols = table.columns
        self.labels = {f: _clean_label(table.header_labels[i]) for f, i in cols.items()}
        self.need = max(cols.values()) + 1
        # Index of each field's cell; a field without a column reads an always-empty cell.
        self.absent = self.need
        self.idx = {f: cols.get(f, self.absent) for f in PERSON_COLUMNS}
        self.villages = villages
        self.default_category = default_category
        self.default_area = default_area
        self.today = today
        self.child_fields = [(f, cols[f]) for f in CHILD_FIELDS if f in cols]
        self.has_village_code = "village_code" in cols
        self._category_cache: dict = {}
        self._ethnicity_cache: dict = {}
        self._village_cache: dict = {}
        # crypto.lookup_hash, computed with the one-shot HMAC (same value, less overhead per row).
        self._hash_key = crypto._keys(settings.FIELD_ENCRYPTION_KEY)[1]

    def label(self, field_name: str) -> str:
        return _label(self.labels, field_name)

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
        filled = [v for v in values if not _blank(v)]
        if not filled:
            return True
        return len(filled) <= 2 and isinstance(filled[0], str) and bool(_NOTE_ROW.match(filled[0].strip()))

    def validate(self, number: int, values: list) -> tuple[Row | None, list[RowError]]:
        idx = self.idx
        today = self.today
        errors: list[RowError] = []

        def fail(field_name, message):
            errors.append(RowError(number, self.label(field_name), message))

        # 姓名
        name = _text(values[idx["name"]])
        if not name:
            fail("name", "姓名不能为空")
        else:
            if " " in name and _HAN_NAME.fullmatch(name):
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
            if birth is not None and birth > today:
                fail("birth_date", f"出生日期{birth.isoformat()}晚于今天")
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
            fast = _fast_id(raw_id, today)
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
                ethnicity = self._ethnicity_cache[raw] = _ethnicity(clean_text(raw))
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
        address = _text(values[idx["address"]])
        if len(address) > 200:
            fail("address", f"内容过长（{len(address)}个字），最多200个字")
        hukou_place = _text(values[idx["hukou_place"]])
        if len(hukou_place) > 200:
            fail("hukou_place", f"内容过长（{len(hukou_place)}个字），最多200个字")

        # 人员类别
        categories: tuple[str, ...] = ()
        raw = values[idx["category"]]
        if raw is not None and raw != "":
            hit = self._category_cache.get(raw)
            if hit is None:
                hit = self._category_cache[raw] = _categories(clean_text(raw))
            categories, problem = hit
            if problem:
                fail("category", problem)
        if not categories and self.default_category:
            categories = (self.default_category,)
        if categories and birth is not None and not errors:
            age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
            for code in categories:
                if code in cat.MAX_AGE and age > cat.MAX_AGE[code]:
                    fail("category", f"{cat.CATEGORY_LABELS[code]}应未满{cat.MAX_AGE[code] + 1}周岁，此人已{age}岁")
                if code in cat.MIN_AGE and age < cat.MIN_AGE[code]:
                    fail("category", f"{cat.CATEGORY_LABELS[code]}应年满{cat.MIN_AGE[code]}周岁，此人仅{age}岁")

        child = self._child(values, fail) if self.child_fields else None

        if errors:
            return None, errors
        return Row(number, name, sex, ethnicity, birth, id_number, hmac.digest(self._hash_key, id_number.encode(), "sha256").hex() if id_number else "",
                   phone, area_id, address, hukou_place, categories, child, self.labels), errors

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
            if field_name in _CHILD_ENUMS:
                by_text, what, choices = _CHILD_ENUMS[field_name]
                value = _enum(text, by_text)
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


# Child-profile columns read as one of a list: (text -> code, what the column is, the choices).
_CHILD_ENUMS = {
    "guardianship_rating": (GUARDIANSHIP_BY_TEXT, "监护情况", cat.GUARDIANSHIP_RATING),
    "schooling": (SCHOOLING_BY_TEXT, "就学情况", cat.SCHOOLING),
}




def _ethnicity(text: str) -> str:
    if text and text not in _ETHNICITY_SET and text + "族" in _ETHNICITY_SET:
        return text + "族"  # 汉 → 汉族
    return text


def _categories(text: str) -> tuple[tuple[str, ...], str | None]:
    if not text:
        return (), None
    code = cat.category_from_text(text)
    if code:
        return (code,), None
    found, unknown = [], []
    for part in filter(None, _CATEGORY_SPLIT.split(text)):
        code = cat.category_from_text(part)
        (found if code else unknown).append(code or part)
    if unknown:
        known = "、".join(label for _c, label in cat.CATEGORY_CHOICES)
        return (), f"无法识别的人员类别“{'、'.join(unknown)}”，可填写：{known}"
    return tuple(dict.fromkeys(found)), None


def _enum(text: str, mapping: dict[str, str]) -> str | None:
    text = re.sub(r"\s+", "", text)
    if text in mapping:
        return mapping[text]
    if text in mapping.values():
        return text
    hits = {code for label, code in mapping.items() if len(label) > 1 and label in text}
    return hits.pop() if len(hits) == 1 else None


def _clean_label(text: str) -> str:
    return re.sub(r"\s+", "", clean_text(text)) or ""


# --- writing ----------------------------------------------------------------


_SAFE_LITERAL = re.compile(r"[\w\-:. +]*", re.ASCII)


def _sql_literal(value) -> str | None:
    """SQL text for a constant that needs no quoting beyond its apostrophes, else None (bind it)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and _SAFE_LITERAL.fullmatch(value):
        return f"'{value}'"
    return None


class _FastInsert:
    """INSERT of many rows of one model with executemany: what bulk_create does,
    without building model instances (the import's hot path).

    The caller gives tuples of the ``given`` fields, in that order; every other
    column gets the field's default (auto_now fields the import's time), so
    fields added to the model later still get their values.
    """

    def __init__(self, model, given: list[str], now):
        qn = connection.ops.quote_name
        fields = {f.attname: f for f in model._meta.concrete_fields}
        rest = [f for name, f in fields.items() if name not in given and not f.primary_key]
        literals, bound, constants = [], [], []
        for f in rest:
            value = now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
            value = f.get_db_prep_save(value, connection)
            literal = _sql_literal(value)
            if literal is None:
                bound.append(f)
                constants.append(value)
            else:
                literals.append((f, literal))
        # Constants that need no escaping are written into the statement: binding ten
        # values fewer per row halves SQLite's share of the insert.
        self.constants = tuple(constants)
        columns = [fields[name].column for name in given] + [f.column for f in bound] + [f.column for f, _ in literals]
        values = ["%s"] * (len(given) + len(bound)) + [literal for _f, literal in literals]
        head = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) VALUES "
        self.sql = head + f"({', '.join(values)})"

    def params(self, rows: list[tuple]) -> list[tuple]:
        constants = self.constants
        return [row + constants for row in rows]

    def run(self, rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                cursor.executemany(self.sql, self.params(rows[start:start + 5000]))


class _SqliteIndexes:
    """For a large first import on SQLite: drop the secondary indexes of the person and
    category tables (but the one people are looked up by, and unique ones) and build them
    again at the end, inside the same transaction. Building an index over the finished
    table is several times cheaper than updating a dozen B-trees on every insert; a
    rollback or a kill brings them back untouched.
    """

    KEEP = ('("id_number_hash"',)

    def __init__(self):
        self.dropped: list[tuple[str, str]] = []

    def drop(self, keep_lookup: bool = True) -> None:
        tables = [Person._meta.db_table, PersonCategory._meta.db_table]
        keep = self.KEEP if keep_lookup else ()
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN (%s, %s) "
                           "AND sql IS NOT NULL", tables)
            for name, sql in cursor.fetchall():
                if any(column in sql for column in keep) or sql.upper().startswith("CREATE UNIQUE"):
                    continue
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                self.dropped.append((name, sql))

    def restore(self) -> None:
        with connection.cursor() as cursor:
            for _name, sql in self.dropped:
                cursor.execute(sql)
        self.dropped = []


def _allocate_ids(model, count: int) -> list[int]:
    """Primary keys for ``count`` new rows, taken the way the database would take them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, count])
            return [r[0] for r in cursor.fetchall()]
        # SQLite: the import holds the write lock, so nobody else takes ids meanwhile; the
        # AUTOINCREMENT counter is honoured so ids of deleted rows are never reused.
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
        return list(range(start, start + count))


_SHEET_STRIDE = 10_000_000  # above Excel's 1,048,576 rows
_FAST_VENDORS = {"sqlite", "postgresql"}
INDEX_DEFERRAL_ROWS = 50_000
INLINE_TALLY_ROWS = 5_000  # above this, the villages' tallies are refreshed in the background
PERSON_GIVEN = ["id", "name", "sex", "ethnicity", "birth_date", "id_number_encrypted", "id_number_hash",
                "id_number_masked", "phone", "area_id", "address", "hukou_place", "pinyin_full", "pinyin_initials",
                "created_by_id"]


class _Writer:
    """Compares a batch of valid rows with the database and writes the difference."""

    EXISTING_FIELDS = ("pk", "id_number_hash", *UPDATABLE, "version")
    LOOKUP_FIELDS = ("id", "id_number_hash", *UPDATABLE, "version")

    def __init__(self, user, result: ImportResult, dry_run: bool):
        self.user = user
        self.user_id = user.pk if user is not None and user.pk else None
        self.result = result
        self.dry_run = dry_run
        self.restricted = user is not None and user_role(user) != roles.ADMIN
        self.pinyin = _NamePinyin()
        self.now = timezone.now()
        self.fast = connection.vendor in _FAST_VENDORS
        if self.fast and not dry_run:
            self.person_insert = _FastInsert(Person, PERSON_GIVEN, self.now)
            self.category_insert = _FastInsert(PersonCategory, ["person_id", "category"], self.now)
        self.indexes = _SqliteIndexes() if self.fast and connection.vendor == "sqlite" and not dry_run else None
        self.expected_rows = 0  # rows in the file, when known: decides on deferring index updates
        self.touched: set[str] = set()  # villages whose figures the import changes
        self.started_empty: bool | None = None
        self.next_id: int | None = None
        self.adapt_date = connection.ops.adapt_datefield_value

    def apply(self, rows: list[Row]) -> None:
        if self.started_empty is None:
            # Checked once, inside the import's transaction: into an empty registry (a first
            # load) every row creates a person, and duplicates within the file are caught by
            # the caller, so there is nothing to look up.
            self.started_empty = not Person.objects.exists()
            if (not self.started_empty and self.indexes is not None
                    and self.expected_rows < INDEX_DEFERRAL_ROWS):
                self.indexes = None
        existing = {} if self.started_empty else self._existing(rows)
        creates: list[Row] = []
        if not existing:
            creates = rows
        else:
            creates = self._compare(rows, existing)
        self.result.created += len(creates)
        if self.dry_run or not creates:
            return
        self.touched.update(row.area_id for row in creates)
        if (self.indexes is not None and self.result.created == len(creates) and not self.indexes.dropped
                and len(creates) >= 0.9 * len(rows) and self.expected_rows >= INDEX_DEFERRAL_ROWS
                and (self.started_empty or Person.objects.count() <= 2 * self.expected_rows)):
            # With nothing to look up, even the ID-hash index can wait for the end.
            self.indexes.drop(keep_lookup=not self.started_empty)
        if self.fast:
            self._create_fast(creates)
        else:
            self._create_orm(creates)

    def _ids(self, count: int) -> list[int]:
        if connection.vendor != "sqlite":
            return _allocate_ids(Person, count)
        # SQLite: the import holds the write lock for its whole transaction, so after the
        # first look the next ids are simply counted on.
        if self.next_id is None:
            self.next_id = _allocate_ids(Person, 1)[0]
        start, self.next_id = self.next_id, self.next_id + count
        return list(range(start, start + count))

    def _create_fast(self, rows: list[Row]) -> None:
        ids = self._ids(len(rows))
        pinyin, adapt_date, user_id = self.pinyin, self.adapt_date, self.user_id
        # crypto.encrypt, with the key looked up once per batch rather than once per row.
        aes, urandom, b64encode = crypto._keys(settings.FIELD_ENCRYPTION_KEY)[0], os.urandom, base64.b64encode

        nonces = urandom(12 * len(rows))  # one system call per batch, not one per row

        def encrypt(plain: str, i: int) -> str:
            nonce = nonces[12 * i:12 * i + 12]
            return b64encode(nonce + aes.encrypt(nonce, plain.encode(), None)).decode()

        people, categories, profiles = [], [], []
        for i, (pk, row) in enumerate(zip(ids, rows)):
            number = row.id_number
            full, initials = pinyin(row.name)
            people.append((pk, row.name, row.sex, row.ethnicity, adapt_date(row.birth_date),
                           encrypt(number, i) if number else "", row.id_hash,
                           number[:6] + "********" + number[-4:] if number else "",
                           row.phone, row.area_id, row.address, row.hukou_place, full, initials, user_id))
            for code in row.categories:
                categories.append((pk, code))
            if row.child:
                profiles.append(ChildProfile(person_id=pk, **row.child))
        self.person_insert.run(people)
        self.category_insert.run(categories)
        if profiles:
            ChildProfile.objects.bulk_create(profiles, batch_size=500)

    def _create_orm(self, rows: list[Row]) -> None:
        people = []
        for row in rows:
            full, initials = self.pinyin(row.name)
            number = row.id_number
            people.append(Person(
                name=row.name, sex=row.sex, ethnicity=row.ethnicity, birth_date=row.birth_date,
                id_number_encrypted=crypto.encrypt(number) if number else "", id_number_hash=row.id_hash,
                id_number_masked=idcard.mask_id_number(number) if number else "", phone=row.phone,
                area_id=row.area_id, address=row.address, hukou_place=row.hukou_place,
                pinyin_full=full, pinyin_initials=initials, created_by_id=self.user_id))
        Person.objects.bulk_create(people, batch_size=500)
        PersonCategory.objects.bulk_create(
            [PersonCategory(person_id=p.pk, category=c) for r, p in zip(rows, people) for c in r.categories],
            batch_size=1000)
        ChildProfile.objects.bulk_create(
            [ChildProfile(person_id=p.pk, **r.child) for r, p in zip(rows, people) if r.child], batch_size=500)

    def _compare(self, rows: list[Row], existing: dict) -> list[Row]:
        """Count and write updates; return the rows that create a person."""
        pks = [e["pk"] for e in existing.values()]
        cats: dict[int, set[str]] = {}
        for person_id, code in PersonCategory.objects.filter(person_id__in=pks).values_list("person_id", "category"):
            cats.setdefault(person_id, set()).add(code)
        profiles = {}
        if any(r.child for r in rows):
            profiles = {p.person_id: p for p in ChildProfile.objects.filter(person_id__in=pks)}

        creates: list[Row] = []
        updates: list[Person] = []
        new_categories: list[PersonCategory] = []
        new_profiles: list[ChildProfile] = []
        changed_profiles: list[ChildProfile] = []
        profile_fields: set[str] = set()
        for row in rows:
            old = existing.get(row.key)
            if old is None:
                creates.append(row)
                continue
            if self.restricted and not may_see_area(self.user, old["area_id"]):
                self.result.errors.append(RowError(
                    row.number, row.labels.get("id_number") or COLUMN_LABELS["id_number"],
                    "此人已在您管辖范围以外的村（社区）登记，不能由您导入或修改，请联系上级管理员"))
                continue
            changes = {}
            for f in UPDATABLE:
                value = getattr(row, f)
                if value != "" and value is not None and value != old[f]:
                    changes[f] = value
            have = cats.get(old["pk"], ())
            missing_categories = [c for c in row.categories if c not in have]
            profile_changed = False
            if row.child:
                profile = profiles.get(old["pk"])
                if profile is None:
                    new_profiles.append(ChildProfile(person_id=old["pk"], **row.child))
                    profile_changed = True
                else:
                    diff = {k: v for k, v in row.child.items() if getattr(profile, k) != v}
                    if diff:
                        for k, v in diff.items():
                            setattr(profile, k, v)
                        profile_fields.update(diff)
                        changed_profiles.append(profile)
                        profile_changed = True
            if not changes and not missing_categories and not profile_changed:
                self.result.unchanged += 1
                continue
            self.result.updated += 1
            new_categories.extend(PersonCategory(person_id=old["pk"], category=c) for c in missing_categories)
            # Any change, a new category or profile included, moves the person's version on
            # (the edit form's optimistic lock).
            self.touched.update((old["area_id"], row.area_id))
            person = Person(pk=old["pk"], version=old["version"] + 1, updated_at=self.now,
                            **{f: changes.get(f, old[f]) for f in UPDATABLE})
            person.pinyin_full, person.pinyin_initials = self.pinyin(person.name)
            updates.append(person)
        if not self.dry_run:
            if updates:
                Person.objects.bulk_update(updates, [*UPDATABLE, "pinyin_full", "pinyin_initials", "version",
                                                     "updated_at"], batch_size=500)
            if new_categories:
                PersonCategory.objects.bulk_create(new_categories, batch_size=1000)
            if new_profiles:
                ChildProfile.objects.bulk_create(new_profiles, batch_size=500)
            if changed_profiles:
                ChildProfile.objects.bulk_update(changed_profiles, sorted(profile_fields), batch_size=500)
        return creates

    def _existing(self, rows: list[Row]) -> dict:
        found: dict = {}
        hashes = [r.id_hash for r in rows if r.id_hash]
        if hashes:
            # Plain SQL, joining a list of values: SQLite's planner scans the whole table for
            # a long IN (...) list, and the ORM's per-parameter work costs more than the look-up.
            qn = connection.ops.quote_name
            columns = ", ".join("p." + qn(Person._meta.get_field(f).column) for f in self.LOOKUP_FIELDS)
            sql = (f"WITH k(h) AS (VALUES {', '.join(['(%s)'] * len(hashes))}) "
                   f"SELECT {columns} FROM k JOIN {qn(Person._meta.db_table)} p ON p.{qn('id_number_hash')} = k.h")
            with connection.cursor() as cursor:
                cursor.execute(sql, hashes)
                for values in cursor.fetchall():
                    record = dict(zip(self.EXISTING_FIELDS, values))
                    if record["birth_date"] is not None:
                        record["birth_date"] = _as_date(record["birth_date"])
                    found[record["id_number_hash"]] = record
        without = [r for r in rows if not r.id_hash]
        if without:
            qs = Person.objects.filter(id_number_hash="", area_id__in={r.area_id for r in without},
                                       name__in={r.name for r in without})
            for values in qs.values(*self.EXISTING_FIELDS):
                found.setdefault(("", values["area_id"], values["name"], values["birth_date"]), values)
        return found


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- the importer -----------------------------------------------------------


@register("persons", "人员")
def import_persons(path, *, user=None, dry_run=False, options=None, progress=no_progress) -> ImportResult:
    """Import persons from every visible sheet of ``path`` that has a 姓名 and a 身份证号 column.

    options: ``area`` (12-digit code the rows belong under), ``category`` (a
    category name for rows that give none), ``all_or_nothing`` (store nothing
    when any row has an error).
    """
    options = options or {}
    result = ImportResult()
    today = date.today()

    base, base_name, problem = _base_area(user, options.get("area"))
    if problem:
        result.errors.append(RowError(0, "", problem))
        return result
    default_category = None
    if options.get("category"):
        default_category = cat.category_from_text(str(options["category"]))
        if default_category is None:
            known = "、".join(label for _c, label in cat.CATEGORY_CHOICES)
            result.errors.append(RowError(0, "", f"无法识别的人员类别“{options['category']}”，可选：{known}"))
            return result
    default_area = base if base and codes.level_of(base) == codes.VILLAGE else None

    try:
        tables = _open_tables(path)
    except SpreadsheetError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result

    villages = _Villages(user, base)
    villages.base_name = base_name
    writer = _Writer(user, result, dry_run)
    writer.expected_rows = sum(t.total_rows or 0 for _name, t in tables)
    all_or_nothing = bool(options.get("all_or_nothing"))
    total = sum(t.total_rows or 0 for _name, t in tables) or None
    several = len(tables) > 1
    # Person key (16 bytes of the ID hash, or the no-ID key) -> where its first row is:
    # sheet position * _SHEET_STRIDE + row number. Compact: it holds every row of the file.
    seen: dict = {}
    done = 0

    atomic = contextlib.nullcontext() if dry_run else transaction.atomic()
    with _bigger_cache(), atomic:
        for sheet_pos, (sheet_name, table) in enumerate(tables):
            validator = _Validator(table, villages, default_category, default_area, today)
            if "village_code" not in table.columns and "village" not in table.columns and not default_area:
                result.errors.append(RowError(table.header_row, "", _in_sheet(
                    several, sheet_name, "缺少“村（社区）代码”或“所在村（社区）”列；或在导入时选择一个村（社区）")))
                continue
            batch: list[Row] = []
            first_error = len(result.errors)
            name_i, id_i = validator.idx["name"], validator.idx["id_number"]
            for number, values in table.rows:
                done += 1
                values = validator.pad(values)
                name_cell, id_cell = values[name_i], values[id_i]
                if ((id_cell is None or id_cell == "" or (type(id_cell) is str and id_cell.isspace()))
                        and (_blank(name_cell) or (type(name_cell) is str and _NOTE_ROW.match(
                        name_cell.strip()))) and validator.is_blank_or_note(values)):
                    continue
                row, errors = validator.validate(number, values)
                if errors:
                    result.errors.extend(errors)
                    continue
                key = bytes.fromhex(row.id_hash[:32]) if row.id_hash else row.key
                earlier = seen.get(key)
                if earlier is not None:
                    earlier_sheet, earlier_row = divmod(earlier, _SHEET_STRIDE)
                    where = (f"工作表“{tables[earlier_sheet][0]}”第{earlier_row}行"
                             if several and earlier_sheet != sheet_pos else f"第{earlier_row}行")
                    column = "id_number" if row.id_hash else "name"
                    result.errors.append(RowError(number, validator.label(column), f"与{where}是同一人（重复）"))
                    continue
                seen[key] = sheet_pos * _SHEET_STRIDE + number
                batch.append(row)
                if len(batch) >= BATCH_SIZE:
                    writer.apply(batch)
                    batch = []
                    progress(done, total, f"已处理{done}行")
            if batch:
                writer.apply(batch)
            if several:
                for error in result.errors[first_error:]:
                    error.message = _in_sheet(True, sheet_name, error.message)
        progress(done, total or done, f"已处理{done}行")
        result.errors.sort(key=lambda e: e.row)

        if dry_run:
            return result
        if all_or_nothing and result.errors:
            transaction.set_rollback(True)  # the rollback also brings back any index dropped meanwhile
            return result
        if writer.indexes is not None and writer.indexes.dropped:
            progress(done, total or done, "正在重建索引")
            writer.indexes.restore()
        if writer.touched:
            # Bulk writes send no signals: bring the villages' dashboard tallies up to date, in
            # the same transaction for a small import, by the task worker after a large one.
            villages = sorted(writer.touched)
            if result.created + result.updated <= INLINE_TALLY_ROWS:
                progress(done, total or done, "正在更新统计")
                refresh_village_tallies.call(villages)
            else:
                transaction.on_commit(lambda: refresh_village_tallies.enqueue(villages))
        from guanai.audit.models import AuditEvent
        from guanai.audit.services import record

        record(AuditEvent.IMPORT, user=user, object_type="registry.person", username="" if user else "（命令行）",
               detail=(f"导入人员：{Path(str(path)).name}，新增{result.created}，更新{result.updated}，"
                       f"未变{result.unchanged}，错误{len(result.errors)}"))
        _test_pause_in_commit()
    result.committed = True
    return result


@task()
def refresh_village_tallies(village_codes: list[str]) -> None:
    from guanai.stats.tallies import refresh_villages

    refresh_villages(village_codes)


def _in_sheet(several: bool, sheet_name: str, message: str) -> str:
    return f"［工作表“{sheet_name}”］{message}" if several else message


def _open_tables(path) -> list:
    """(sheet name, Table) for each visible sheet with a person header; the first sheet's error if none has."""
    from python_calamine import CalamineWorkbook

    indexes = visible_sheets(path)
    names = {}
    if Path(str(path)).suffix.lower() != ".csv":
        names = dict(enumerate(CalamineWorkbook.from_path(str(path)).sheet_names))
    tables, first_error = [], None
    for index in indexes:
        try:
            tables.append((names.get(index, ""), open_table(path, PERSON_COLUMNS, REQUIRED_COLUMNS, sheet=index)))
        except SpreadsheetError as exc:
            first_error = first_error or exc
    if not tables:
        raise first_error or SpreadsheetError("文件中没有可导入的工作表")
    return tables


def _base_area(user, code) -> tuple[str | None, str, str | None]:
    """The area rows belong under: --area, else the user's own area; (code, name, problem)."""
    code = clean_text(code or "").replace(" ", "") or None
    if code:
        try:
            codes.level_of(code)
        except codes.AreaCodeError as exc:
            return None, "", str(exc)
        area = Area.objects.filter(pk=code).first()
        if area is None:
            return None, "", f"系统中没有代码为“{code}”的地区"
        if user is not None and not may_see_area(user, code):
            return None, "", f"地区“{area.name}”不在您的管辖范围内"
        return code, area.name, None
    if user is not None and user_role(user) != roles.ADMIN:
        if user_role(user) not in roles.AREA_RECORD_ROLES or not user.area_id:
            return None, "", "您的账号无权导入人员档案"
        return user.area_id, user.area.name, None
    return None, "", None


@contextlib.contextmanager
def _bigger_cache(megabytes: int = 64):
    """On SQLite, a page cache large enough for the person table's indexes while the import
    runs (the default 2 MB makes every index insert go to disk); restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{megabytes * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _test_pause_in_commit() -> None:
    """Test hook: sleep inside the transaction so a test can kill the process mid-commit."""
    seconds = os.environ.get("GUANAI_TEST_PAUSE_IN_COMMIT")
    if seconds:
        sys.stderr.write("GUANAI_TEST_PAUSE_IN_COMMIT: paused inside the transaction\n")
        sys.stderr.flush()
        time.sleep(float(seconds))
