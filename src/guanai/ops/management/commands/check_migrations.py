from django.core.management.base import BaseCommand, CommandError

from guanai.ops.safe_migrations import all_problems


class Command(BaseCommand):
    help = "Refuse migrations that would lock a big table for long or break the code still serving."

    def handle(self, *args, **options):
        found = all_problems()
        for problem in found:
            self.stderr.write(problem)
        if found:
            raise CommandError(f"{len(found)} 处迁移不能在旧版本仍在服务时安全执行（见上）")
        self.stderr.write("迁移检查通过：可在旧版本服务时执行")
