"""Import of persons (人员) from the sheets offices actually keep.

One code path for the CLI (`guanai import FILE --kind persons`), the upload page
(a background job, first as a dry run for the preview, then for real) and the
benchmark. Rows are read as a stream, validated one by one and written in
batches inside one transaction, so a failure or a kill leaves the database as
it was. A person is known again by ID number (through its keyed hash), so a
second import of the same file finds every row unchanged.

Blank cells never erase what is stored: a row updates only what it fills in,
and adds categories without removing others.

  columns.py        the sheet's vocabulary (headers, category/guardianship/ethnicity words)
  villages.py       a row's village by code or name, within the user's scope
  validation.py     one row in, a Row or Chinese errors out
  writing.py        compare a batch with what is stored and write the difference in bulk
  orchestration.py  import_persons: sheets, batches, one transaction, tallies, audit

Importing this package registers the importer (``importing`` finds ``<app>.importers``).
"""

from .columns import ETHNICITIES, PERSON_COLUMNS, REQUIRED_COLUMNS
from .orchestration import import_persons, open_tables, refresh_village_tallies

__all__ = ["ETHNICITIES", "PERSON_COLUMNS", "REQUIRED_COLUMNS", "import_persons", "open_tables",
           "refresh_village_tallies"]
