"""The archive's work: taking documents in, and finding them and their figures again.

Ingest: read the file (readers.py; scans by OCR, page by page, with
progress), normalise its text (``textproc.normalize.normalize_with_log``: the
log of what was guessed is kept with the document), read its figures
(``textproc.facts.extract_facts``), guess title, kind, year, places and
organisations, then store the original file (and a scan's page images), the
Document, its pages, its facts and the audit event in one transaction per
document. The same file (same sha256) is never stored twice.

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
from django.urls import reverse

from guanai.core import clock
from guanai.areas import codes
from guanai.areas.models import Area
from guanai.areas.scoping import in_area, scope_queryset
from guanai.audit.models import AuditEvent
from guanai.audit.services import audited, record
from guanai.textproc.facts import Fact, document_date, extract_facts
from guanai.textproc.normalize import normalize_document, normalize_with_log

from . import readers, search
from .mentions import recognise
from .models import Document, DocumentFact, DocumentPage
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
    return year is not None and 1949 <= year <= clock.today().year + 1


def _year_of(fact: Fact) -> int | None:
    head = str(fact.value)[:4]
    return int(head) if fact.kind == "date" and head.isdigit() and _plausible(int(head)) else None


def guess_year(title: str, facts: list[Fact]) -> int | None:
    """The year in the title, else the year the text's dates name most often
    (the latest of those tied); dates whose year was inferred do not vote."""
    for fact in extract_facts(title):
        if _year_of(fact):
            return _year_of(fact)
    counts = Counter(y for y in map(_year_of, (f for f in facts if not f.inferred)) if y)
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
    log: list[dict]
    pages: list  # (readers' ocr.PageText, its normalised text)


PageProgress = Callable[[int, int], None]


def _clean_name(name: str) -> str:
    base = PurePosixPath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "文档"
    if len(base) > 120:
        suffix = PurePosixPath(base).suffix[:10]
        base = base[: 120 - len(suffix)] + suffix
    return base


def prepare(name: str, data: bytes, *, kind: str | None = None, title: str | None = None,
            progress: PageProgress | None = None) -> Prepared:
    """Everything about a document that needs no database (raises IngestError).
    Scans are read by OCR here, ``progress(pages done, pages)`` after each page."""
    read = readers.read_document(name, data, ocr=True, progress=progress)
    text, log = normalize_with_log(read.text)
    if not text.strip():
        raise IngestError("文件中没有可读取的文字")
    title = (title or "").strip()[:200] or guess_title(text, name, normalize_document(read.title_hint))
    facts = extract_facts(text, reference=document_date(text))
    places, organisations = recognise(text)
    notes = [{"action": "note", "pinyin": "", "char": "", "context": note} for note in read.notes]
    return Prepared(
        name=_clean_name(name), data=data, sha256=hashlib.sha256(data).hexdigest(), text=text,
        title=title, kind=kind or guess_kind(title, text, name), year=guess_year(title, facts),
        facts=facts, places=places, organisations=organisations,
        log=notes + [entry.as_json() for entry in log],
        pages=[(page, normalize_document(page.text)) for page in read.pages],
    )


def _save_file(relative: str, data: bytes) -> tuple[str, bool]:
    wanted = default_storage.generate_filename(relative)
    if default_storage.exists(wanted):
        return wanted, False
    return default_storage.save(wanted, ContentFile(data)), True


def _save_original(prepared: Prepared) -> tuple[str, bool]:
    """Keep the original under archive/<sha[:2]>/<sha>/<original name>; the path
    depends on the content only, so writing it again is harmless."""
    return _save_file(f"archive/{prepared.sha256[:2]}/{prepared.sha256}/{prepared.name}", prepared.data)


def _save_pages(prepared: Prepared) -> list[tuple[str, bool]]:
    """A scan's page images, beside its original: archive/<sha[:2]>/<sha>/pages/0001.png."""
    folder = f"archive/{prepared.sha256[:2]}/{prepared.sha256}/pages"
    return [_save_file(f"{folder}/{page.number:04d}.png", page.image) for page, _text in prepared.pages]


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
            inferred=fact.inferred, range_start=fact.range_start, range_end=fact.range_end,
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


@audited
def store_document(name: str, data: bytes, *, user=None, area=None, kind: str | None = None,
                   title: str | None = None, progress: PageProgress | None = None) -> tuple[Document, bool]:
    """Store one document file; (document, created). The same bytes again give
    the document already stored and created=False. Raises IngestError with a
    Chinese message when the file cannot be read; then nothing is stored (no
    row, no original, no page image)."""
    area = _area_of(area)
    sha256 = hashlib.sha256(data).hexdigest()
    existing = Document.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing, False
    prepared = prepare(name, data, kind=kind, title=title, progress=progress)
    written: list[str] = []
    try:
        stored_name, wrote = _save_original(prepared)
        written += [stored_name] if wrote else []
        page_files = _save_pages(prepared)
        written += [path for path, wrote in page_files if wrote]
        with transaction.atomic():
            document = Document.objects.create(
                title=prepared.title, kind=prepared.kind, year=prepared.year, area=area,
                original=stored_name, original_name=prepared.name, sha256=prepared.sha256,
                size=len(data), text=prepared.text, places=prepared.places,
                organisations=prepared.organisations, normalisation_log=prepared.log,
                uploaded_by=user if getattr(user, "pk", None) else None,
            )
            DocumentPage.objects.bulk_create([
                DocumentPage(document=document, number=page.number, image=path, text=text,
                             confidence=page.confidence, needs_check=page.needs_check)
                for (page, text), (path, _wrote) in zip(prepared.pages, page_files)
            ])
            facts = DocumentFact.objects.bulk_create(_fact_rows(document, prepared.facts))
            scanned = f"，文字识别{len(prepared.pages)}页" if prepared.pages else ""
            record(AuditEvent.IMPORT, user=user if getattr(user, "pk", None) else None, obj=document,
                   detail=f"导入档案文档“{prepared.name}”，读出数据{len(facts)}条{scanned}")
    except IntegrityError:
        # The same file stored meanwhile by someone else: theirs stands.
        for path in written:
            default_storage.delete(path)
        existing = Document.objects.filter(sha256=sha256).first()
        if existing is None:
            raise
        return existing, False
    except BaseException:
        for path in written:
            default_storage.delete(path)
        raise
    return document, True


# --- files, folders and zips -----------------------------------------------


@dataclass
class IngestOutcome:
    file: str
    document_id: int | None = None
    created: bool = False
    error: str = ""
    skipped: str = ""
    refused: str = ""  # a zip member not taken, and why

    @property
    def ok(self) -> bool:
        return self.document_id is not None

    @property
    def document(self) -> Document | None:
        """Fetched when asked: an outcome never holds a document's text, so
        a zip of a thousand files keeps memory flat."""
        if self.document_id is None:
            return None
        return Document.objects.get(pk=self.document_id)


def iter_ingest(path: str | Path, *, user=None, area=None, kind: str | None = None,
                progress: ProgressCallback | None = None):
    """Ingest a file, a folder or a zip, one document (and one transaction) at
    a time, yielding each outcome as it is done. Raises IngestError only when
    ``path`` itself cannot be opened."""
    area = _area_of(area)
    total = readers.count_files(path) if progress else None
    for done, source in enumerate(readers.iter_sources(path), start=1):
        outcome = IngestOutcome(file=source.name, error=source.error, skipped=source.skipped,
                                refused=source.refused)
        if source.data is not None:
            label = source.basename

            def pages(page: int, pages_total: int, done=done, label=label) -> None:
                if total == 1:  # one file: the bar follows its pages
                    progress(page, pages_total, f"正在识别文字：{label} 第 {page}/{pages_total} 页")
                else:
                    progress(done - 1, total, f"正在识别文字：{label} 第 {page}/{pages_total} 页")

            try:
                document, outcome.created = store_document(label, source.data, user=user, area=area, kind=kind,
                                                           progress=pages if progress else None)
                outcome.document_id = document.pk
            except IngestError as exc:
                outcome.error = str(exc)
            source.data = None
        yield outcome
        if progress:
            progress(done, total, f"正在导入：{source.basename}")


def ingest_path(path: str | Path, *, user=None, area=None, kind: str | None = None,
                progress: ProgressCallback | None = None) -> list[IngestOutcome]:
    """Every outcome of ``iter_ingest`` in a list."""
    return list(iter_ingest(path, user=user, area=area, kind=kind, progress=progress))


def fact_json(fact: DocumentFact | Fact) -> dict:
    if isinstance(fact, DocumentFact):
        return fact.as_json()
    return {"kind": fact.kind, "value": fact.value, "unit": fact.unit, "subject": fact.subject,
            "approx": fact.approx, "span": fact.span}


def outcome_json(outcome: IngestOutcome, *, with_file: bool) -> dict:
    """The CLI's object for one document: ``{"text", "facts"}`` (and ``file``)."""
    data = {"file": outcome.file} if with_file else {}
    document = outcome.document
    if document is None:
        data.update({"text": "", "facts": [], "error": outcome.error or outcome.refused})
        return data
    data["text"] = document.text
    data["facts"] = [fact_json(f) for f in document.facts.order_by("start", "pk")]
    return data


def summary_json(outcomes: list[IngestOutcome]) -> dict:
    """The result of an upload job, in the shape the job page shows (as imports)."""
    result = {
        "created": sum(1 for o in outcomes if o.created),
        "updated": 0,
        "unchanged": sum(1 for o in outcomes if o.ok and not o.created),
        "errors": [{"row": index, "column": o.file, "message": o.refused or o.error or o.skipped}
                   for index, o in enumerate(outcomes, start=1) if o.error or o.skipped or o.refused],
        "refused": [{"file": o.file, "reason": o.refused} for o in outcomes if o.refused],
        "committed": True,
        "documents": [o.document_id for o in outcomes if o.ok],
    }
    if len(result["documents"]) == 1:
        result["url"] = reverse("archive:detail", args=[result["documents"][0]])
        result["url_label"] = "查看文档"
    return result


def original_for_download(document: Document, *, user) -> bytes:
    """The original file's bytes (at most readers.MAX_FILE_BYTES) for ``user``; the download is audited."""
    with document.original.open("rb") as handle:
        data = handle.read()
    record(AuditEvent.EXPORT, user=user, obj=document, detail=f"下载档案原件“{document.original_name}”")
    return data


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
