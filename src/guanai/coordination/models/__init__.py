"""The coordination app's models: the joint conference and its member units' periodic reports
(``reports``), and its oversight: supervision, assessment and projects (``oversight``).
Every model and constant is importable from ``guanai.coordination.models`` as before."""

from .oversight import (CONFERENCE_LEVELS, MEASURES, MONEY_MEASURE, AssessmentIndicator, AssessmentScheme,
                        AssessmentScore, Project, ProjectLine, ProjectLineProgress, ProjectUpdate, RectificationEvidence,
                        RectificationItem, SupervisionRound, _evidence_path)
from .reports import (PERIOD_TYPE_CHOICES, Conference, DeadlineOverride, Duty, Indicator, MemberUnit,
                      NarrativeSection, ReportEvent, ReportForm, UnitReport, ValidationRule)

__all__ = [
    "CONFERENCE_LEVELS", "MEASURES", "MONEY_MEASURE", "PERIOD_TYPE_CHOICES",
    "AssessmentIndicator", "AssessmentScheme", "AssessmentScore", "Conference", "DeadlineOverride", "Duty",
    "Indicator", "MemberUnit", "NarrativeSection", "Project", "ProjectLine", "ProjectLineProgress", "ProjectUpdate",
    "RectificationEvidence", "RectificationItem", "ReportEvent", "ReportForm", "SupervisionRound", "UnitReport",
    "ValidationRule", "_evidence_path",
]
