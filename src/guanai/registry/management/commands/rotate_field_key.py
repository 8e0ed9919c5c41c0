"""`guanai rotate-field-key`: re-encrypt the stored ID numbers, and re-seal the kept photos
and signatures (core.uploads.SealedStorage), under the current field key.

Set the new key first, keeping the old one readable, on every process, then run this
(the site keeps serving; reads accept both keys while it runs):

    GUANAI_FIELD_KEY=<new secret> GUANAI_FIELD_KEY_ID=1 GUANAI_FIELD_OLD_KEYS="0:<old secret>"

Stopped or killed, it continues where it stopped when run again. When it reports nothing
left, GUANAI_FIELD_OLD_KEYS may drop the old key.
"""

from django.core.management.base import BaseCommand, CommandError

from guanai.audit.models import AuditEvent
from guanai.audit.services import record
from guanai.core import uploads
from guanai.registry import crypto, keyrotation


class Command(BaseCommand):
    help = "用当前个人信息密钥重新加密已存的身份证号和照片（分批进行，可中断后继续，不停机）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=keyrotation.BATCH, help="每批行数")
        parser.add_argument("--limit", type=int, default=None, help="本次最多处理的行数（其余留待下次）")
        parser.add_argument("--fill", action="store_true", help="同时补齐缺少的身份证后四位检索码")

    def handle(self, *args, batch, limit, fill, **options):
        if batch < 1:
            raise CommandError("--batch 须为正整数")
        key_id = crypto.current_key_id()
        self.stdout.write(f"当前密钥编号：{key_id}；待重新加密：{keyrotation.pending().count()}条")

        def progress(done, total):
            self.stdout.write(f"已处理{done}/{total}条")

        try:
            result = keyrotation.rotate(batch=batch, limit=limit, progress=progress)
        except crypto.UnknownKeyError as exc:
            raise CommandError(f"{exc}：请在 GUANAI_FIELD_OLD_KEYS 中提供旧密钥后重新运行，已完成的批次无需重做") from exc
        filled = keyrotation.fill_suffix_hashes() if fill else 0
        try:
            resealed, files = uploads.reseal_stored_files()
        except uploads.UnknownFileKeyError as exc:
            raise CommandError(f"{exc}：请在 GUANAI_FIELD_OLD_KEYS 中提供旧密钥后重新运行") from exc
        self.stdout.write(f"照片等存档文件：{files}个，本次改用当前密钥加密{resealed}个")
        record(AuditEvent.UPDATE, object_type="registry.person", username="（命令行）",
               detail=f"个人信息密钥轮换至编号{key_id}：重新加密{result.rotated}条，剩余{result.remaining}条")
        self.stdout.write(f"完成：重新加密{result.rotated}条，跳过（已被修改）{result.skipped}条，"
                          f"剩余{result.remaining}条" + (f"，补齐后四位检索码{filled}条" if fill else ""))
