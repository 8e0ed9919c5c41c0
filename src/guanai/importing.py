"""What every import reports, and the importers the CLI and pages can run.

Each kind registers a function ``(path, *, user, dry_run, options, progress) ->
ImportResult`` here, so `guanai import --kind X`, the upload page and the
benchmark all run the same code path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.utils.module_loading import autodiscover_modules


@dataclass
class RowError:
    row: int  # the row number Excel shows (0 for the file as a whole)
    column: str  # the column's header as written in the file, or "" for the row
    message: str  # Chinese, saying what is wrong and what is expected


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    # The first rows to be created / updated, for a preview: {"created": [...], "updated": [...]}
    examples: dict = field(default_factory=dict)
    # Primary keys of the records created, as [first, last] runs (a link to them after the import).
    created_ranges: list = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "examples": self.examples,
            "created_ranges": self.created_ranges,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [asdict(e) for e in self.errors],
            "committed": self.committed,
        }


ProgressCallback = Callable[[int, int | None, str], None]
Importer = Callable[..., ImportResult]
_IMPORTERS: dict[str, tuple[str, Importer]] = {}
# kind -> dotted path of a function (source path, errors, target path) writing the rows that
# had errors as a workbook; the import job builds it, the page only sends it.
_ERROR_WORKBOOKS: dict[str, str] = {}


def register(kind: str, label: str, *, error_workbook: str | None = None):
    def decorate(func: Importer) -> Importer:
        _IMPORTERS[kind] = (label, func)
        if error_workbook:
            _ERROR_WORKBOOKS[kind] = error_workbook
        return func

    return decorate


def error_workbook_builder(kind: str):
    from django.utils.module_loading import import_string

    _load_all()
    path = _ERROR_WORKBOOKS.get(kind)
    return import_string(path) if path else None


def importer_for(kind: str) -> Importer:
    _load_all()
    try:
        return _IMPORTERS[kind][1]
    except KeyError:
        known = "、".join(sorted(_IMPORTERS))
        raise ValueError(f"未知的导入类型“{kind}”，可选：{known}") from None


def kinds() -> dict[str, str]:
    _load_all()
    return {kind: label for kind, (label, _f) in _IMPORTERS.items()}


def _load_all() -> None:
    # Importers live in their apps (<app>/importers.py); importing the modules registers them.
    autodiscover_modules("importers")


def no_progress(done: int, total: int | None, message: str) -> None:
    return None
