"""The aggregate tables of left-behind children and of children in difficulty as the national
information system breaks them down (民发〔2016〕42号's statistics table): age bands, sex, parents
away, who guards the child, guardianship type and assessment, schooling, health, boarding,
household registration and aid received, with the cross-column checks (勾稽关系) offices run before
a table goes upward. The columns are the registry's metrics ``left_behind_children`` and
``children_in_difficulty`` by column (registry.metrics.child_columns).

A check that fails names the rows: a child with no birth date is in no age band, one with no
schooling recorded in no schooling column, one without an entrusted guardian but not rated
无人监护 breaks 10 = 11; the registry is put right before the table is sent.
"""

from __future__ import annotations

from guanai.registry import categories as cat

from .tables import Check, Column, TableSpec

# (group, [(column key of the metric, header)]); None is the whole (儿童总数).
LAYOUT = [
    ("", [(None, "儿童总数")]),
    ("年龄", [("age_0_5", "0—5周岁"), ("age_6_13", "6—13周岁"), ("age_14_up", "14周岁及以上")]),
    ("性别", [("male", "男"), ("female", "女")]),
    ("父母外出情况", cat.PARENTS_AWAY),
    ("实际监护", cat.ACTUAL_GUARDIANSHIP),
    ("监护类型", [(f"rating_{code}", label) for code, label in cat.GUARDIANSHIP_RATING]),
    ("监护情况评估", [("assessed_good", "较好"), ("assessed_fair", "一般"), ("assessed_poor", "差")]),
    ("就学情况", [(f"school_{code}", label) for code, label in cat.SCHOOLING]),
    ("身体状况", [(f"health_{code}", label) for code, label in cat.HEALTH]),
    ("寄宿", [("boarding", "寄宿")]),
    ("户籍", [("hukou_yes", "有户籍"), ("hukou_no", "无户籍")]),
    ("享受救助（可多选）", [("aided", "享受救助"), ("aid_dibao", "低保"), ("aid_temporary", "临时救助"),
                     ("aid_medical", "医疗救助"), ("aid_housing", "住房救助"), ("aid_other", "其他")]),
]


def _numbers() -> dict[str | None, int]:
    """Column key → its number in the table (1-based), as the checks name them."""
    keys = [key for _group, columns in LAYOUT for key, _label in columns]
    return {key: i + 1 for i, key in enumerate(keys)}


def _checks(left_behind: bool) -> tuple[Check, ...]:
    n = _numbers()

    def cols(*keys):
        return tuple(n[k] for k in keys)

    ratings = tuple(n[f"rating_{code}"] for code, _l in cat.GUARDIANSHIP_RATING)
    schooling = tuple(n[f"school_{code}"] for code, _l in cat.SCHOOLING)
    in_school = cols("school_kindergarten", "school_primary", "school_junior", "school_senior", "school_vocational")
    checks = [
        Check(cols(None), "=", cols("age_0_5", "age_6_13", "age_14_up"), "儿童总数等于各年龄段之和（出生日期缺失的儿童不在任何年龄段）"),
        Check(cols(None), "=", cols("male", "female"), "儿童总数等于男女之和（性别缺失的儿童两栏都不计）"),
    ]
    if left_behind:
        checks.append(Check(cols(None), "=", cols("both_parents_away", "one_parent_away"),
                            "留守儿童都是父母双方外出或一方外出另一方无监护能力"))
    checks += [
        Check(cols(None), "=", cols("entrusted", "unguarded"), "每名儿童或有委托监护人，或无人监护（未填儿童信息的不计）"),
        Check(cols("unguarded"), "=", cols("rating_none"), "无人照料的儿童与监护类型为“无人监护”的儿童应为同一批"),
        Check(cols(None), "=", ratings, "儿童总数等于各监护类型之和（未评定监护类型的不计）"),
        Check(cols(None), "=", cols("assessed_good", "assessed_fair", "assessed_poor"), "儿童总数等于监护情况评估各档之和"),
        Check(cols(None), "=", schooling, "儿童总数等于各就学情况之和（未填就学情况的不计）"),
        Check(cols(None), "=", cols("health_healthy", "health_disabled", "health_ill"), "儿童总数等于各身体状况之和"),
        Check(cols("boarding"), "<=", in_school, "寄宿生不多于在园在校生"),
    ]
    return tuple(checks)


def _table(slug: str, title: str, metric: str, left_behind: bool) -> TableSpec:
    columns = tuple(Column(label, "人", metric, {"column": key} if key else {}, group=group)
                    for group, keys in LAYOUT for key, label in keys)
    return TableSpec(slug, title, columns, _checks(left_behind), description=(
        "按期末在册的儿童及其儿童信息（全国农村留守儿童和困境儿童信息管理系统的统计口径）统计，本期尚未结束的按今日；"
        "年龄为期末周岁。勾稽关系不成立的行，请先核实相关儿童的信息再上报。"))


def national_tables() -> list[TableSpec]:
    return [_table("left-behind-children", "农村留守儿童信息统计表", "left_behind_children", True),
            _table("children-in-difficulty", "困境儿童信息统计表", "children_in_difficulty", False)]
