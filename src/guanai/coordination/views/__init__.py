"""Conference pages: thin views that parse, call one service, render.

Conferences, member units and duty lists are maintained by the admin and the office
(``services.office_manages``); the reports are filled by the unit's liaisons and
reviewed by the office; leaders read the rates and the reports. One module per page group:
``conferences`` (conferences, member units, duties), ``report_forms`` (forms, indicators,
sections, rules, deadlines, open entry), ``reports``; ``common`` holds the roles and the
form page they share. Every view stays importable from ``coordination.views``.
"""

from .common import (FILL_ROLES, MANAGE_ROLES, RATE_METRICS, READ_ROLES, REPORT_ROLES, REVIEW_ROLES, _form_page,
                     _managed_or_404)  # noqa: F401
from .conferences import (_unit_or_404, _year, conference_create, conference_detail, conference_edit,
                          conference_import, conference_list, duties_edit, unit_add, unit_close, unit_detail,
                          unit_edit, unit_liaison)  # noqa: F401
from .report_forms import (_managed_form, _report_form_or_404, _saving, deadline_set, entry_open, form_create,
                           form_detail, form_edit, indicator_add, rule_add, rule_delete, section_add)  # noqa: F401
from .reports import (_indicator_rows, _list_area, _my_reports, _period_form, _rates, _report_or_404, _review_action,
                      _version, report_approve, report_detail, report_docx, report_edit, report_export, report_list,
                      report_reopen, report_return, report_rows, report_start)  # noqa: F401
