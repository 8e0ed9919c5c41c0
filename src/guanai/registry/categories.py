"""Care categories (人员类别) and the enumerations of the national forms."""

LEFT_BEHIND_CHILD = "left_behind_child"
CHILD_IN_DIFFICULTY = "child_in_difficulty"
EMPTY_NEST_ELDER = "empty_nest_elder"
SOLITARY_ELDER = "solitary_elder"
LOST_ONLY_CHILD = "lost_only_child"
DISABLED_ELDER = "disabled_elder"
DISABLED_PERSON = "disabled_person"
LOW_INCOME = "low_income"
REGISTERED_POOR = "registered_poor"
LEFT_BEHIND_WOMAN = "left_behind_woman"

CATEGORY_CHOICES = [
    (LEFT_BEHIND_CHILD, "农村留守儿童"),
    (CHILD_IN_DIFFICULTY, "困境儿童"),
    (EMPTY_NEST_ELDER, "空巢老人"),
    (SOLITARY_ELDER, "独居老人"),
    (LOST_ONLY_CHILD, "失独家庭"),
    (DISABLED_ELDER, "失能/半失能老人"),
    (DISABLED_PERSON, "残疾人"),
    (LOW_INCOME, "低保/困难家庭"),
    (REGISTERED_POOR, "建档立卡贫困户"),
    (LEFT_BEHIND_WOMAN, "留守妇女"),
]
CATEGORY_LABELS = dict(CATEGORY_CHOICES)
CHILD_CATEGORIES = {LEFT_BEHIND_CHILD, CHILD_IN_DIFFICULTY}
ELDER_CATEGORIES = {EMPTY_NEST_ELDER, SOLITARY_ELDER, LOST_ONLY_CHILD, DISABLED_ELDER}
# Age limits a category implies (a left-behind child is under 16).
MAX_AGE = {LEFT_BEHIND_CHILD: 15, CHILD_IN_DIFFICULTY: 17}
MIN_AGE = {EMPTY_NEST_ELDER: 60, SOLITARY_ELDER: 60, DISABLED_ELDER: 60}

DIFFICULTY_SUBTYPES = [("poverty", "贫困"), ("disability", "残疾"), ("no_guardianship", "缺乏有效监护")]

# Names people write for each category in sheets, beyond the label itself.
CATEGORY_SYNONYMS = {
    LEFT_BEHIND_CHILD: ["留守儿童", "农村留守儿童"],
    CHILD_IN_DIFFICULTY: ["困境儿童"],
    EMPTY_NEST_ELDER: ["空巢老人", "空巢"],
    SOLITARY_ELDER: ["独居老人", "独居"],
    LOST_ONLY_CHILD: ["失独家庭", "失独"],
    DISABLED_ELDER: ["失能老人", "半失能老人", "失能/半失能老人", "失能半失能老人"],
    DISABLED_PERSON: ["残疾人"],
    LOW_INCOME: ["低保", "低保户", "困难家庭", "低保/困难家庭"],
    REGISTERED_POOR: ["建档立卡贫困户", "贫困户", "建档立卡户"],
    LEFT_BEHIND_WOMAN: ["留守妇女"],
}


def category_from_text(text: str) -> str | None:
    text = (text or "").strip()
    for code, label in CATEGORY_CHOICES:
        if text == label or text == code or text in CATEGORY_SYNONYMS[code]:
            return code
    return None


EXIT_REASONS = [
    ("aged_out", "年满16周岁"),
    ("parents_returned", "父母返乡"),
    ("moved_away", "迁出"),
    ("deceased", "死亡"),
    ("merged", "重复建档已合并"),
    ("other", "其他"),
]
SCHOOLING = [("none_preschool", "未入园"), ("kindergarten", "幼儿园"), ("primary", "小学"), ("junior", "初中"),
             ("senior", "高中"), ("vocational", "中职"), ("dropout", "辍学"), ("not_in_school", "未在校")]
HEALTH = [("healthy", "健康"), ("disabled", "残疾"), ("ill", "患病")]
GUARDIANSHIP_RATING = [("none", "无人监护"), ("parent_incapable", "父母无监护能力"),
                       ("insufficient", "监护人监护能力不足"), ("fair", "一般"), ("good", "良好")]
SELF_CARE = [("full", "自理"), ("partial", "半失能"), ("none", "失能")]
LIVING = [("alone", "独居"), ("spouse", "与配偶同住"), ("children", "与子女同住"), ("other", "其他")]
