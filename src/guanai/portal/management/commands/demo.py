from django.core.management.base import BaseCommand, CommandError

from guanai.core.demo import DEMO_PASSWORD, SCALES
from guanai.portal.demo import demo_loaded, load_demo

WARNING = "警告：演示数据的账号共用公开密码，正式部署的系统绝不能加载演示数据。"


class Command(BaseCommand):
    help = "Load the demo city 示范市 (codes beginning 99) with one account per role."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(SCALES), default="small")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the demo is already loaded")

    def handle(self, *args, scale, if_empty, **options):
        if demo_loaded():
            if if_empty:
                self.stderr.write("演示数据已存在，跳过加载。")
                self._print_accounts()
                return
            raise CommandError("演示数据已存在：请使用新的数据库重新加载。")
        self.stderr.write(WARNING)
        load_demo(scale, log=lambda msg: self.stderr.write(msg))
        self.stderr.write(f"演示城市已加载（规模：{scale}）。")
        self._print_accounts()

    def _print_accounts(self):
        self.stdout.write("演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        for name, label in [("admin", "系统管理员"), ("office", "领导小组办公室"), ("unit", "成员单位联络员"),
                            ("city", "市级督导员"), ("county", "县级工作人员"), ("township", "乡镇督导员"),
                            ("village", "村儿童主任"), ("volunteer", "志愿者"), ("leader", "领导")]:
            self.stdout.write(f"  {name:<10} {label}")
        self.stdout.write(WARNING)
