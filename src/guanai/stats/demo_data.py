from guanai.core.demo import DemoContext, demo_step

from .tallies import refresh_all


@demo_step(95)
def build_tallies(ctx: DemoContext) -> None:
    """统计汇总"""
    refresh_all()
