from django.db import transaction

from guanai.core.demo import DemoContext, demo_step

from .tallies import fill_month_ends_task, refresh_all


@demo_step(95)
def build_tallies(ctx: DemoContext) -> None:
    """统计汇总"""
    if ctx.scale == "small":
        refresh_all()
        return
    # A city or a province: today's figures now; the month ends (past periods, counted until
    # then) by the worker once the load has committed: every village at 21 month ends takes
    # minutes at a province (about 7 of a 10-minute load).
    refresh_all(month_ends=False)
    transaction.on_commit(fill_month_ends_task.enqueue)
