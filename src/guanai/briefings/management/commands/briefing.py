from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ._arguments import area_and_period

from guanai.briefings import render as rendering
from guanai.briefings import services
from guanai.briefings.compose import KINDS


class Command(BaseCommand):
    help = ("Compose a briefing from the records and write it out: "
            "guanai briefing --area CODE --period 2026Q3 --kind jianbao|zongjie --format docx|pdf|html -o FILE")

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="12-digit code of the area")
        parser.add_argument("--period", required=True, help="2026Q3 (quarter), 2026-09 (month) or 2026 (year)")
        parser.add_argument("--kind", default="jianbao", help="jianbao (工作简报) or zongjie (工作总结)")
        parser.add_argument("--format", dest="fmt", default=None, help="docx, pdf or html (default: from -o)")
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument("--publish", action="store_true", help="publish it (number the issue) before writing")

    def handle(self, *args, area, period, kind, fmt, output, publish, **options):
        place, period = area_and_period(area, period)
        if kind not in KINDS:
            raise CommandError(f"未知的文稿类型“{kind}”，可选：jianbao（工作简报）、zongjie（工作总结）")
        path = Path(output)
        fmt = (fmt or path.suffix.lstrip(".")).lower()
        if fmt not in rendering.CONTENT_TYPES:
            raise CommandError(f"未知的格式“{fmt}”，可选：docx、pdf、html")
        if not path.parent.exists():
            raise CommandError(f"目录不存在：{path.parent}")

        def progress(done, total, message):
            if options.get("verbosity", 1) > 1:
                self.stderr.write(f"{message}（{done}/{total}）")

        briefing = services.create_briefing(place, period, kind, user=None, progress=progress)
        if publish:
            try:
                briefing = services.publish(briefing, user=None)
            except services.BriefingError as exc:
                raise CommandError(f"初稿已保存（编号 {briefing.pk}），未印发：{exc}") from None
        try:
            data = rendering.render(briefing, fmt)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        path.write_bytes(data)
        self.stderr.write(f"已生成{KINDS[kind]}“{briefing.title}”（{briefing.issue_label}，编号 {briefing.pk}，"
                          f"数据 {briefing.facts.count()} 项）：{path}")
