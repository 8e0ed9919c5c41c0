"""A published briefing of the demo city's last complete quarter, so the list has one."""

from guanai.core.demo import CITY_CODE, DemoContext, demo_step
from guanai.stats.periods import last_complete_quarter


@demo_step(80)
def build_briefing(ctx: DemoContext) -> None:
    """工作简报"""
    from guanai.areas.models import Area

    from . import services

    office = ctx.users.get("office")
    period = last_complete_quarter(ctx.today)
    briefing = services.create_briefing(Area.objects.get(pk=CITY_CODE), period, "jianbao", user=office,
                                        today=ctx.today)
    services.publish(briefing, user=office, issued_on=ctx.today)
