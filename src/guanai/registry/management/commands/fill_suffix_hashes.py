"""`guanai fill-suffix-hashes`: fill the ID-number suffix hash (后四位检索码) of persons filed
before the column existed, in batches while the site serves.

Migration registry 0009 fills them itself only on a small registry; on a large one (a
province: a million persons, many minutes) `guanai migrate` leaves them to this command, run
after the upgrade. Each batch commits on its own; stopped or killed, it continues with the
rest when run again. Until it has run, a search by the last four digits misses those persons
(a search by the whole ID number finds them).
"""

from django.core.management.base import BaseCommand, CommandError

from guanai.registry import keyrotation


class Command(BaseCommand):
    help = "补齐在册人员的身份证后四位检索码（分批进行，可中断后继续，不停机）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=keyrotation.BATCH, help="每批行数")
        parser.add_argument("--limit", type=int, default=None, help="本次最多处理的行数（其余留待下次）")

    def handle(self, *args, batch, limit, **options):
        if batch < 1 or (limit is not None and limit < 1):
            raise CommandError("--batch 和 --limit 须为正整数")
        self.stdout.write("正在补齐身份证后四位检索码……")

        def progress(seen):
            if seen % (batch * 50) < batch:
                self.stdout.write(f"已处理{seen}条")

        filled = keyrotation.fill_suffix_hashes(batch=batch, limit=limit, progress=progress)
        left = keyrotation.suffix_hashes_missing().count()
        self.stdout.write(f"完成：本次补齐{filled}条，尚缺{left}条" + ("（密钥未配置或已损坏的除外，可再次运行）" if left else ""))
