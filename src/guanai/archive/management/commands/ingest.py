import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guanai.archive import readers, services
from guanai.archive.models import Document
from guanai.areas.models import Area

_KINDS = {code: code for code, _label in Document.KIND_CHOICES} | {str(label): code for code, label in Document.KIND_CHOICES}


class Command(BaseCommand):
    help = ("Ingest legacy documents (.txt, .docx, .doc, .wps, text and scanned .pdf, .jpg/.png, .xls/.et; "
            "a folder or a .zip of them) into the archive: guanai ingest FILE [--area CODE] [--kind KIND] [--json]")

    def add_arguments(self, parser):
        parser.add_argument("file", help="a document file, a folder or a .zip")
        parser.add_argument("--area", help="12-digit code of the area the documents belong to")
        parser.add_argument("--kind", help="简报|总结|通知|其他 (briefing|summary|notice|other); guessed from the title when absent")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help='print {"text", "facts"} on stdout (a list with "file" for a folder or zip)')

    def handle(self, *args, file, area, kind, as_json, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{file}")
        if kind is not None and kind not in _KINDS:
            raise CommandError(f"未知的文档类型“{kind}”，可选：简报、总结、通知、其他")
        if area and not Area.objects.filter(pk=area).exists():
            raise CommandError(f"区划代码“{area}”不存在")
        if not area:
            self.stderr.write("提示：未指定 --area，文档不属于任何区划，只有系统管理员能检索到。")
        many = path.is_dir() or path.suffix.lower() in readers.ARCHIVE_SUFFIXES
        verbose = options.get("verbosity", 1) > 1

        def progress(done, total, message):
            if verbose:
                self.stderr.write(f"{message}（{done}/{total or '?'}）")

        outcomes = services.iter_ingest(path, area=area or None, kind=_KINDS.get(kind) if kind else None,
                                        progress=progress)
        if not many:
            try:
                outcome = next(outcomes)
            except services.IngestError as exc:
                raise CommandError(str(exc)) from None
            self.stderr.write(self._describe(outcome))
            if not outcome.ok:
                raise CommandError(f"导入失败：{outcome.error or outcome.skipped or outcome.refused}")
            if as_json:
                self.stdout.write(json.dumps(services.outcome_json(outcome, with_file=False), ensure_ascii=False))
            return

        # A folder or zip: the JSON list is written item by item as documents are
        # stored, so a thousand documents never sit in memory together.
        documents = created = failed = others = 0
        try:
            for outcome in outcomes:
                self.stderr.write(self._describe(outcome))
                if outcome.skipped:
                    others += 1
                    continue
                if as_json:
                    item = json.dumps(services.outcome_json(outcome, with_file=True), ensure_ascii=False)
                    self.stdout.write(("[" if not documents else ",") + item, ending="")
                documents += 1
                created += outcome.created
                failed += not outcome.ok
        except services.IngestError as exc:
            raise CommandError(str(exc)) from None
        if as_json:
            self.stdout.write("]" if documents else "[]")
        self.stderr.write(f"共 {documents} 个文档：新增 {created}，已存在 {documents - created - failed}，"
                          f"失败或拒绝 {failed}，跳过其他文件 {others}")
        if failed or not documents:
            if not documents:
                self.stderr.write("没有找到可导入的文档文件")
            sys.exit(1)

    @staticmethod
    def _describe(outcome) -> str:
        if outcome.refused:
            return f"拒绝 {outcome.file}：{outcome.refused}"
        if outcome.skipped:
            return f"跳过 {outcome.file}：{outcome.skipped}"
        if outcome.error:
            return f"失败 {outcome.file}：{outcome.error}"
        document = outcome.document
        if outcome.created:
            pages = document.pages.count()
            scanned = f"，文字识别 {pages} 页" if pages else ""
            return f"已导入 {outcome.file}：“{document.title}”（编号 {document.pk}，数据 {document.facts.count()} 条{scanned}）"
        return f"已存在 {outcome.file}：与编号 {document.pk} 的文档相同，未重复保存"
