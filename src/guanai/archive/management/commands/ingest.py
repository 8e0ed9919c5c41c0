import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guanai.archive import readers, services
from guanai.archive.models import Document
from guanai.areas.models import Area

_KINDS = {code: code for code, _label in Document.KIND_CHOICES} | {str(label): code for code, label in Document.KIND_CHOICES}


class Command(BaseCommand):
    help = ("Ingest legacy documents (.txt, .docx, text .pdf; a folder or a .zip of them) into the archive: "
            "guanai ingest FILE [--area CODE] [--kind KIND] [--json]")

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .txt/.docx/.pdf file, a folder or a .zip")
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

        try:
            outcomes = services.ingest_path(path, area=area or None, kind=_KINDS.get(kind) if kind else None,
                                            progress=progress)
        except services.IngestError as exc:
            raise CommandError(str(exc)) from None
        for outcome in outcomes:
            self.stderr.write(self._describe(outcome))

        if not many:
            outcome = outcomes[0]
            if not outcome.ok:
                raise CommandError(f"导入失败：{outcome.error or outcome.skipped}")
            if as_json:
                self.stdout.write(json.dumps(services.outcome_json(outcome, with_file=False), ensure_ascii=False))
            return

        documents = [o for o in outcomes if not o.skipped]
        failed = [o for o in documents if not o.ok]
        if as_json:
            self.stdout.write(json.dumps([services.outcome_json(o, with_file=True) for o in documents],
                                         ensure_ascii=False))
        created = sum(1 for o in documents if o.created)
        self.stderr.write(f"共 {len(documents)} 个文档：新增 {created}，已存在 {len(documents) - created - len(failed)}，"
                          f"失败 {len(failed)}，跳过其他文件 {len(outcomes) - len(documents)}")
        if failed or not documents:
            if not documents:
                self.stderr.write("没有找到可导入的 .txt、.docx 或 .pdf 文件")
            sys.exit(1)

    @staticmethod
    def _describe(outcome) -> str:
        if outcome.skipped:
            return f"跳过 {outcome.file}：{outcome.skipped}"
        if outcome.error:
            return f"失败 {outcome.file}：{outcome.error}"
        document = outcome.document
        if outcome.created:
            return f"已导入 {outcome.file}：“{document.title}”（编号 {document.pk}，数据 {document.facts.count()} 条）"
        return f"已存在 {outcome.file}：与编号 {document.pk} 的文档相同，未重复保存"
