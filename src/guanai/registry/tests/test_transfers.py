"""An ID number on file elsewhere: the answer names no place, and a transfer request (转移申请)
goes to the staff over both villages, who move the person or refuse with a reason."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanai.audit.models import AuditEvent
from guanai.care.models import Helper, Pairing
from guanai.registry import services, transfers
from guanai.registry.models import Person, TransferRequest

HOME = "990101001001"  # the village user's 和平村 (东城区, 城关镇)
ELSEWHERE = "990102001002"  # a village of another county
CHILD_ID = "110105201512310322"


@pytest.fixture
def elsewhere(users):
    child = services.create_person(user=None, area_code=ELSEWHERE,
                                   data={"name": "远方童", "address": "外县某村3组"},
                                   categories=["left_behind_child"], id_number=CHILD_ID)
    return child


def test_the_answer_to_a_known_id_number_names_no_place(users, client_for, elsewhere):
    client = client_for("village")
    blank_form = client.get("/persons/create/").content.decode()  # the user's own villages are named there
    response = client.post("/persons/create/", {
        "name": "远方童", "id_number": CHILD_ID, "area": HOME, "categories": ["left_behind_child"]})
    body = response.content.decode()
    assert response.status_code == 200 and transfers.REGISTERED_ELSEWHERE in body
    place = elsewhere.area
    assert place.full_name not in body and "外县某村" not in body
    for clue in (place.name, place.parent.name, place.parent.parent.name):
        assert clue in blank_form or clue not in body, clue
    assert "data-transfer-offer" in body and "提出转移申请" in body
    with pytest.raises(ValidationError) as err:
        services.create_person(user=users["village"], area_code=HOME, data={"name": "远方童"},
                               categories=["left_behind_child"], id_number=CHILD_ID)
    assert err.value.message_dict["id_number"] == [transfers.REGISTERED_ELSEWHERE]


def test_a_request_goes_to_the_staff_over_both_villages_and_approval_moves_the_person(users, client_for, elsewhere):
    helper = Helper.objects.create(name="外县志愿者", kind="volunteer", area_id=ELSEWHERE)
    pairing = Pairing.objects.create(helper=helper, person=elsewhere, area_id=ELSEWHERE,
                                     start_date=timezone.localdate())
    village = client_for("village")
    # Opened from the person form: the number comes prefilled, nothing is saved yet.
    start = village.post("/persons/transfers/create/", {"start": "1", "id_number": CHILD_ID, "to_area": HOME})
    assert start.status_code == 200 and CHILD_ID in start.content.decode()
    assert not TransferRequest.objects.exists()
    response = village.post("/persons/transfers/create/", {"id_number": CHILD_ID, "to_area": HOME,
                                                           "reason": "随母亲迁入本村"})
    assert response.status_code == 302
    transfer = TransferRequest.objects.get()
    assert transfer.common_area_id == "990100000000" and transfer.status == TransferRequest.PENDING
    mine = village.get("/persons/transfers/").content.decode()
    assert "远方童" in mine and elsewhere.area.name not in mine  # the requester learns no place
    # Only staff over both villages see it: the city, not the county of either village.
    assert "随母亲迁入本村" not in client_for("county").get("/persons/transfers/").content.decode()
    city = client_for("city")
    listed = city.get("/persons/transfers/").content.decode()
    assert "随母亲迁入本村" in listed and elsewhere.area.name in listed
    refused = city.post(f"/persons/transfers/{transfer.pk}/decide/", {"decision": "refuse", "note": ""})
    assert refused.status_code == 200 and "不同意转移时，请写明理由" in refused.content.decode()
    approved = city.post(f"/persons/transfers/{transfer.pk}/decide/", {"decision": "approve"})
    assert approved.status_code == 302
    elsewhere.refresh_from_db()
    transfer.refresh_from_db()
    pairing.refresh_from_db()
    assert elsewhere.area_id == HOME and transfer.status == TransferRequest.APPROVED
    assert transfer.decided_by == users["city"] and pairing.end_date == timezone.localdate()
    moved = AuditEvent.objects.filter(action=AuditEvent.UPDATE, object_type="registry.person",
                                      object_id=str(elsewhere.pk), user=users["city"]).latest("at")
    assert moved.changes["area"] == [ELSEWHERE, HOME]
    assert services.persons_for(users["village"]).filter(pk=elsewhere.pk).exists()


def test_a_refusal_keeps_the_person_where_they_are(users, elsewhere):
    transfer = transfers.request_transfer(user=users["village"], id_number=CHILD_ID, to_area_code=HOME,
                                          reason="在本村上学")
    with pytest.raises(ValidationError):
        transfers.decide_transfer(user=users["county"], transfer=transfer, approve=True)  # sees one village only
    transfers.decide_transfer(user=users["city"], transfer=transfer, approve=False, note="该童仍随祖父母居住")
    elsewhere.refresh_from_db()
    assert elsewhere.area_id == ELSEWHERE
    assert TransferRequest.objects.get().decision_note == "该童仍随祖父母居住"
    with pytest.raises(ValidationError, match="已审批"):
        transfers.decide_transfer(user=users["city"], transfer=transfer, approve=True)


def test_requests_that_make_no_sense_are_refused(users, elsewhere):
    with pytest.raises(ValidationError, match="未找到"):
        transfers.request_transfer(user=users["village"], id_number="110105201512310429", to_area_code=HOME,
                                   reason="x")
    with pytest.raises(ValidationError, match="不存在或不在您的管辖范围内"):
        transfers.request_transfer(user=users["village"], id_number=CHILD_ID, to_area_code="990101002001",
                                   reason="x")
    transfers.request_transfer(user=users["village"], id_number=CHILD_ID, to_area_code=HOME, reason="迁入")
    with pytest.raises(ValidationError, match="审批中"):
        transfers.request_transfer(user=users["village"], id_number=CHILD_ID, to_area_code=HOME, reason="迁入")
    with pytest.raises(ValidationError, match="无需转移"):
        transfers.request_transfer(user=users["city"], id_number=CHILD_ID, to_area_code=HOME, reason="迁入")
    assert Person.objects.get(pk=elsewhere.pk).area_id == ELSEWHERE
