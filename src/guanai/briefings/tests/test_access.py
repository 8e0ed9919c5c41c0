import pytest

from guanai.areas.scoping import scope_queryset
from guanai.briefings import services
from guanai.briefings.models import Briefing, BriefingFact

from .conftest import COUNTY, OTHER_COUNTY, TOWNSHIP

pytestmark = pytest.mark.django_db


def _briefing(area_code: str, title: str, published: bool = False) -> Briefing:
    briefing = Briefing.objects.create(kind="jianbao", area_id=area_code, period_key="2026Q2", title=title,
                                       office_name="办公室", body=[{"type": "p", "runs": [{"t": "正文。"}]}])
    return services.publish(briefing, user=None) if published else briefing


def test_a_township_user_cannot_open_another_countys_briefing(client_for):
    foreign = _briefing(OTHER_COUNTY, "他县简报", published=True)
    own = _briefing(TOWNSHIP, "本镇简报")
    client = client_for("township")
    for path in ("", "edit/", "check/", "export/docx/"):
        assert client.get(f"/briefings/{foreign.pk}/{path}").status_code == 404, path
    assert client.post(f"/briefings/{foreign.pk}/publish/").status_code == 404
    assert client.post(f"/briefings/{foreign.pk}/recompute/").status_code == 404
    assert client.get(f"/briefings/{own.pk}/").status_code == 200
    listing = client.get("/briefings/").content.decode()
    assert "本镇简报" in listing and "他县简报" not in listing
    # Nor its county's (above the township): jurisdiction is the subtree.
    county = _briefing(COUNTY, "本县简报")
    assert client.get(f"/briefings/{county.pk}/").status_code == 404


def test_a_leader_reads_published_briefings_but_cannot_edit(client_for):
    published = _briefing(COUNTY, "已印发简报", published=True)
    draft = _briefing(COUNTY, "草稿简报")
    client = client_for("leader")
    assert client.get(f"/briefings/{published.pk}/").status_code == 200
    assert client.get(f"/briefings/{published.pk}/export/docx/").status_code == 200
    assert client.get(f"/briefings/{draft.pk}/").status_code == 404
    for path in ("edit/", "check/"):
        assert client.get(f"/briefings/{published.pk}/{path}").status_code == 403
    assert client.post(f"/briefings/{draft.pk}/publish/").status_code == 403
    assert client.post(f"/briefings/{published.pk}/recompute/").status_code == 403
    assert client.get("/briefings/new/").status_code == 403
    listing = client.get("/briefings/").content.decode()
    assert "已印发简报" in listing and "草稿简报" not in listing
    draft.refresh_from_db()
    assert not draft.is_published


@pytest.mark.parametrize("username", ["village", "volunteer", "unit"])
def test_roles_without_briefings_are_refused(client_for, username):
    briefing = _briefing(TOWNSHIP, "本镇简报", published=True)
    client = client_for(username)
    for path in ("/briefings/", f"/briefings/{briefing.pk}/", "/briefings/factcheck/", "/briefings/new/"):
        assert client.get(path).status_code == 403


def test_facts_are_scoped_through_their_briefing(users, city_briefing):
    assert scope_queryset(BriefingFact.objects.filter(briefing=city_briefing), users["office"]).exists()
    assert not scope_queryset(BriefingFact.objects.filter(briefing=city_briefing), users["township"]).exists()


def test_the_demo_published_a_briefing_for_the_city(users, client_for):
    published = Briefing.objects.filter(area_id="990100000000", status=Briefing.PUBLISHED, issue_number=1)
    assert published.exists()
    response = client_for("leader").get("/briefings/")
    assert published.first().title in response.content.decode()
    home = client_for("leader").get("/").content.decode()
    assert "工作简报" in home
