"""Care pages: thin views that parse, call one service, render. One module per page group:
``visits`` (visits, the recipient search, visits recorded offline on a phone), ``followup``
(the due list and coverage), ``pairings`` (helpers, pairings, a volunteer's recipients),
``activities``, ``homes`` (care homes and their inspections); ``common`` what they share.
Every view stays importable from ``care.views``.
"""

from .visits import (OFFLINE_ASSETS, OFFLINE_ROLES, _area_options, _asset_version, _recipient_json, offline_visits,
                     recipient_search, service_worker, visit_create, visit_detail, visit_export, visit_list,
                     visit_photo)  # noqa: F401
from .followup import _coverage_row, coverage, due_list  # noqa: F401
from .pairings import (helper_create, helper_list, my_recipients, pairing_create, pairing_end, pairing_export,
                       pairing_list)  # noqa: F401
from .activities import activity_create, activity_detail, activity_export, activity_list, activity_photo  # noqa: F401
from .homes import home_create, home_detail, home_export, home_inspect, home_list  # noqa: F401
from .common import PAGE_SIZE, _month_period  # noqa: F401
