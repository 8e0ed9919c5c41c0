"""Supervision rounds and their rectification lists, through the services: who may do what,
the overdue state computed from the deadline, evidence, verification, edit conflicts,
bad input refused with the field named and nothing half-written."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from guanai.audit.models import AuditEvent
from guanai.coordination import oversight_documents as documents
from guanai.coordination import oversight_supervision as supervision
from guanai.coordination.models import RectificationEvidence, RectificationItem, SupervisionRound
from guanai.coordination.tests.oversight_helpers import (CITY, OTHER_TOWNSHIP, TOWNSHIP, days, fresh, foreign_city,
                                                         make_item, make_round, unit)
from guanai.core.home import cards_for

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def test_a_round_is_recorded_with_its_team_places_and_methods_and_audited(users):
    office = users["office"]
    r = make_round(office, team_users=[users["city"]], team_units=[unit("民政局")],
                   visited_units=[unit("教育局")], findings="部分学校成长档案不全。")
    r = SupervisionRound.objects.get(pk=r.pk)
    assert r.method_labels == ["查阅资料", "实地走访"]
    assert [u.username for u in r.team_users.all()] == ["city"]
    assert [u.name for u in r.visited_units.all()] == ["示范市教育局"]
    event = AuditEvent.objects.filter(object_type="coordination.supervisionround", object_id=str(r.pk),
                                      user=office, action=AuditEvent.CREATE).get()
    assert event.changes["title"] == [None, "第四季度关爱服务专项督导"]


@pytest.mark.parametrize("change,field,words", [
    ({"title": " "}, "title", "请填写督导名称"),
    ({"methods": []}, "methods", "请至少选择一种督导方式"),
    ({"methods": ["guess"]}, "methods", "查阅资料、听取汇报、实地走访、随机抽查"),
    ({"area_code": "990101001001"}, "area", "组织区划应为"),  # a village
    ({"area_code": "990200000000"}, "area", "不在您的管辖范围内"),  # another city
])
def test_bad_rounds_are_refused_naming_the_field(users, change, field, words):
    foreign_city()
    before = SupervisionRound.objects.count()
    with pytest.raises(ValidationError) as caught:
        make_round(users["office"], **change)
    assert words in " ".join(caught.value.message_dict[field])
    assert SupervisionRound.objects.count() == before


def test_a_round_ending_before_it_starts_is_refused(users):
    with pytest.raises(ValidationError) as caught:
        make_round(users["office"], ended_on=days(-20))
    assert "不能早于开始日期" in caught.value.message_dict["ended_on"][0]


def test_only_the_office_organises_supervision(users):
    with pytest.raises(ValidationError, match="只有领导小组办公室"):
        make_round(users["city"])


def test_items_are_numbered_and_belong_to_their_responsible(users):
    office = users["office"]
    r = make_round(office)
    first = make_item(office, r)
    second = make_item(office, r, responsible_area_code=TOWNSHIP, problem="委托监护协议签订不全")
    assert (first.number, first.area_id) == (1, CITY)  # a unit's item belongs to the unit's area
    assert (second.number, second.area_id, second.responsible_name) == (2, TOWNSHIP, "城关镇")


@pytest.mark.parametrize("responsible,field,words", [
    ({}, "responsible_unit", "二者选其一"),
    ({"responsible_area_code": "990201001000"}, "responsible_area", "不在您的管辖范围内"),  # another city
    ({"responsible_area_code": "999999999999"}, "responsible_area", "不存在"),
])
def test_an_item_for_an_area_outside_the_offices_scope_is_refused(users, responsible, field, words):
    foreign_city()
    office = users["office"]
    r = make_round(office)
    with pytest.raises(ValidationError) as caught:
        supervision.add_item(acting_user=office, supervision=r, problem="问题", deadline=days(5), **responsible)
    assert words in caught.value.message_dict[field][0]
    assert not r.items.exists()


def test_an_item_outside_the_rounds_area_is_refused_even_inside_the_offices(users):
    office = users["office"]
    county_round = make_round(office, area_code="990102000000")  # 西山县
    with pytest.raises(ValidationError) as caught:
        make_item(office, county_round, responsible_area_code=TOWNSHIP)  # a township of 东城区
    assert "不在本次督导的区划" in caught.value.message_dict["responsible_area"][0]
    with pytest.raises(ValidationError) as caught:
        make_item(office, county_round)  # a city unit cannot answer for a county's round
    assert "不属于" in caught.value.message_dict["responsible_unit"][0]


def test_a_deadline_before_the_round_is_refused(users):
    office = users["office"]
    r = make_round(office, started=-10)
    with pytest.raises(ValidationError) as caught:
        make_item(office, r, deadline=-11)
    assert caught.value.message_dict["deadline"] == [
        f"整改期限（{days(-11)}）不能早于督导开始日期（{days(-10)}）"]


def test_overdue_is_computed_from_the_deadline_not_stored(users):
    office = users["office"]
    r = make_round(office, started=-30)
    item = make_item(office, r, deadline=-1)
    assert item.status == RectificationItem.PENDING  # what is stored
    assert item.display_label(days(0)) == "逾期"
    assert item.display_label(days(-1)) == "未整改"  # on the deadline day itself it is not late yet
    assert supervision.overdue_items_for(office).filter(pk=item.pk).exists()
    supervision.report_progress(acting_user=users["unit"], item=item, expected_version=item.version,
                                status=RectificationItem.IN_PROGRESS, progress_note="正在补建档案")
    assert fresh(item).display_label(days(0)) == "逾期"  # still late while in progress
    supervision.report_progress(acting_user=users["unit"], item=item, expected_version=fresh(item).version,
                                status=RectificationItem.DONE, progress_note="已全部补建", completed_on=days(0))
    item = fresh(item)
    assert item.display_label(days(0)) == "已整改" and item.done_late
    assert not supervision.overdue_items_for(office).filter(pk=item.pk).exists()


def test_status_counts_add_up_and_put_overdue_items_apart(users):
    office = users["office"]
    r = make_round(office, started=-30)
    make_item(office, r, deadline=-2)
    make_item(office, r, deadline=10)
    counts = supervision.status_counts(r.items.all())
    assert counts == {"pending": 1, "in_progress": 0, "done": 0, "overdue": 1}
    assert list(supervision.filter_by_status(r.items.all(), "overdue").values_list("number", flat=True)) == [1]
    assert list(supervision.filter_by_status(r.items.all(), "pending").values_list("number", flat=True)) == [2]


def test_the_unit_reports_its_own_items_and_sees_no_others(users):
    office, reporter = users["office"], users["unit"]
    r = make_round(office)
    own = make_item(office, r)
    other = make_item(office, r, responsible_unit=unit("公安局"), problem="户籍比对不及时")
    visible = set(supervision.items_for(reporter).filter(round=r).values_list("pk", flat=True))
    assert visible == {own.pk}
    with pytest.raises(ValidationError, match="不是此事项的责任方"):
        supervision.report_progress(acting_user=reporter, item=other, expected_version=other.version,
                                    status=RectificationItem.IN_PROGRESS)


def test_staff_of_the_responsible_area_report_and_others_may_not(users):
    office = users["office"]
    r = make_round(office)
    item = make_item(office, r, responsible_area_code=TOWNSHIP)
    assert supervision.may_report(users["township"], item)
    assert supervision.may_report(users["county"], item)  # the county above it
    far = make_item(office, r, responsible_area_code=OTHER_TOWNSHIP)
    assert not supervision.may_report(users["township"], far)
    assert not supervision.may_report(users["leader"], item)


def test_done_needs_a_date_and_a_note_and_evidence_must_be_a_known_kind(users):
    office, reporter = users["office"], users["unit"]
    item = make_item(office, make_round(office))
    with pytest.raises(ValidationError) as caught:
        supervision.report_progress(acting_user=reporter, item=item, expected_version=item.version,
                                    status=RectificationItem.DONE)
    assert set(caught.value.message_dict) == {"completed_on", "progress_note"}
    bad = SimpleUploadedFile("整改说明.exe", b"MZ\x90\x00 not a document", content_type="image/png")
    with pytest.raises(ValidationError) as caught:
        supervision.report_progress(acting_user=reporter, item=item, expected_version=item.version,
                                    status=RectificationItem.IN_PROGRESS, progress_note="进行中", files=[bad])
    assert "佐证材料“整改说明.exe”不是" in caught.value.message_dict["files"][0]
    item = fresh(item)  # nothing half-written: neither the status nor a file
    assert item.status == RectificationItem.PENDING and item.progress_note == ""
    assert not RectificationEvidence.objects.filter(item=item).exists()


def test_evidence_is_kept_and_served_only_in_scope(users, client_for):
    office, reporter = users["office"], users["unit"]
    item = make_item(office, make_round(office))
    photo = SimpleUploadedFile("整改现场.png", PNG, content_type="image/png")
    supervision.report_progress(acting_user=reporter, item=item, expected_version=item.version,
                                status=RectificationItem.DONE, progress_note="已补建档案", completed_on=days(0),
                                files=[photo])
    evidence = RectificationEvidence.objects.get(item=item)
    assert (evidence.name, evidence.content_type, evidence.uploaded_by) == ("整改现场.png", "image/png", reporter)
    response = client_for("unit").get(f"/coordination/supervision/evidence/{evidence.pk}/")
    assert response.status_code == 200 and response.content == PNG
    assert client_for("township").get(f"/coordination/supervision/evidence/{evidence.pk}/").status_code == 404


def test_the_office_verifies_what_was_reported_done_and_the_responsible_can_no_longer_change_it(users):
    office, reporter = users["office"], users["unit"]
    item = make_item(office, make_round(office))
    with pytest.raises(ValidationError, match="只有已整改的事项才能核验"):
        supervision.verify_item(acting_user=office, item=item, expected_version=item.version, verified_on=days(0))
    supervision.report_progress(acting_user=reporter, item=item, expected_version=item.version,
                                status=RectificationItem.DONE, progress_note="已完成", completed_on=days(-1))
    item = fresh(item)
    with pytest.raises(ValidationError) as caught:
        supervision.verify_item(acting_user=office, item=item, expected_version=item.version, verified_on=days(-2))
    assert "不能早于完成日期" in caught.value.message_dict["verified_on"][0]
    with pytest.raises(ValidationError, match="只有领导小组办公室"):
        supervision.verify_item(acting_user=reporter, item=item, expected_version=item.version, verified_on=days(0))
    supervision.verify_item(acting_user=office, item=item, expected_version=item.version, verified_on=days(0))
    item = fresh(item)
    assert (item.verified_on, item.verified_by) == (days(0), office)
    with pytest.raises(ValidationError, match="已由领导小组办公室核验销号"):
        supervision.report_progress(acting_user=reporter, item=item, expected_version=item.version,
                                    status=RectificationItem.IN_PROGRESS)


def test_two_offices_editing_one_item_at_once_cannot_both_win(users):
    office = users["office"]
    item = make_item(office, make_round(office))
    version = item.version
    first, second = fresh(item), fresh(item)
    supervision.update_item(acting_user=office, item=first, expected_version=version, problem="档案更新不及时（修订）",
                            measure="按月更新", deadline=days(7), responsible_unit=unit("教育局"), reason="措辞")
    with pytest.raises(ValidationError) as caught:
        supervision.update_item(acting_user=users["admin"], item=second, expected_version=version,
                                problem="另一种改法", measure="", deadline=days(9), responsible_unit=unit("教育局"))
    assert "在您编辑期间已被他人修改" in _messages(caught.value)
    item = fresh(item)
    assert (item.problem, item.deadline) == ("档案更新不及时（修订）", days(7))
    event = AuditEvent.objects.filter(object_type="coordination.rectificationitem", object_id=str(item.pk),
                                      detail="措辞").get()
    assert event.user == office and event.changes["deadline"] == [str(days(5)), str(days(7))]


def test_overdue_items_show_on_the_homes_of_the_responsible_and_of_the_office(users):
    office = users["office"]
    r = make_round(office, started=-30)
    make_item(office, r, deadline=-3, problem="寄宿制学校亲情电话未开通")
    make_item(office, r, deadline=-4, responsible_area_code=TOWNSHIP, problem="儿童之家长期闭门")

    def texts(username, label):
        card = next(c for c in cards_for(users[username]) if c["label"] == label)
        return " ".join(i["text"] + i["note"] for i in card["lines"]), card["value"]

    unit_text, unit_count = texts("unit", "本单位逾期整改事项")
    assert "示范市教育局：寄宿制学校亲情电话未开通" in unit_text and "逾期3天" in unit_text
    assert "儿童之家长期闭门" not in unit_text  # not the unit's
    township_text, _n = texts("township", "辖区逾期整改事项")
    assert "城关镇：儿童之家长期闭门" in township_text and "亲情电话" not in township_text
    office_text, office_count = texts("office", "逾期整改事项")
    assert office_count == supervision.overdue_items_for(office).count()
    assert office_count > unit_count


def test_the_rectification_report_reads_back_with_every_item_and_its_state(users):
    from docx import Document

    office = users["office"]
    r = make_round(office, started=-30, visited_units=[unit("教育局")], findings="台账不规范。")
    make_item(office, r, deadline=-3, problem="寄宿制学校亲情电话未开通")
    done = make_item(office, r, deadline=-5, responsible_unit=unit("公安局"), problem="户籍比对不及时")
    supervision.report_progress(acting_user=office, item=done, expected_version=done.version,
                                status=RectificationItem.DONE, progress_note="已比对", completed_on=days(-6))
    content = documents.export_rectification_report(acting_user=office, supervision_round=r, day=days(0))
    doc = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "关于第四季度关爱服务专项督导发现问题整改情况的报告" in text
    assert "共2项" in text and "已整改1项（其中按期整改1项" in text and "逾期未整改1项" in text
    assert "请示范市教育局" in text  # the late one is named in the next steps
    rows = [[cell.text for cell in row.cells] for row in doc.tables[0].rows]
    assert rows[0][:4] == ["序号", "存在问题", "整改措施", "责任单位（地区）"]
    assert rows[1][1] == "寄宿制学校亲情电话未开通" and rows[1][5] == "逾期"
    assert rows[2][3] == "示范市公安局" and rows[2][5] == "已整改"
    assert doc.sections[0].page_width.mm == pytest.approx(210, abs=0.5)
    assert AuditEvent.objects.filter(action=AuditEvent.EXPORT, object_id=str(r.pk), user=office).exists()
