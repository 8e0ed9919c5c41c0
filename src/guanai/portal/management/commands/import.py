import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guanai import importing


class Command(BaseCommand):
    help = "Import a file: guanai import FILE --kind areas|persons [--dry-run] [--json]"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", required=True)
        parser.add_argument("--area", help="12-digit code of the area the rows belong under")
        parser.add_argument("--category", help="category for every row of the file")
        parser.add_argument("--dry-run", action="store_true", help="validate and count; store nothing")
        parser.add_argument("--all-or-nothing", action="store_true", help="store nothing if any row has an error")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print one JSON object on stdout")

    def handle(self, *args, file, kind, area, category, dry_run, all_or_nothing, as_json, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            importer = importing.importer_for(kind)
        except ValueError as exc:
            raise CommandError(str(exc)) from None

        def progress(done, total, message):
            if options.get("verbosity", 1) > 1:
                sys.stderr.write(f"\r{message} {done}/{total or '?'}")

        result = importer(str(path), user=None, dry_run=dry_run, progress=progress,
                          options={"area": area, "category": category, "all_or_nothing": all_or_nothing})
        if as_json:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        else:
            self.stderr.write(f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}，错误 {len(result.errors)}")
            for error in result.errors[:50]:
                self.stderr.write(f"第{error.row}行 {error.column}：{error.message}")
        # Failure: errors kept anything from being stored (or would, on a dry run).
        if result.errors and not result.committed:
            sys.exit(1)
