"""What every import reports, and the importers the CLI and pages can run.

Each kind registers a function ``(path, *, user, dry_run, options, progress) ->
ImportResult`` here, so `guanai import --kind X`, the upload page and the
benchmark all run the same code path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field


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

    def as_json(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [asdict(e) for e in self.errors],
            "committed": self.committed,
        }


ProgressCallback = Callable[[int, int | None, str], None]
Importer = Callable[..., ImportResult]
_IMPORTERS: dict[str, tuple[str, Importer]] = {}


def register(kind: str, label: str):
    def decorate(func: Importer) -> Importer:
        _IMPORTERS[kind] = (label, func)
        return func

    return decorate


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
    # Importers live in their apps; importing the modules registers them.
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("guanai."):
            try:
                __import__(f"{config.name}.importers")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.importers":
                    raise


def no_progress(done: int, total: int | None, message: str) -> None:
    return None
