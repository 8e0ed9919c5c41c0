from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """A piece of long work run by the task worker, with progress for the user."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUS_CHOICES = [(PENDING, _("排队中")), (RUNNING, _("进行中")), (DONE, _("已完成")), (FAILED, _("失败"))]

    kind = models.CharField(_("类型"), max_length=32)
    label = models.CharField(_("名称"), max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT)
    status = models.CharField(_("状态"), max_length=10, choices=STATUS_CHOICES, default=PENDING)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), null=True, blank=True)
    message = models.CharField(_("进度说明"), max_length=200, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Who runs it: a job is claimed by one worker at a time (core.jobs.run_job).
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    worker = models.CharField(_("执行进程"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self):
        return self.label

    @property
    def percent(self) -> int:
        if self.status == self.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.done * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.DONE, self.FAILED)


class WorkerBeat(models.Model):
    """A task worker process that is alive: it writes ``seen_at`` every few seconds, so
    another worker can tell a job whose worker died (core.jobs.reap_orphans)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("后台任务进程")
        verbose_name_plural = _("后台任务进程")


class IdempotencyKey(models.Model):
    """One use of a one-time key by a user: a form's token, or the API's Idempotency-Key.

    The first request with a key claims it (the unique index decides between two at once)
    and stores its answer in ``result``; a repeat gets that answer without doing the work
    again. Kept in the database so that every server process sees every claim.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    endpoint = models.CharField(max_length=200)  # the path the key was used on
    # {"status": 302, "location": "/care/visits/7/"}; the API stores {"status": 201, "body": {...}}.
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_use_per_key")]
        indexes = [models.Index(fields=["created_at"])]
        verbose_name = _("一次性提交凭证")
        verbose_name_plural = _("一次性提交凭证")
