from datetime import date

from guanai.registry import services
from guanai.stats import metrics
from guanai.stats.periods import Period
from guanai.stats.tallies import TALLIES, tally


def _today():
    return Period(date.today(), date.today(), date.today().isoformat())


def test_tallies_equal_their_metrics_for_every_level(users):
    for area in ("990100000000", "990101000000", "990101001000", "990101001001"):
        for key, (name, params) in TALLIES.items():
            assert tally(area, key) == metrics.compute(name, area, _today(), **params), (area, key)


def test_tallies_follow_writes_create_move_and_category_change(users):
    person = services.create_person(user=users["township"], area_code="990101001001", data={"name": "计数测试"},
                                    categories=["left_behind_child"])
    key = "persons_registered:left_behind_child"
    assert tally("990101001001", key) == metrics.compute("persons_registered", "990101001001", _today(),
                                                         category="left_behind_child")
    before_other = tally("990101001002", "persons_registered")
    services.update_person(user=users["township"], person=person, expected_version=person.version,
                           data={}, area_code="990101001002", categories=["solitary_elder"])
    assert tally("990101001002", "persons_registered") == before_other + 1
    for village in ("990101001001", "990101001002"):
        assert tally(village, key) == metrics.compute("persons_registered", village, _today(), category="left_behind_child")


def test_home_cards_show_the_tallies(client_for, users):
    body = client_for("county").get("/").content.decode()
    expected = metrics.compute("persons_registered", "990101000000", _today())
    assert f'data-card="在册人员">{expected}<' in body
