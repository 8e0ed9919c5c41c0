import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guanai.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = ("Restore a backup written by `guanai backup` into the configured database and storage folder "
            "(--force when the database already has tables: they are replaced).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--force", action="store_true", help="replace an existing database and its files")

    def handle(self, *args, file, force, **options):
        try:
            summary = restore_backup(Path(file), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"恢复完成：{summary['tables']} 张表，{summary['rows']} 行，{summary['files']} 个文件"
                          f"（备份于 {summary['created']}）")
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
