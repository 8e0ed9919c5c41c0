from guanai.archive.services import store_document


def test_an_archived_briefing_opens_in_the_fact_checker_with_its_area_and_year(client_for):
    document, _created = store_document("旧简报.txt", "2025年全镇共走访留守儿童120人次。".encode(),
                                        area="990101001000", title="旧简报")
    body = client_for("township").get(f"/briefings/factcheck/?document={document.pk}").content.decode()
    assert "全镇共走访留守儿童120人次" in body and 'value="2025"' in body
    # Another county's office cannot pull the document in through the fact-checker.
    other, _created = store_document("外县简报.txt", "外县简报正文12人。".encode(), area="990102001000", title="外县简报")
    assert client_for("township").get(f"/briefings/factcheck/?document={other.pk}").status_code == 404
