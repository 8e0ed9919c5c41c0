"""Full-text search by word: matching, ranking, marks, filters, pages, scope, and
the index following every change. Runs on SQLite (FTS5) and PostgreSQL (tsvector)."""

import pytest
from django.db import connection

from guanai.archive import search, services
from guanai.archive.models import Document

VILLAGE = "990101001001"  # the village user's village
OTHER_COUNTY_VILLAGE = "990102001001"


def _store(title, text, area, kind=None):
    document, created = services.store_document(f"{title}.txt", f"{title}\n{text}".encode(), area=area, kind=kind)
    assert created
    return document


@pytest.fixture
def corpus(db):
    return {
        "walnut": _store("和平村2022年核桃产业简报",
                         "和平村发展核桃种植，核桃合作社带动农村留守儿童家庭增收，核桃收入人均3000元。", VILLAGE),
        "honey": _store("西山县2023年蜂蜜产业总结",
                        "西山县蜂蜜合作社吸纳困难群众就业，顺带种植核桃20亩。", OTHER_COUNTY_VILLAGE),
        "notice": _store("关于蜂蜜产品展销的通知", "2023年10月举办蜂蜜展销。", "990101000000"),
    }


def _titles(page):
    return [hit.document.title for hit in page.hits]


def test_search_finds_by_word_and_marks_hits(corpus, users):
    page = services.search_documents(users["admin"], "核桃")
    assert _titles(page) == ["和平村2022年核桃产业简报", "西山县2023年蜂蜜产业总结"]  # three mentions rank above one
    first = page.hits[0]
    assert "<mark>核桃</mark>" in first.snippet_html and "<mark>核桃</mark>" in first.title_html
    assert page.total == 2 and page.terms == [search.Term("核桃")]


def test_every_word_of_the_query_must_be_there(corpus, users):
    assert _titles(services.search_documents(users["admin"], "核桃 合作社 困难群众")) == ["西山县2023年蜂蜜产业总结"]
    assert services.search_documents(users["admin"], "核桃 展销").total == 0


def test_search_is_by_word_not_by_character(corpus, users):
    # 核 alone is not a word of these texts; 桃 neither.
    assert services.search_documents(users["admin"], "桃").total == 0
    # The care-work compound is one word, and its pieces are words too.
    walnut = corpus["walnut"]
    for query in ("留守儿童", "农村留守儿童", "留守 儿童", "儿童"):
        assert walnut in [h.document for h in services.search_documents(users["admin"], query).hits], query
    assert "<mark>留守儿童</mark>" in services.search_documents(users["admin"], "留守儿童 核桃").hits[0].snippet_html


def test_query_is_normalised_like_the_documents(corpus, users):
    # Traditional characters and full-width digits in the query.
    assert _titles(services.search_documents(users["admin"], "蜂蜜 展銷")) == ["关于蜂蜜产品展销的通知"]
    assert services.search_documents(users["admin"], "３０００元").total >= 1


@pytest.mark.parametrize("query", ['"', "核桃 AND OR NOT", "核桃*", "NEAR(核桃", "'; DROP TABLE x; --", "^核桃", "核桃:"])
def test_odd_queries_do_not_break(corpus, users, query):
    page = services.search_documents(users["admin"], query)
    assert page.total >= 0


def test_filters_year_area_kind(corpus, users):
    admin = users["admin"]
    assert _titles(services.search_documents(admin, "核桃", year=2022)) == ["和平村2022年核桃产业简报"]
    assert _titles(services.search_documents(admin, "蜂蜜", kind=Document.NOTICE)) == ["关于蜂蜜产品展销的通知"]
    assert _titles(services.search_documents(admin, "蜂蜜", area="990101000000")) == ["关于蜂蜜产品展销的通知"]
    assert _titles(services.search_documents(admin, "蜂蜜", area="990102000000")) == ["西山县2023年蜂蜜产业总结"]
    assert services.search_documents(admin, "蜂蜜", area="bad").total == 0
    # Without words: the filtered documents, newest year first.
    assert _titles(services.search_documents(admin, "", area=VILLAGE, year=2022)) == ["和平村2022年核桃产业简报"]
    assert corpus["walnut"].kind == Document.BRIEFING and corpus["honey"].kind == Document.SUMMARY


def test_pages(corpus, users):
    first = services.search_documents(users["admin"], "核桃", per_page=1)
    second = services.search_documents(users["admin"], "核桃", page=2, per_page=1)
    beyond = services.search_documents(users["admin"], "核桃", page=5, per_page=1)
    assert (first.total, first.num_pages, first.has_next, first.has_previous) == (2, 2, True, False)
    assert _titles(first) + _titles(second) == ["和平村2022年核桃产业简报", "西山县2023年蜂蜜产业总结"]
    assert beyond.total == 2 and beyond.hits == []


def test_search_is_scoped(corpus, users):
    assert _titles(services.search_documents(users["village"], "核桃")) == ["和平村2022年核桃产业简报"]
    assert _titles(services.search_documents(users["county"], "蜂蜜")) == ["关于蜂蜜产品展销的通知"]
    assert services.search_documents(users["township"], "蜂蜜").total == 0
    assert services.search_documents(users["volunteer"], "核桃").total >= 0  # no pages, but never more than scope
    assert services.search_documents(users["leader"], "核桃").total == 2  # the city's leader reads the city's archive


def test_index_follows_changes_and_deletes(corpus, users):
    admin = users["admin"]
    walnut = corpus["walnut"]
    walnut.title = "和平村板栗产业简报"
    walnut.save()
    assert _titles(services.search_documents(admin, "板栗")) == ["和平村板栗产业简报"]
    walnut.delete()
    assert services.search_documents(admin, "板栗").total == 0
    assert _titles(services.search_documents(admin, "核桃")) == ["西山县2023年蜂蜜产业总结"]


def test_bulk_loaded_documents_are_indexed_by_sync_index(db, users):
    rows = [Document(title=f"批量文档{i}", text="枸杞烘干", search_text=search.index_text(f"批量文档{i}", "枸杞烘干"),
                     sha256=f"{i:064d}", original_name="x.txt") for i in range(3)]
    created = Document.objects.bulk_create(rows)
    search.sync_index([d.pk for d in created])
    assert services.search_documents(users["admin"], "枸杞").total == 3


def test_index_segments_like_cut_for_search():
    tokens = search.tokens_for_index("关爱农村留守儿童，中华人民共和国")
    assert tokens[:6] == ["关爱", "农村", "留守", "儿童", "留守儿童", "农村留守儿童"]
    assert {"中华", "华人", "人民", "共和国", "中华人民共和国"} <= set(tokens)
    assert "，" not in tokens


def test_snippet_centres_on_hits_and_escapes_html():
    text = "无关的开头。" * 30 + "这里有<b>核桃</b>和核桃。" + "无关的结尾。" * 30
    html = search.snippet(text, search.parse_query("核桃"))
    assert html.startswith("…") and html.endswith("…")
    assert "&lt;b&gt;<mark>核桃</mark>&lt;/b&gt;" in html and "<b>" not in html


def test_database_index_exists(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'archive_document_fts'")
            assert "fts5" in cursor.fetchone()[0].lower()
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'archive_document_search_vector'")
            assert "gin" in cursor.fetchone()[0].lower()
