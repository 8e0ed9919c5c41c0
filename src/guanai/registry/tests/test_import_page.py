"""The import page as an official uses it: the area picked from their own tree, a preview
that shows the rows, a link to the people created, a status line said once."""

from guanai.registry.models import Person
from guanai.registry.tests.test_import_persons import VILLAGE, child_row, person, run, write_xlsx


def _upload(client, path, capture, **data):
    with capture(execute=True), path.open("rb") as handle:
        response = client.post("/persons/import/", {"file": handle, **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def test_the_area_is_chosen_from_the_users_own_tree(client_for):
    page = client_for("township").get("/persons/import/").content.decode()
    assert '<select name="area"' in page
    assert f'value="{VILLAGE}"' in page and "城关镇和平社区" in page
    assert 'value="990101002002"' not in page  # 河口镇's village is not the township user's


def test_a_row_without_village_goes_to_the_chosen_village(tmp_path, client_for, django_capture_on_commit_callbacks):
    row = child_row(name="选村儿童", village="")
    url = _upload(client_for("village"), write_xlsx(tmp_path / "a.xlsx", [row]), django_capture_on_commit_callbacks,
                  area=VILLAGE)
    page = client_for("village").get(url).content.decode()
    assert 'data-count="created">1<' in page and "选村儿童" in page


def test_an_area_outside_the_tree_is_refused(tmp_path, client_for):
    with (write_xlsx(tmp_path / "a.xlsx", [child_row()])).open("rb") as handle:
        page = client_for("village").post("/persons/import/", {"file": handle, "area": "990101002002"})
    assert page.status_code == 200  # the form again, with its error, and no job started
    assert not Person.objects.filter(name="王小明").exists()


def test_the_preview_shows_the_rows_to_create_and_the_changes_to_make(tmp_path, client_for, users,
                                                                      django_capture_on_commit_callbacks):
    known = child_row(name="已有儿童", 联系电话="13800138000")
    run(write_xlsx(tmp_path / "first.xlsx", [known]), user=users["village"])
    changed = {**known, "联系电话": "13912345678"}
    new = child_row(name="新来儿童")
    url = _upload(client_for("village"), write_xlsx(tmp_path / "second.xlsx", [changed, new]),
                  django_capture_on_commit_callbacks)
    page = client_for("village").get(url).content.decode()
    created = page[page.index('data-testid="preview-created"'):]
    assert "新来儿童" in created and "和平社区" in created and "农村留守儿童" in created
    assert new["身份证号"] not in page  # masked
    updated = page[page.index('data-testid="preview-updated"'):]
    assert "已有儿童" in updated and "联系电话：13800138000 → 13912345678" in updated


def test_after_the_import_a_link_lists_the_people_it_created(tmp_path, client_for, users,
                                                             django_capture_on_commit_callbacks):
    client = client_for("village")
    rows = [child_row(name="甲导入"), child_row(name="乙导入")]
    url = _upload(client, write_xlsx(tmp_path / "b.xlsx", rows), django_capture_on_commit_callbacks)
    job_id = int(url.rstrip("/").split("/")[-1])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/persons/import/{job_id}/commit/")
    final = client.get(response["Location"]).content.decode()
    assert "已完成（已完成）" not in final and "已完成" in final
    link = final.split('data-testid="created-link"')[0].rsplit('href="', 1)[1].split('"')[0]
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert "甲导入" in listed and "乙导入" in listed
    assert "本次导入新增的人员" in listed
    others = Person.objects.exclude(pk__in=[person(r["身份证号"]).pk for r in rows]).filter(area_id=VILLAGE)
    assert others.exists() and all(p.name not in listed for p in others[:5])
    # Someone else's import is not theirs to list.
    assert client_for("township").get(link).status_code == 404


def test_the_job_page_says_done_once(tmp_path, client_for, django_capture_on_commit_callbacks):
    client = client_for("village")
    url = _upload(client, write_xlsx(tmp_path / "c.xlsx", [child_row(name="一次")]), django_capture_on_commit_callbacks)
    job_id = int(url.rstrip("/").split("/")[-1])
    for page in (client.get(url).content.decode(), client.get(f"/jobs/{job_id}/").content.decode()):
        assert "已完成（已完成）" not in page
