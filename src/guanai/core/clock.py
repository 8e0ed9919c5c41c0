"""The one clock of the installation: today is the date in TIME_ZONE (Asia/Shanghai).

The server's own clock (date.today()) runs in the operating system's zone, UTC on most
servers: between 00:00 and 08:00 Beijing time it still says yesterday, so a visit dated
today was refused as "in the future" by one part of the code while another had just
written it. Every Django-side "today" comes from here; textproc takes today as an argument.
"""

from datetime import date

from django.utils import timezone


def today() -> date:
    return timezone.localdate()
