import pytest
from django.utils import timezone

from guanai.areas.models import Area
from guanai.core.demo import CITY_CODE
from guanai.stats.periods import last_complete_quarter

COUNTY = "990101000000"
OTHER_COUNTY = "990102000000"
TOWNSHIP = "990101001000"


@pytest.fixture
def quarter():
    """The demo city's last complete quarter: its records cover it fully."""
    return last_complete_quarter(timezone.localdate())


@pytest.fixture
def city_briefing(db, users, quarter):
    from guanai.briefings import services

    return services.create_briefing(Area.objects.get(pk=CITY_CODE), quarter, "jianbao", user=users["office"])
