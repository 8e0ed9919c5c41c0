"""Every form of the project shows every field's error.

Walks every form class defined in guanai: opens the page that renders it, gives each of
its fields an error of its own, renders the page again with that form and checks that
each error is on the page. A form class without a page here fails the test, so a new
form cannot be born with an error nobody sees.
"""

import importlib
import pkgutil
from datetime import timedelta

import pytest
from django import forms
from django.forms.utils import ErrorDict
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import ContextList
from django.utils import timezone

import guanai

# Bases that are never rendered themselves.
ABSTRACT = {"StyledForm", "StyledModelForm", "_StyledModelForm", "_AreaPeriodForm", "OversightForm", "VersionedForm"}


def _form_classes() -> set[type]:
    for module in pkgutil.walk_packages(guanai.__path__, "guanai."):
        if ".tests" in module.name or ".migrations" in module.name or module.name.endswith("management.commands"):
            continue
        try:
            importlib.import_module(module.name)
        except ImportError:
            continue

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    return {cls for cls in walk(forms.BaseForm)
            if cls.__module__.startswith("guanai.") and ".tests" not in cls.__module__
            and cls.__name__ not in ABSTRACT}


@pytest.fixture
def records(users):
    from guanai.briefings.models import Briefing
    from guanai.care.models import CareHome
    from guanai.care.tests.helpers import person
    from guanai.protection import services as protection
    from guanai.registry import screening

    child = person(users["village"], "表单童", "990101001001")
    elder = person(users["village"], "表单老", "990101001001", categories=("solitary_elder",))
    home = CareHome.objects.create(name="表单之家", kind="children_home", area_id="990101001001")
    case = protection.report_case(user=users["village"], area_code="990101001001", situation="alone",
                                  description="表单个案", child_name="某童", child_age=9,
                                  reported_at=timezone.now() - timedelta(hours=1))
    campaign = screening.create_campaign(user=users["city"], name="表单排查", area_code="990101000000",
                                         start_date=timezone.localdate(), end_date=timezone.localdate(),
                                         categories=["left_behind_child"])
    briefing = Briefing.objects.create(kind="jianbao", area_id="990101000000", period_key="2026Q1", title="表单简报",
                                       office_name="办公室", body=[{"type": "p", "runs": [{"t": "正文。"}]}])
    # The joint conference's oversight (the demo's round, scheme and project of the city).
    from guanai.coordination.models import AssessmentScore, Project, RectificationItem, SupervisionRound

    supervision_round = SupervisionRound.objects.filter(area_id="990100000000").order_by("pk").first()
    item = RectificationItem.objects.filter(round=supervision_round).order_by("pk").first()
    RectificationItem.objects.filter(pk=item.pk).update(status=RectificationItem.DONE, verified_on=None)
    score = AssessmentScore.objects.filter(indicator__metric="", scheme__area_id="990100000000").order_by("pk").first()
    from guanai.areas.scoping import scope_queryset

    project = scope_queryset(Project.objects.all(), users["office"]).order_by("pk").first()
    # The joint conference's reporting (the demo city's conference, a unit and its report form).
    from guanai.coordination.models import Conference, ReportForm

    conference = Conference.objects.get(area_id="990100000000")
    unit = conference.units.order_by("pk").first()
    report_form = ReportForm.objects.filter(conference=conference).order_by("pk").first()
    from guanai.registry import households

    household = households.create_household(user=users["village"], area_code="990101001001", head={"name": "表单户主"})
    return {"household": household, "child": child, "elder": elder, "home": home, "case": case, "campaign": campaign, "briefing": briefing,
            "round": supervision_round, "item": item, "score": score, "project": project,
            "conference": conference, "unit": unit, "report_form": report_form}


def _pages(r) -> dict[str, tuple[str | None, str]]:
    """Form class name -> (user who opens the page, or None for anonymous; URL)."""
    return {
        "LoginForm": (None, "/accounts/login/"),
        "AdminLoginForm": (None, "/admin/login/"),
        "UploadForm": ("admin", "/areas/import/"),  # areas.views.UploadForm
        "archive.UploadForm": ("county", "/archive/upload/"),
        "SearchForm": ("county", "/archive/?q=走访"),
        "FactFilterForm": ("county", "/archive/facts/"),
        "ComposeForm": ("office", "/briefings/new/"),
        "MetaForm": ("county", f"/briefings/{r['briefing'].pk}/edit/"),
        "FactCheckForm": ("office", "/briefings/factcheck/"),
        "VisitForm": ("village", f"/care/visits/create/?person={r['child'].pk}"),
        "HelperForm": ("village", "/care/helpers/create/"),
        "PairingForm": ("village", "/care/pairings/create/"),
        "ActivityForm": ("village", "/care/activities/create/"),
        "CareHomeForm": ("county", "/care/homes/create/"),
        "InspectionForm": ("county", f"/care/homes/{r['home'].pk}/inspect/"),
        "ReportForm": ("village", "/protection/report/"),
        "StepForm": ("village", f"/protection/{r['case'].pk}/complete/"),
        "CloseForm": ("village", f"/protection/{r['case'].pk}/close/"),
        "PersonForm": ("village", "/persons/create/"),
        "AssessmentForm": ("village", f"/persons/{r['child'].pk}/assess/"),
        "ChildProfileForm": ("village", f"/persons/{r['child'].pk}/profile/"),
        "ElderProfileForm": ("village", f"/persons/{r['elder'].pk}/profile/"),
        "PersonUploadForm": ("village", "/persons/import/"),
        "CampaignForm": ("county", "/persons/screening/create/"),
        "ScreeningReportForm": ("county", f"/persons/screening/{r['campaign'].pk}/report/"),
        "TransferRequestForm": ("village", "/persons/transfers/create/"),
        "HouseholdForm": ("village", "/persons/households/create/"),
        "HeadForm": ("village", f"/persons/households/{r['household'].pk}/head/"),
        "MemberForm": ("village", f"/persons/households/{r['household'].pk}/members/create/"),
        "AddPersonForm": ("village", f"/persons/households/{r['household'].pk}/"),
        "GuardianForm": ("village", f"/persons/{r['child'].pk}/guardian/"),
        "RoundForm": ("office", "/coordination/supervision/create/"),
        "ItemForm": ("office", f"/coordination/supervision/{r['round'].pk}/items/create/"),
        "ProgressForm": ("office", f"/coordination/supervision/items/{r['item'].pk}/"),
        "VerifyForm": ("office", f"/coordination/supervision/items/{r['item'].pk}/"),
        "SchemeForm": ("office", "/coordination/assessment/create/"),
        "oversight_forms.IndicatorForm": ("office", f"/coordination/assessment/{r['score'].scheme_id}/indicators/create/"),
        "ScoreForm": ("office", f"/coordination/assessment/scores/{r['score'].pk}/"),
        "ProjectForm": ("office", "/coordination/projects/create/"),
        "ProjectProgressForm": ("office", f"/coordination/projects/{r['project'].pk}/progress/"),
        "TransferDecisionForm": ("city", "/persons/transfers/"),
        "ConferenceForm": ("office", "/coordination/conferences/create/"),
        "UnitForm": ("office", f"/coordination/conferences/{r['conference'].pk}/units/add/"),
        "CloseUnitForm": ("office", f"/coordination/units/{r['unit'].pk}/close/"),
        "LiaisonForm": ("office", f"/coordination/units/{r['unit'].pk}/liaison/"),
        "DutiesForm": ("office", f"/coordination/conferences/{r['conference'].pk}/duties/"),
        "ReportFormForm": ("office", f"/coordination/conferences/{r['conference'].pk}/forms/create/"),
        "forms.IndicatorForm": ("office", f"/coordination/forms/{r['report_form'].pk}/indicators/add/"),
        "SectionForm": ("office", f"/coordination/forms/{r['report_form'].pk}/sections/add/"),
        "RuleForm": ("office", f"/coordination/forms/{r['report_form'].pk}/rules/add/"),
        "DeadlineForm": ("office", f"/coordination/forms/{r['report_form'].pk}/deadline/"),
        "OpenEntryForm": ("office", f"/coordination/forms/{r['report_form'].pk}/open/"),
        "coordination.UploadForm": ("office", "/coordination/import/"),
        "PeriodForm": ("county", "/stats/"),
    }


def _key(cls) -> str:
    """The class name, with its app (or, inside one app, its module) where names repeat."""
    if cls.__name__ == "UploadForm" and not cls.__module__.startswith("guanai.areas"):
        return f"{cls.__module__.split('.')[1]}.{cls.__name__}"
    if cls.__name__ == "IndicatorForm":
        return f"{cls.__module__.split('.')[-1]}.{cls.__name__}"
    return cls.__name__


def _with_an_error_on_every_field(form) -> dict[str, str]:
    """Bind ``form`` with no data and put a marked error on each field and on the form."""
    form.is_bound, form.data, form.files = True, {}, {}
    form._errors, form.cleaned_data = ErrorDict(), {}
    markers = {}
    for name in form.fields:
        markers[name] = f"字段错误标记-{name}"
        form.add_error(name, markers[name])
    markers["__all__"] = "整表错误标记"
    form.add_error(None, markers["__all__"])
    return markers


def _flat(context) -> dict:
    """The page's whole context (the test client gives a list when templates include others)."""
    contexts = list(context) if isinstance(context, ContextList) else [context]
    merged = {}
    for one in reversed(contexts):
        merged.update(one.flatten())
    return merged


def _find_form(context, cls):
    for value in _flat(context).values():
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            for item in value.values():
                if isinstance(item, cls):
                    return item
    return None


def test_every_form_class_has_a_page_here(records):
    pages = _pages(records)
    missing = sorted(_key(cls) for cls in _form_classes() if _key(cls) not in pages)
    assert missing == [], f"Some forms are untested! add their page to tests/test_form_errors.py: {missing}"


def test_every_field_error_of_every_form_is_shown(users, records):
    pages = _pages(records)
    checked, problems = 0, {}
    for cls in sorted(_form_classes(), key=_key):
        username, url = pages[_key(cls)]
        client = Client()
        if username:
            client.force_login(users[username])
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        form = _find_form(response.context, cls)
        assert form is not None, f"{url} renders no {cls.__name__}"
        markers = _with_an_error_on_every_field(form)
        context = _flat(response.context)
        for key, value in list(context.items()):
            if value is not form and isinstance(value, cls):
                context[key] = form
        html = render_to_string(response.templates[0].name, context, request=response.wsgi_request)
        unseen = [name for name, marker in markers.items() if marker not in html]
        if unseen:
            problems[f"{cls.__name__} at {url}"] = unseen
        checked += 1
    assert problems == {}, f"forms that do not show some fields' errors: {problems}"
    assert checked == len(_form_classes())
