import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ._arguments import area_and_period

from guanai.briefings import factcheck
from guanai.archive.readers import ReadError, read_document


class Command(BaseCommand):
    help = ("Check the figures of a document (.docx or .txt) against the records: "
            "guanai factcheck FILE --area CODE --period 2026Q3 --json")

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .docx or .txt file ('-' reads text from standard input)")
        parser.add_argument("--area", required=True, help="12-digit code of the area the document is about")
        parser.add_argument("--period", required=True, help="2026Q3 (quarter), 2026-09 (month) or 2026 (year)")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="print a JSON list of {text, claimed, recorded, status} on stdout")

    def handle(self, *args, file, area, period, as_json, **options):
        place, period = area_and_period(area, period)
        if file == "-":
            import sys

            text = sys.stdin.read()
        else:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"文件不存在：{file}")
            try:
                text = read_document(path.name, path.read_bytes()).text
            except ReadError as exc:
                raise CommandError(f"{path.name}：{exc}") from None
        try:
            factcheck.check_length(text)
        except factcheck.TextTooLong as exc:
            raise CommandError(str(exc)) from None
        figures = factcheck.check_text(text, place, period)
        counts = factcheck.summary(figures)
        if figures.notice:
            self.stderr.write(figures.notice)
        if as_json:
            self.stdout.write(json.dumps([f.as_json() for f in figures], ensure_ascii=False))
        else:
            for f in figures:
                recorded = "—" if f.recorded is None else f.recorded
                self.stdout.write(f"[{f.status_label}] {f.span}：文中 {f.claimed}，记录 {recorded}　{f.text}")
        self.stderr.write(f"{place.name}{period.label}：共找到数据 {len(figures)} 项，一致 {counts['match']}，"
                          f"不一致 {counts['mismatch']}，无法核对 {counts['unknown']}")
