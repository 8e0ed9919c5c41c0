"""The archive's work: taking documents in, and finding them and their figures again.

Ingest: read the file (readers.py), normalise its text
(``textproc.normalize.normalize_document``), read its figures
(``textproc.facts.extract_facts``), guess title, kind, year, places and
organisations, then store the original file, the Document, its facts and the
audit event in one transaction per document. The same file (same sha256) is
never stored twice.

Search: ``search_documents`` scopes, filters and pages through search.py.
Facts: ``scoped_facts`` gives the historical statistics by area and year, for
pages and for the fact-checker to come.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import in_area, scope_queryset
from guanai.audit.models import AuditEvent
from guanai.audit.services import record
from guanai.textproc.facts import Fact, extract_facts
from guanai.textproc.normalize import normalize_document

from . import readers, search
from .mentions import recognise
from .models import Document, DocumentFact
from .readers import ReadError as IngestError

__all__ = [
    "IngestError", "IngestOutcome", "fact_json", "guess_kind", "guess_title", "guess_year",
    "ingest_path", "outcome_json", "scoped_documents", "scoped_facts", "search_documents",
    "store_document",
]

ProgressCallback = Callable[[int, int | None, str], None]
_MAX_NUMBER = Decimal(10) ** 17  # what DocumentFact.value_number holds


# --- guessing title, kind and year -----------------------------------------

_HEADING_MARKS = re.compile(r"^[#\s]+|[*\s]+$")


def guess_title(text: str, filename: str, hint: str = "") -> str:
    """The file's own declared title, else a first line that reads like a title,
    else the file name without its suffix."""
    hint = hint.strip()
    if hint and len(hint) <= 100:
        return hint[:200]
    for line in text.splitlines():
        line = _HEADING_MARKS.sub("", line).strip("* ").strip()
        if not line:
            continue
        if len(line) <= 60 and line[-1] not in "。；，：;,:":
            return line
        break
    stem = PurePosixPath(filename.replace("\\", "/")).stem.strip()
    return (stem or "未命名文档")[:200]


_KIND_WORDS = [
    ("简报", Document.BRIEFING), ("快报", Document.BRIEFING), ("工作动态", Document.BRIEFING),
    ("总结", Document.SUMMARY), ("工作报告", Document.SUMMARY), ("情况汇报", Document.SUMMARY),
    ("通知", Document.NOTICE), ("通报", Document.NOTICE), ("通告", Document.NOTICE), ("公告", Document.NOTICE),
]


def guess_kind(title: str, text: str, filename: str = "") -> str:
    """简报, 总结 or 通知 by the word that comes first in the title, else in the
    file name, else in the opening of the text; 其他 when none is there."""
    for where in (title, PurePosixPath(filename.replace("\\", "/")).stem, text[:300]):
        found = [(where.find(word), kind) for word, kind in _KIND_WORDS if word in where]
        if found:
            return min(found)[1]
    return Document.OTHER


def _plausible(year: int | None) -> bool:
    return year is not None and 1949 <= year <= date.today().year + 1


def _year_of(fact: Fact) -> int | None:
    head = str(fact.value)[:4]
    return int(head) if fact.kind == "date" and head.isdigit() and _plausible(int(head)) else None


def guess_year(title: str, facts: list[Fact]) -> int | None:
    """The year in the title, else the year the text's dates name most often
    (the latest of those tied)."""
    for fact in extract_facts(title):
        if _year_of(fact):
            return _year_of(fact)
    counts = Counter(y for y in map(_year_of, facts) if y)
    if not counts:
        return None
    best = max(counts.values())
    return max(year for year, n in counts.items() if n == best)


# --- storing one document --------------------------------------------------


@dataclass
class Prepared:
    name: str
    data: bytes
    sha256: str
    text: str
    title: str
    kind: str
    year: int | None
    facts: list[Fact]
    places: list[str]
    organisations: list[str]


def _clean_name(name: str) -> str:
    base = PurePosixPath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "文档"
    if len(base) > 120:
        suffix = PurePosixPath(base).suffix[:10]
        base = base[: 120 - len(suffix)] + suffix
    return base


def prepare(name: str, data: bytes, *, kind: str | None = None, title: str | None = None) -> Prepared:
    """Everything about a document that needs no database (raises IngestError)."""
    read = readers.read_document(name, data)
    text = normalize_document(read.text)
    if not text.strip():
        raise IngestError("文件中没有可读取的文字")
    title = (title or "").strip()[:200] or guess_title(text, name, normalize_document(read.title_hint))
    facts = extract_facts(text)
    places, organisations = recognise(text)
    return Prepared(
        name=_clean_name(name), data=data, sha256=hashlib.sha256(data).hexdigest(), text=text,
        title=title, kind=kind or guess_kind(title, text, name), year=guess_year(title, facts),
        facts=facts, places=places, organisations=organisations,
    )


def _save_original(prepared: Prepared) -> tuple[str, bool]:
    """Keep the original under archive/<sha[:2]>/<sha>/<original name>; the path
    depends on the content only, so writing it again is harmless."""
    wanted = default_storage.generate_filename(f"archive/{prepared.sha256[:2]}/{prepared.sha256}/{prepared.name}")
    if default_storage.exists(wanted):
        return wanted, False
    return default_storage.save(wanted, ContentFile(prepared.data)), True


def _fact_rows(document: Document, facts: list[Fact]) -> list[DocumentFact]:
    rows = []
    for fact in facts:
        number = None
        if fact.kind != DocumentFact.DATE:
            number = Decimal(str(fact.value)).quantize(Decimal("0.000001"))
            if abs(number) >= _MAX_NUMBER:
                continue  # not a figure of this world; keep the table's column sane
        rows.append(DocumentFact(
            document=document, kind=fact.kind, value_number=number,
            value_text=str(fact.value) if fact.kind == DocumentFact.DATE else "",
            unit=fact.unit[:20], subject=fact.subject[:100], approx=fact.approx[:10], span=fact.span[:100],
            start=fact.start, end=fact.end, year=_year_of(fact) or document.year,
        ))
    return rows


def _area_of(area) -> Area | None:
    if area is None or area == "":
        return None
    if isinstance(area, Area):
        return area
    found = Area.objects.filter(pk=str(area)).first()
    if found is None:
        raise IngestError(f"区划代码“{area}”不存在")
    return found


def store_document(name: str, data: bytes, *, user=None, area=None, kind: str | None = None,
                   title: str | None = None) -> tuple[Document, bool]:
    """Store one document file; (document, created). The same bytes again give
    the document already stored and created=False. Raises IngestError with a
    Chinese message when the file cannot be read; then nothing is stored."""
    area = _area_of(area)
    sha256 = hashlib.sha256(data).hexdigest()
    existing = Document.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing, False
    prepared = prepare(name, data, kind=kind, title=title)
    stored_name, wrote_file = _save_original(prepared)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                title=prepared.title, kind=prepared.kind, year=prepared.year, area=area,
                original=stored_name, original_name=prepared.name, sha256=prepared.sha256,
                size=len(data), text=prepared.text, places=prepared.places,
                organisations=prepared.organisations,
                uploaded_by=user if getattr(user, "pk", None) else None,
            )
            facts = DocumentFact.objects.bulk_create(_fact_rows(document, prepared.facts))
            record(AuditEvent.IMPORT, user=user if getattr(user, "pk", None) else None, obj=document,
                   detail=f"导入档案文档“{prepared.name}”，读出数据{len(facts)}条")
    except IntegrityError:
        # The same file stored meanwhile by someone else: theirs stands.
        if wrote_file:
            default_storage.delete(stored_name)
        existing = Document.objects.filter(sha256=sha256).first()
        if existing is None:
            raise
        return existing, False
    except BaseException:
        if wrote_file:
            default_storage.delete(stored_name)
        raise
    return document, True


# --- files, folders and zips -----------------------------------------------


@dataclass
class IngestOutcome:
    file: str
    document: Document | None = None
    created: bool = False
    error: str = ""
    skipped: str = ""

    @property
    def ok(self) -> bool:
        return self.document is not None


def ingest_path(path: str | Path, *, user=None, area=None, kind: str | None = None,
                progress: ProgressCallback | None = None) -> list[IngestOutcome]:
    """Ingest a file, a folder or a zip, one transaction per document. Raises
    IngestError only when ``path`` itself cannot be opened."""
    area = _area_of(area)
    total = readers.count_files(path) if progress else None
    outcomes: list[IngestOutcome] = []
    for done, source in enumerate(readers.iter_sources(path), start=1):
        outcome = IngestOutcome(file=source.name, error=source.error, skipped=source.skipped)
        if source.data is not None:
            try:
                outcome.document, outcome.created = store_document(source.basename, source.data, user=user,
                                                                   area=area, kind=kind)
            except IngestError as exc:
                outcome.error = str(exc)
        outcomes.append(outcome)
        if progress:
            progress(done, total, f"正在导入：{source.basename}")
    return outcomes


def fact_json(fact: DocumentFact | Fact) -> dict:
    if isinstance(fact, DocumentFact):
        return fact.as_json()
    return {"kind": fact.kind, "value": fact.value, "unit": fact.unit, "subject": fact.subject,
            "approx": fact.approx, "span": fact.span}


def outcome_json(outcome: IngestOutcome, *, with_file: bool) -> dict:
    """The CLI's object for one document: ``{"text", "facts"}`` (and ``file``)."""
    data = {"file": outcome.file} if with_file else {}
    if outcome.document is None:
        data.update({"text": "", "facts": [], "error": outcome.error})
        return data
    data["text"] = outcome.document.text
    data["facts"] = [fact_json(f) for f in outcome.document.facts.order_by("start", "pk")]
    return data


def summary_json(outcomes: list[IngestOutcome]) -> dict:
    """The result of an upload job, in the shape the job page shows (as imports)."""
    return {
        "created": sum(1 for o in outcomes if o.created),
        "updated": 0,
        "unchanged": sum(1 for o in outcomes if o.ok and not o.created),
        "errors": [{"row": index, "column": o.file, "message": o.error or o.skipped}
                   for index, o in enumerate(outcomes, start=1) if o.error or o.skipped],
        "committed": True,
        "documents": [o.document.pk for o in outcomes if o.ok],
    }


def remove_upload(path: str | Path) -> None:
    """Drop the temporary copy of an upload once its job is done."""
    path = Path(path)
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


# --- finding documents and figures -----------------------------------------


def scoped_documents(user, *, year: int | None = None, area: str | None = None, kind: str | None = None):
    queryset = scope_queryset(Document.objects.all(), user)
    if year:
        queryset = queryset.filter(year=year)
    if kind:
        queryset = queryset.filter(kind=kind)
    if area:
        queryset = in_area(queryset, area)
    return queryset


def search_documents(user, query: str = "", *, year: int | None = None, area: str | None = None,
                     kind: str | None = None, page: int = 1, per_page: int = search.PER_PAGE) -> search.SearchPage:
    """One page of the documents the user may see, matching the words of ``query``
    (all documents, newest first, when it is empty), with marked snippets."""
    queryset = scoped_documents(user, year=year, area=area, kind=kind)
    return search.run_search(queryset, query, page=page, per_page=per_page)


def scoped_facts(user, *, area: str | None = None, year: int | None = None, kind: str | None = None,
                 subject: str | None = None):
    """Historical statistics the user may see: the figures read from archived
    documents, by area (subtree), year, kind and words of their subject."""
    queryset = scope_queryset(DocumentFact.objects.select_related("document", "document__area"), user)
    if area:
        queryset = in_area(queryset, area)
    if year:
        queryset = queryset.filter(year=year)
    if kind:
        queryset = queryset.filter(kind=kind)
    if subject:
        queryset = queryset.filter(subject__contains=subject.strip())
    return queryset


def years_of(user) -> list[int]:
    years = scope_queryset(Document.objects.all(), user).exclude(year=None).values_list("year", flat=True)
    return sorted(set(years.order_by().distinct()), reverse=True)


def area_choices(user) -> list[Area]:
    """Areas a user may pick for a filter or as a document's area: their
    jurisdiction down to townships, and their own area whatever its level."""
    from django.db.models import Q

    queryset = scope_queryset(Area.objects.all(), user)
    own = Q(pk=user.area_id) if getattr(user, "area_id", None) else Q(pk__in=[])
    return list(queryset.filter(Q(level__lte=codes.TOWNSHIP) | own).order_by("code"))


def fact_years(user) -> list[int]:
    years = scope_queryset(DocumentFact.objects.exclude(year=None), user).values_list("year", flat=True)
    return sorted(set(years.order_by().distinct()), reverse=True)
