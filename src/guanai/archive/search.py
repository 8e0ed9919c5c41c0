"""Full-text search of archived documents by word, on SQLite and PostgreSQL.

Indexing. Title and text are cut as jieba's ``cut_for_search`` does (each word
after the shorter dictionary words inside it: 中华人民共和国 gives 中华, 华人,
人民, 共和, 共和国, 中华人民共和国), with the words of care work that jieba cuts
in pieces joined back (留守, 儿童, 留守儿童; see DOMAIN_WORDS), and the tokens,
joined by spaces, are kept in ``Document.search_text``.

- SQLite: the FTS5 table ``archive_document_fts`` (tokenizer unicode61, which
  splits on the spaces; rowid = document id) holds a copy. ``sync_index`` keeps
  it in step: it runs on every save and delete of a Document (signals.py) and
  inside the same transaction, and bulk loaders call it themselves.
- PostgreSQL: the generated column ``search_vector`` =
  ``to_tsvector('simple', search_text)`` with a GIN index (migration 0002);
  the database keeps it in step by itself.

Querying. The query is cut the same way (accurate mode; spaces also separate
words). A document matches when it holds every query word, either as a token
or as the phrase of the shorter words that make it up (``留守儿童`` or
``留守 儿童``). Results are ranked by bm25 (SQLite) or ts_rank (PostgreSQL),
and the hits are marked in snippets of the normalised text with ``<mark>``.

Bounds. Every search runs under a time limit (``TIME_LIMIT_SECONDS``: a
statement timeout on PostgreSQL, a progress handler on SQLite); past it the
page says so instead of keeping a thread busy. A snippet is found in time
linear in the text (one scan for hits, one sliding window over them), and no
document is longer than ``readers.MAX_DOCUMENT_CHARS``.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connection, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FTS_TABLE = "archive_document_fts"
MAX_QUERY_CHARS = 100
MAX_TERMS = 10
PER_PAGE = 20
SNIPPET_CHARS = 160
TIME_LIMIT_SECONDS = 10.0  # one search, all of it
MAX_SNIPPET_HITS = 5000  # hits looked at for a snippet: the best window is among the first ones

_WORDISH = re.compile(r"\w")
logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # dictionary loading stays off stderr
    jieba.dt.check_initialized()
    return jieba


# --- indexing --------------------------------------------------------------

# Words of care work that jieba's dictionary cuts in pieces (留守 | 儿童). They
# are joined back here, for search only, so 留守儿童 is a word of its own in
# the index and in queries; the shared jieba dictionary is left as it is.
DOMAIN_WORDS = frozenset("""
留守儿童 农村留守儿童 困境儿童 事实无人抚养儿童 流动儿童 残疾儿童 留守老人 空巢老人 独居老人 孤寡老人
失能老人 半失能老人 高龄老人 失独老人 留守妇女 困难家庭 困难群众 特困人员 失独家庭 计生特殊家庭 单亲家庭
儿童主任 儿童督导员 网格员 爱心家长 代理家长 爱心家园 儿童之家 四点半课堂 亲情电话 结对帮扶 走访慰问
春节慰问 摸底排查 动态更新 强制报告 应急处置 评估帮扶 监护干预 委托监护 合力监护 联席会议 成员单位
志愿服务 防溺水 安全教育 心理辅导 关爱服务 精准扶贫 乡村振兴 控辍保学 特殊困难 未成年人保护 临时救助
""".split())
_MAX_PARTS = 4
_DOMAIN_RE = re.compile("|".join(sorted(DOMAIN_WORDS, key=len, reverse=True)))


@dataclass(frozen=True)
class Unit:
    word: str
    pieces: tuple[str, ...]  # the jieba words a DOMAIN_WORDS word was joined from, or ()
    start: int
    end: int


def segment(text: str) -> list[Unit]:
    """jieba's accurate cut, with the pieces of a DOMAIN_WORDS word joined."""
    words = [(w, a, b) for w, a, b in _jieba().dt.tokenize(text) if w.strip()]
    out: list[Unit] = []
    i = 0
    while i < len(words):
        for n in range(min(_MAX_PARTS, len(words) - i), 1, -1):
            joined = "".join(w for w, _a, _b in words[i : i + n])
            if joined in DOMAIN_WORDS and words[i + n - 1][2] - words[i][1] == len(joined):
                out.append(Unit(joined, tuple(w for w, _a, _b in words[i : i + n]), words[i][1], words[i + n - 1][2]))
                i += n
                break
        else:
            word, a, b = words[i]
            out.append(Unit(word, (), a, b))
            i += 1
    return out


def _inner_domain_words(word: str) -> list[str]:
    inner = [w for w in DOMAIN_WORDS if w != word and w in word]
    return sorted(inner, key=lambda w: (word.index(w), len(w)))


def tokens_for_index(text: str) -> list[str]:
    """What jieba's cut_for_search gives (each word, after the dictionary words
    of two and three characters inside it), with DOMAIN_WORDS joined. A domain
    word jieba cut across (2020年防溺水: 年防 | 溺水) is added all the same, after
    the word holding its last character."""
    freq = _jieba().dt.FREQ
    units = segment(text)
    extras: dict[int, list[str]] = {}
    if _DOMAIN_RE.search(text):
        owner = {}
        for index, unit in enumerate(units):
            for pos in range(unit.start, unit.end):
                owner[pos] = index
        found = {(u.start, u.word) for u in units if u.word in DOMAIN_WORDS}
        for match in _DOMAIN_RE.finditer(text):
            if (match.start(), match.group()) not in found and match.end() - 1 in owner:
                extras.setdefault(owner[match.end() - 1], []).extend([match.group(), *_inner_domain_words(match.group())])
    tokens: list[str] = []
    for index, unit in enumerate(units):
        word = unit.word
        if unit.pieces:
            tokens.extend(unit.pieces)
            tokens.extend(_inner_domain_words(word))  # 农村留守儿童 also holds 留守儿童
        else:
            for n in (2, 3):
                if len(word) > n:
                    tokens.extend(g for g in (word[i : i + n] for i in range(len(word) - n + 1)) if freq.get(g))
        tokens.append(word)
        tokens.extend(extras.get(index, ()))
    return [t for t in tokens if _WORDISH.search(t)]


def index_text(title: str, text: str) -> str:
    """The segmented copy of a document that the full-text index reads."""
    return " ".join(tokens_for_index(f"{title}\n{text}"))


def sync_index(document_ids) -> None:
    """Bring the SQLite FTS rows of these documents in line with their table rows
    (a missing document loses its row). Nothing to do on PostgreSQL."""
    ids = [int(i) for i in document_ids]
    if connection.vendor != "sqlite" or not ids:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, search_text) "
                f"SELECT id, search_text FROM archive_document WHERE id IN ({marks})", chunk,
            )


def rebuild_index() -> None:
    """Rebuild the whole SQLite index from the documents (after a restore, say)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE}")
        cursor.execute(f"INSERT INTO {FTS_TABLE} (rowid, search_text) SELECT id, search_text FROM archive_document")


# --- the query -------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    word: str
    parts: tuple[str, ...] = ()  # shorter words covering ``word``, as a phrase


def _parts(word: str) -> tuple[str, ...]:
    """Cover ``word`` left to right with the shorter words cut_for_search finds in it."""
    fine = {t for t in _jieba().cut_for_search(word) if t != word and len(t) > 1}
    if not fine:
        return ()
    cover, pos = [], 0
    while pos < len(word):
        best = max((t for t in fine if word.startswith(t, pos)), key=len, default=None)
        if best is None:
            return ()
        cover.append(best)
        pos += len(best)
    return tuple(cover) if len(cover) > 1 else ()


def parse_query(query: str) -> list[Term]:
    """The words of a query, cut as the documents were (simplified, half-width)."""
    from guanai.textproc.normalize import to_simplified
    from guanai.textproc.width import alnum_to_halfwidth

    query = to_simplified(alnum_to_halfwidth((query or "").strip()[:MAX_QUERY_CHARS]))
    terms: list[Term] = []
    for chunk in query.split():
        for unit in segment(chunk):
            if _WORDISH.search(unit.word) and unit.word not in {t.word for t in terms}:
                terms.append(Term(unit.word, unit.pieces or _parts(unit.word)))
    return terms[:MAX_TERMS]


def _fts5_string(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def fts5_expression(terms: list[Term]) -> str:
    groups = []
    for term in terms:
        options = [_fts5_string(term.word)]
        if term.parts:
            options.append(_fts5_string(" ".join(term.parts)))
        groups.append("(" + " OR ".join(options) + ")")
    return " AND ".join(groups)


def tsquery_sql(terms: list[Term]) -> tuple[str, list[str]]:
    """A PostgreSQL tsquery expression; phraseto_tsquery parses each word with the
    same parser to_tsvector used, so the two always agree on tokens."""
    groups, params = [], []
    for term in terms:
        options = [term.word, *([" ".join(term.parts)] if term.parts else [])]
        groups.append("(" + " || ".join(["phraseto_tsquery('simple', %s)"] * len(options)) + ")")
        params.extend(options)
    return " && ".join(groups), params


class SearchTimeout(Exception):
    """The search ran past TIME_LIMIT_SECONDS and was stopped."""


@contextmanager
def time_limit(seconds: float):
    """Stop any query run inside after ``seconds``: PostgreSQL cancels the
    statement (``statement_timeout``, local to this transaction), SQLite's
    progress handler interrupts it. Raises SearchTimeout."""
    deadline = time.monotonic() + seconds
    try:
        if connection.vendor == "postgresql":
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(max(1, int(seconds * 1000)))])
                yield
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
        else:
            connection.ensure_connection()
            raw = connection.connection
            raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 1000)
            try:
                yield
            finally:
                raw.set_progress_handler(None, 0)
    except OperationalError as exc:
        message = str(exc).lower()
        if "interrupt" in message or "statement timeout" in message or "canceling statement" in message:
            raise SearchTimeout from None
        raise


def _ranked_sql(queryset, terms: list[Term], offset: int, limit: int) -> tuple[str, list] | None:
    """The query for one page of ranked ids and the number of matches (None
    when nothing is in scope)."""
    try:
        scoped_sql, scoped_params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # queryset.none(): nothing in scope
        return None
    if connection.vendor == "postgresql":
        query_sql, query_params = tsquery_sql(terms)
        sql = (
            "SELECT d.id, count(*) OVER () FROM archive_document d, "
            f"(SELECT {query_sql} AS query) q "
            f"WHERE d.search_vector @@ q.query AND d.id IN ({scoped_sql}) "
            "ORDER BY ts_rank(d.search_vector, q.query) DESC, d.id DESC LIMIT %s OFFSET %s"
        )
        params = [*query_params, *scoped_params, limit, offset]
    elif connection.vendor == "sqlite":
        # The full-text match runs once, alone (bm25() must be computed where the
        # MATCH is); the scope applies to its hits. A rowid constraint inside the
        # FTS query would make FTS5 run the MATCH once per document in scope.
        sql = (
            f"WITH hits AS MATERIALIZED (SELECT rowid AS id, bm25({FTS_TABLE}) AS rank FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s) "
            f"SELECT id, count(*) OVER () FROM hits WHERE id IN ({scoped_sql}) "
            "ORDER BY rank, id DESC LIMIT %s OFFSET %s"
        )
        params = [fts5_expression(terms), *scoped_params, limit, offset]
    else:  # pragma: no cover - only the two supported databases
        raise NotImplementedError(f"no full-text search on {connection.vendor}")
    return sql, params


def _ranked_ids(queryset, terms: list[Term], offset: int, limit: int) -> tuple[int, list[int]]:
    """(number of matches, ids of one page by relevance) among ``queryset``'s rows."""
    query = _ranked_sql(queryset, terms, offset, limit)
    if query is None:
        return 0, []
    with connection.cursor() as cursor:
        cursor.execute(*query)
        rows = cursor.fetchall()
    if rows:
        return rows[0][1], [row[0] for row in rows]
    if offset == 0:
        return 0, []
    total, _ids = _ranked_ids(queryset, terms, 0, 1)  # a page past the end
    return total, []


# --- highlighting ----------------------------------------------------------


def _terms_regex(terms: list[Term], text: str) -> re.Pattern | None:
    needles = set()
    for term in terms:
        if term.word.lower() in text.lower() or not term.parts:
            needles.add(term.word)
        else:
            needles.update(term.parts)
    if not needles:
        return None
    alternatives = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
    return re.compile(alternatives, re.IGNORECASE)


def _marked(text: str, pattern: re.Pattern | None) -> str:
    if pattern is None:
        return escape(text)
    out, pos = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[pos : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        pos = match.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def highlight(text: str, terms: list[Term]) -> SafeString:
    """The whole text, escaped, with every hit in ``<mark>``."""
    return mark_safe(_marked(text, _terms_regex(terms, text) if terms else None))


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def snippet(text: str, terms: list[Term], width: int = SNIPPET_CHARS) -> SafeString:
    """A window of the text around its densest cluster of hits, hits marked:
    the window holding the most different words, then the most hits. One scan
    for hits and one sliding window over them: time linear in the text."""
    pattern = _terms_regex(terms, text) if terms else None
    hits: list[tuple[int, int, str]] = []
    if pattern is not None:
        for match in pattern.finditer(text):
            hits.append((match.start(), match.end(), match.group().lower()))
            if len(hits) >= MAX_SNIPPET_HITS:
                break
    if not hits:
        stripped = text.lstrip()
        head = _flat(stripped[: width * 2]).strip()[:width]
        return mark_safe(escape(head) + ("…" if len(_flat(stripped[: width * 2 + 1]).strip()) > width else ""))
    best_start, best_score = 0, -1
    inside: Counter[str] = Counter()
    left = right = 0  # hits[left:right] lie inside the current window
    for first, _end, _word in hits:
        start = max(0, first - width // 4)
        while right < len(hits) and hits[right][1] <= start + width:
            inside[hits[right][2]] += 1
            right += 1
        while left < right and hits[left][0] < start:
            inside[hits[left][2]] -= 1
            if not inside[hits[left][2]]:
                del inside[hits[left][2]]
            left += 1
        score = len(inside) * 100 + (right - left)
        if score > best_score:
            best_start, best_score = start, score
    end = min(len(text), best_start + width)
    body = _marked(_flat(text[best_start:end]), pattern)
    return mark_safe(("…" if best_start else "") + body + ("…" if end < len(text) else ""))


# --- one page of results ---------------------------------------------------


@dataclass
class Hit:
    document: object
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class SearchPage:
    query: str
    terms: list[Term]
    total: int
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)
    elapsed_ms: float = 0.0
    timed_out: bool = False

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def previous_page(self) -> int:
        return self.page - 1

    @property
    def next_page(self) -> int:
        return self.page + 1


def run_search(queryset, query: str = "", page: int = 1, per_page: int = PER_PAGE) -> SearchPage:
    """One page of ``queryset`` (already scoped and filtered): by relevance when
    there is a query, newest first otherwise."""
    began = time.perf_counter()
    page = max(1, page)
    offset = (page - 1) * per_page
    terms = parse_query(query)
    try:
        with time_limit(TIME_LIMIT_SECONDS):
            if terms:
                total, ids = _ranked_ids(queryset, terms, offset, per_page)
                by_id = queryset.model.objects.select_related("area").defer("search_text").in_bulk(ids)
                documents = [by_id[i] for i in ids if i in by_id]
            else:
                total = queryset.count()
                documents = list(queryset.select_related("area").defer("search_text")[offset : offset + per_page])
    except SearchTimeout:
        logger.warning("archive search stopped after %ss: %r", TIME_LIMIT_SECONDS, query)
        return SearchPage(query=query, terms=terms, total=0, page=page, per_page=per_page, timed_out=True,
                          elapsed_ms=(time.perf_counter() - began) * 1000)
    hits = [Hit(doc, highlight(doc.title, terms), snippet(doc.text, terms)) for doc in documents]
    return SearchPage(query=query, terms=terms, total=total, page=page, per_page=per_page, hits=hits,
                      elapsed_ms=(time.perf_counter() - began) * 1000)
