from django.utils import timezone

from guanai.care.models import Visit
from guanai.registry import services


def test_a_household_is_visited_from_its_members_page(client_for, users):
    head = services.create_person(user=users["village"], area_code="990101001001", data={"name": "韩老汉"},
                                  categories=["solitary_elder"])
    household = services.create_household_for_person(user=users["village"], head=head)
    client = client_for("village")
    form = client.get(f"/care/visits/create/?household={household.pk}").content.decode()
    assert "韩老汉户" in form
    response = client.post("/care/visits/create/", {
        "household": household.pk, "visit_date": timezone.localdate().isoformat(), "mode": "home", "findings": "屋顶漏雨",
        "aid_kind": ["goods"], "aid_description": ["大米"], "aid_quantity": ["2"], "aid_unit": ["袋"], "aid_value": ["100"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = Visit.objects.get(household=household)
    assert visit.person is None and visit.area_id == "990101001001"


def test_a_household_outside_scope_is_not_found(client_for, users):
    head = services.create_person(user=users["township"], area_code="990101001002", data={"name": "外村户主"},
                                  categories=["solitary_elder"])
    household = services.create_household_for_person(user=users["township"], head=head)
    assert client_for("village").get(f"/care/visits/create/?household={household.pk}").status_code == 404
