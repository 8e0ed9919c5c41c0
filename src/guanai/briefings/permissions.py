"""Who may do what with briefings (DESIGN.md §2)."""

from guanai.accounts import roles

# Compose, edit, recompute, publish, fact-check.
COMPOSE_ROLES = frozenset({roles.ADMIN, roles.OFFICE, roles.STAFF})
# Read: the composers, and leaders (published briefings only).
READ_ROLES = COMPOSE_ROLES | {roles.LEADER}
