"""A figure's subject: the noun phrase next to it, taken with jieba (loaded once, lazily)."""

from __future__ import annotations

import functools
import logging


# --- jieba -----------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)  # keep dictionary loading off stderr
    return jieba.posseg


# Parts of speech that make a noun phrase (jieba's tag set).
_NOUN_TAGS = {"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "nl", "ng", "vn", "an", "j", "l", "i"}
# Modifiers allowed inside a phrase but not at its edge (计生特殊家庭).
_INNER_TAGS = {"a", "b"}
# Care-work words jieba tags as verbs or adjectives but that name people here.
_DOMAIN_WORDS = {
    "建档立卡", "留守", "孤寡", "困难", "困境", "特困", "残疾", "贫困", "空巢", "高龄",
    "低保", "五保", "独居", "失能", "失独", "散居", "单亲", "收入", "劳务", "计生",
    "主任",  # jieba tags it b: 儿童主任186名
}
# Words jieba tags as nouns that are not what a figure counts.
_NOT_SUBJECT = {
    "整理", "计划", "选派", "动工", "全部", "处", "其中", "价值", "目前", "至今", "同比", "环比",
    "东", "南", "西", "北", "东南", "西南", "东北", "西北",
}
# Words between a subject and its figure (残疾户等共38户, 人均达到了5000元).
_FILLERS = {
    "共", "共计", "合计", "总计", "累计", "达", "达到", "计", "等", "了", "有", "为",
    "是", "各", "分别", "占", "增长", "增加", "提高", "下降", "减少",
}
_CLAUSE_STOPS = "，。、；：！？,;:!?\n“”‘’《》（）()[]【】"
_WINDOW = 16
_MAX_TOKENS = 4


def _is_nounish(word: str, flag: str) -> bool:
    if word in _NOT_SUBJECT or word[0] in "全各本每":
        return False
    return word in _DOMAIN_WORDS or flag in _NOUN_TAGS


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(t.word, t.flag) for t in _posseg().cut(text)] if text else []


def _subject_before(window: str) -> str:
    """The noun phrase ending right before a figure: 慰问留守儿童|23名."""
    tokens = _tokens(window)
    while tokens and tokens[-1][0] in _FILLERS:
        tokens.pop()
    phrase: list[tuple[str, str]] = []
    while tokens and len(phrase) < _MAX_TOKENS:
        word, flag = tokens[-1]
        if not (_is_nounish(word, flag) or (phrase and flag in _INNER_TAGS)):
            break
        phrase.insert(0, tokens.pop())
    while phrase and not _is_nounish(*phrase[0]):
        phrase.pop(0)
    return _join_phrase(phrase)


def _subject_after(window: str) -> str:
    """The noun phrase starting right after a figure: 82户|建档立卡贫困户."""
    tokens = _tokens(window)
    if tokens and tokens[0][0] == "的":
        tokens.pop(0)  # 2万元的教学物资
    phrase: list[tuple[str, str]] = []
    for word, flag in tokens[:_MAX_TOKENS]:
        if not (_is_nounish(word, flag) or (phrase and flag in _INNER_TAGS)):
            break
        phrase.append((word, flag))
    rest = tokens[len(phrase) :]
    if rest and rest[0][0][0].isdigit():
        return ""  # 80只以上|农户20户: the noun belongs to the next figure
    while phrase and not _is_nounish(*phrase[-1]):
        phrase.pop()
    return _join_phrase(phrase)


def _join_phrase(phrase: list[tuple[str, str]]) -> str:
    # A lone verbal noun names an action, not what is counted (已动工|132户),
    # while 项目投资 or 培训农民 does name it.
    if len(phrase) == 1 and phrase[0][1] == "vn":
        return ""
    return "".join(word for word, _ in phrase)


def _clause_before(text: str, start: int, floor: int) -> str:
    i = start
    while i > floor and start - i < _WINDOW and text[i - 1] not in _CLAUSE_STOPS:
        i -= 1
    return text[i:start]


def _clause_after(text: str, end: int) -> str:
    i = end
    while i < len(text) and i - end < _WINDOW and text[i] not in _CLAUSE_STOPS:
        i += 1
    return text[end:i]
