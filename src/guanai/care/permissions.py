"""Who may do what in care (DESIGN.md §2): the one list for pages and services alike."""

from guanai.accounts import roles

# Who records visits: workers of an area, and volunteers (their paired recipients only).
VISIT_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.VOLUNTEER)
# Workers of an area: pairings, the due list.
WORKER_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE)
COVERAGE_ROLES = (roles.ADMIN, roles.STAFF, roles.OFFICE, roles.LEADER)
PAIRING_VIEW_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.UNIT)
# Who registers helpers (a unit reporter: its own staff).
HELPER_ROLES = (roles.ADMIN, roles.STAFF, roles.VILLAGE, roles.UNIT)
ACTIVITY_VIEW_ROLES = tuple(roles.ALL)
ACTIVITY_EDIT_ROLES = (roles.ADMIN, roles.OFFICE, roles.UNIT, roles.STAFF, roles.VILLAGE)
HOME_VIEW_ROLES = (roles.ADMIN, roles.OFFICE, roles.UNIT, roles.STAFF, roles.VILLAGE, roles.LEADER, roles.VOLUNTEER)
# Who registers and inspects care homes.
HOME_EDIT_ROLES = (roles.ADMIN, roles.OFFICE, roles.STAFF)
