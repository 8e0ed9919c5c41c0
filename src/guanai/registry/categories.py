"""Care categories (人员类别) and the enumerations of the national forms."""

from datetime import date

from guanai.core import clock
from guanai.textproc.idcard import age_on, born_on_or_before

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



def age_problems(categories, birth_date: date | None, today: date | None = None) -> list[str]:
    """Chinese messages where a person's age contradicts a category (a left-behind child is
    under 16, an empty-nest elder at least 60): the one rule of the form, the services and
    the importer. Nothing to say without a birth date, or for one after ``today``."""
    if birth_date is None:
        return []
    today = today or clock.today()
    if birth_date > today:
        return []
    age = age_on(birth_date, today)
    problems = []
    for code in categories:
        label = CATEGORY_LABELS.get(code, code)
        if code in MAX_AGE and age > MAX_AGE[code]:
            problems.append(f"{label}应未满{MAX_AGE[code] + 1}周岁，此人已{age}岁")
        if code in MIN_AGE and age < MIN_AGE[code]:
            problems.append(f"{label}应年满{MIN_AGE[code]}周岁，此人仅{age}岁")
    return problems


def age_window(categories, today: date) -> tuple[date | None, date | None]:
    """The birth dates within every age limit of ``categories`` on ``today``, as (after, up to)
    (None: no bound): over MAX_AGE is born on or before born_on_or_before(today, MAX_AGE + 1),
    at least MIN_AGE on or before born_on_or_before(today, MIN_AGE), as age_on counts: the
    fast form of ``age_problems`` for a large import, where most rows are within them."""
    after = up_to = None
    for code in categories:
        if code in MAX_AGE:
            bound = born_on_or_before(today, MAX_AGE[code] + 1)
            after = bound if after is None else max(after, bound)
        if code in MIN_AGE:
            bound = born_on_or_before(today, MIN_AGE[code])
            up_to = bound if up_to is None else min(up_to, bound)
    return after, up_to


DIFFICULTY_SUBTYPES = [("poverty", "贫困"), ("disability", "残疾"), ("no_guardianship", "缺乏有效监护")]

# How official writing names each category (a briefing's text), and the other words prose uses
# for it: the composer writes the first, the fact-checker reads them all back.
CATEGORY_PROSE = {
    LEFT_BEHIND_CHILD: "农村留守儿童",
    CHILD_IN_DIFFICULTY: "困境儿童",
    EMPTY_NEST_ELDER: "空巢老人",
    SOLITARY_ELDER: "独居老人",
    LOST_ONLY_CHILD: "失独家庭成员",
    DISABLED_ELDER: "失能半失能老人",
    DISABLED_PERSON: "残疾人",
    LOW_INCOME: "低保和困难家庭成员",
    REGISTERED_POOR: "建档立卡贫困人口",
    LEFT_BEHIND_WOMAN: "留守妇女",
}
PROSE_SYNONYMS = {
    LEFT_BEHIND_CHILD: ["留守儿童"],
    LOST_ONLY_CHILD: ["失独家庭", "失独老人"],
    DISABLED_ELDER: ["失能老人", "半失能老人"],
    LOW_INCOME: ["低保对象", "困难家庭"],
    REGISTERED_POOR: ["建档立卡贫困户", "贫困人口"],
}


def prose_words() -> dict[str, str]:
    """Every word prose uses for a category -> its code."""
    words = {}
    for code, word in CATEGORY_PROSE.items():
        words[word] = code
        words.update(dict.fromkeys(PROSE_SYNONYMS.get(code, ()), code))
    return words


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
# The ratings that mean a child lacks effective guardianship (缺乏有效监护): lists, figures, the profile.
WEAK_GUARDIANSHIP = ("none", "parent_incapable", "insufficient")
SELF_CARE = [("full", "自理"), ("partial", "半失能"), ("none", "失能")]
LIVING = [("alone", "独居"), ("spouse", "与配偶同住"), ("children", "与子女同住"), ("other", "其他")]


# --- households and guardians (issue 15.6) ---------------------------------------------------
# A household member's relation to the children of the household; a guardian's relation is one
# of the same words but 兄弟姐妹 (an adult sibling guarding is 其他亲属).
GUARDIAN_RELATIONS = [("grandparent", "祖父母"), ("maternal_grandparent", "外祖父母"), ("father", "父亲"),
                      ("mother", "母亲"), ("relative", "其他亲属"), ("other", "其他")]
MEMBER_RELATIONS = GUARDIAN_RELATIONS[:4] + [("sibling", "兄弟姐妹")] + GUARDIAN_RELATIONS[4:]

# How a child is guarded, in the words and keys of the national statistics table of left-behind
# children and children in difficulty (民发〔2016〕42号): the parents' absence (父母外出情况) and
# who actually looks after the child (实际监护). registry.metrics' national columns and
# dashboards.national's headers read these; a guardian is recorded under one of GUARDIANSHIP_TYPES.
PARENTS_AWAY = [("both_parents_away", "父母双方外出"), ("one_parent_away", "一方外出另一方无监护能力")]
ACTUAL_GUARDIANSHIP = [("entrusted", "委托监护"), ("unguarded", "无人监护")]
NATIONAL_GUARDIANSHIP_LABELS = dict(PARENTS_AWAY + ACTUAL_GUARDIANSHIP)
# A child with a guardian is entrusted to them: because both parents are away, because one is away
# and the other cannot guard, or for another reason; a child with no guardian is 无人监护.
GUARDIANSHIP_TYPES = PARENTS_AWAY + [("entrusted", "委托监护（其他原因）")]
