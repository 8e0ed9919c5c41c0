"""Care services: every write of helpers, pairings, visits, activities and care homes.

Each function validates fully, raises ``ValidationError`` with Chinese messages
naming the field (and the row, for aid and materials), and writes all-or-nothing.
One module per record kind (``pairings``: helpers and pairings; ``visits``: visits, aid,
photos and the signature; ``activities``; ``homes``: care homes and inspections);
``common`` what they share. Every name stays importable from ``care.services``.
"""

from .pairings import (PAIRING_FIELDS, create_helper, create_pairing, end_pairing, end_pairings_of_moved_person,
                       helpers_for, my_recipients, pairings_for)  # noqa: F401
from .visits import (AidRow, VOLUNTEER_NO_CASH, VOLUNTEER_NO_RISK, _aid_kind, _clean_aid, _prepare_images,
                     _quick_reassessment, _store_images, _upload_bytes, add_visit_photos, create_visit,
                     may_record_cash, may_set_risk, visits_for)  # noqa: F401
from .activities import _photo_type, activities_for, create_activity  # noqa: F401
from .homes import care_homes_for, create_care_home, record_inspection  # noqa: F401
from .common import (COMMON_GOODS, DEFAULT_CAREHOME_CHECKLIST, MAX_PHOTO_BYTES, MAX_VISIT_PHOTOS, PHOTO_TYPES,
                     _collect, _today, _unit_usable, checklist)  # noqa: F401
