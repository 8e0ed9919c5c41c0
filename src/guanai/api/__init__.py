"""The REST API under /api/v1/ (DRF + drf-spectacular): the records and figures of the pages,
scoped exactly as the pages are, written only through the apps' service functions."""
