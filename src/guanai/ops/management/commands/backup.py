import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guanai.ops.backup import BackupError, Policy, make_backup


class Command(BaseCommand):
    help = ("Write one encrypted backup (database + storage folder) into DIR; key from GUANAI_BACKUP_KEY. "
            "Older backups in DIR are pruned: the newest of each of the last N days, weeks and months stay.")

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="folder for the backup files")
        parser.add_argument("--keep-daily", type=int, default=7)
        parser.add_argument("--keep-weekly", type=int, default=4)
        parser.add_argument("--keep-monthly", type=int, default=12)

    def handle(self, *args, output, keep_daily, keep_weekly, keep_monthly, **options):
        try:
            path = make_backup(Path(output), Policy(keep_daily, keep_weekly, keep_monthly))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"备份完成：{path}（{path.stat().st_size / 1e6:.1f} MB）")
        self.stdout.write(json.dumps({"file": str(path), "bytes": path.stat().st_size}))
