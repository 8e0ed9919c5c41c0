"""The persons sheet's vocabulary: the headers people write for each field, and the words
they write in its cells (categories, guardianship, schooling, ethnicities)."""

from __future__ import annotations

import re

from guanai.textproc.cells import clean_text

from .. import categories as cat

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
HAN_NAME = re.compile(r"[\u3400-\u9fff·•．.\s]+")
NOTE_ROW = re.compile(r"^(?:填表|制表|审核|负责人|联系人|合计|总计|小计|说明|注[:：]|备注)")


def label_for(table_labels: dict[str, str], field_name: str) -> str:
    return table_labels.get(field_name) or COLUMN_LABELS[field_name]


# Child-profile columns read as one of a list: (text -> code, what the column is, the choices).
CHILD_ENUMS = {
    "guardianship_rating": (GUARDIANSHIP_BY_TEXT, "监护情况", cat.GUARDIANSHIP_RATING),
    "schooling": (SCHOOLING_BY_TEXT, "就学情况", cat.SCHOOLING),
}




def read_ethnicity(text: str) -> str:
    if text and text not in _ETHNICITY_SET and text + "族" in _ETHNICITY_SET:
        return text + "族"  # 汉 → 汉族
    return text


def read_categories(text: str) -> tuple[tuple[str, ...], str | None]:
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


def read_enum(text: str, mapping: dict[str, str]) -> str | None:
    text = re.sub(r"\s+", "", text)
    if text in mapping:
        return mapping[text]
    if text in mapping.values():
        return text
    hits = {code for label, code in mapping.items() if len(label) > 1 and label in text}
    return hits.pop() if len(hits) == 1 else None


def clean_label(text: str) -> str:
    return re.sub(r"\s+", "", clean_text(text)) or ""
