"""Places and organisations named in a document, where recognisable.

Read from jieba's part-of-speech tags (``ns`` places, ``nt`` organisations)
narrowed by the shapes these documents use: a place ends with a division word
(省, 市, 县, 区, 镇, 乡, 街道, 村, 社区), an organisation with the name of an
office or institution (民政局, 妇联, 卫生院, 居委会, ...), joined to the place
or the level word right before it (青岛市 + 卫生局, 市 + 民政局).
"""

from __future__ import annotations

import functools
import logging
import re

MAX_MENTIONS = 30

_PLACE_RE = re.compile(r"^[\u4e00-\u9fff]{2,10}(?:省|市|县|区|旗|州|盟|镇|乡|街道|村|社区)$")
_NOT_PLACE_START = "各全本该每此"
_LEVEL_WORDS = {"省", "市", "县", "区", "镇", "乡", "村"}
_ORG_RE = re.compile(
    r"(?:局|委|办公室|办|联合会|委员会|妇联|残联|团委|团市委|团县委|医院|卫生院|检察院|法院|福利院|敬老院|"
    r"养老院|派出所|司法所|供电所|救助站|救助管理站|工作站|服务站|中心|工作队|幼儿园|小学|中学|红十字会|协会|"
    r"总工会|居委会|村委会|政府|党委|党工委|办事处|宣传部|组织部|统战部|武装部|公司)$"
)
_NOT_ORG = {
    "党和政府", "党委政府", "政府", "党委", "中心", "委员会", "协会", "学校", "单位", "部门", "大力开展",
    "主办", "承办", "举办", "创办", "开办", "中小学", "小学", "中学", "公司", "医院", "镇党委",
    "有限公司", "服务中心", "办公室", "人民政府", "工作站", "工作队", "办事处", "村两委",
}
_NOUNISH = ("n", "j", "l")


@functools.lru_cache(maxsize=1)
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def _is_place(word: str, flag: str) -> bool:
    return flag == "ns" and bool(_PLACE_RE.match(word)) and word[0] not in _NOT_PLACE_START


def _is_org(word: str, flag: str) -> bool:
    return flag.startswith(_NOUNISH) and len(word) >= 2 and bool(_ORG_RE.search(word)) and word not in _NOT_ORG


def recognise(text: str) -> tuple[list[str], list[str]]:
    """(places, organisations) named in ``text``, each in order of first mention."""
    places: list[str] = []
    organisations: list[str] = []
    tokens = [(t.word, t.flag) for t in _posseg().cut(text)]
    for i, (word, flag) in enumerate(tokens):
        if _is_place(word, flag):
            if word not in places and len(places) < MAX_MENTIONS:
                places.append(word)
            continue
        if not _is_org(word, flag):
            continue
        name = word
        if i:
            before, before_flag = tokens[i - 1]
            if _is_place(before, before_flag) or before in _LEVEL_WORDS:
                name = before + word
        if len(name) >= 3 and name not in organisations and len(organisations) < MAX_MENTIONS:
            organisations.append(name)
    return places, organisations
