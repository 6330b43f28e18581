"""Inbox search through the bigram index: same answers as a substring match on the search text."""

import pytest

from unionhome.demands import services
from unionhome.demands.models import DemandTerm

pytestmark = pytest.mark.django_db


def _codes(user, query):
    return {d.code for d in services.inbox(user, query=query)}


def test_two_character_word_finds_every_demand_containing_it(cast, submit):
    wages = submit()
    other = submit(description="车间粉尘很大，公司不发口罩，好几个工友一直咳嗽。")
    assert _codes(cast.street_cadre, "工资") == {wages.code}
    assert other.code in _codes(cast.street_cadre, "口罩")


def test_longer_phrase_must_match_as_written_not_as_scattered_bigrams(cast, submit):
    wages = submit(description="拖欠两个月工资，另外加班费也没给。")
    submit(description="工资按时发了，但是拖欠加班费两个月。")
    assert _codes(cast.street_cadre, "拖欠两个月") == {wages.code}


def test_search_folds_traditional_and_full_width_like_the_stored_text(cast, submit):
    wages = submit(description="公司拖欠ＡＢ班组工资三个月了。")
    assert wages.code in _codes(cast.street_cadre, "工資")
    assert wages.code in _codes(cast.street_cadre, "ab班组")


def test_single_character_and_code_still_match(cast, submit):
    wages = submit()
    assert wages.code in _codes(cast.street_cadre, "资")
    assert _codes(cast.street_cadre, wages.code.lower()) == {wages.code}


def test_intake_writes_the_bigrams_of_the_search_text(submit):
    demand = submit(description="欠薪三月整")
    terms = set(DemandTerm.objects.filter(demand=demand).values_list("term", flat=True))
    assert {"欠薪", "薪三", "三月", "月整"} <= terms
    assert terms == services.search_terms(demand.search_text)


def test_cadre_search_never_reaches_outside_their_subtree(cast, submit):
    submit()
    assert _codes(cast.other_street_cadre, "工资") == set()


def _hits(user, query, cap=services.SEARCH_COUNT_CAP):
    return services.search_hits(services.inbox(user, status=""), query, cap=cap)


def test_search_walk_gives_the_same_demands_as_the_filter_newest_first(cast, submit, monkeypatch):
    monkeypatch.setattr(services, "WALK_BATCH", 3)  # several batches on a handful of demands
    made = [submit(description=f"第{i}位：公司拖欠工资{i}个月。" if i % 3 else f"第{i}位：食堂太贵。",
                   contact_phone=f"1381234{i:04d}") for i in range(10)]  # fmt: skip
    hits = _hits(cast.street_cadre, "工资")
    assert hits == sorted((d.pk for d in made if "工资" in d.description), reverse=True)
    assert set(hits) == {d.pk for d in services.inbox(cast.street_cadre, query="工资")}
    longer = _hits(cast.street_cadre, "拖欠工资2个月")
    assert longer == [made[2].pk]


def test_search_walk_stops_one_past_its_cap(cast, submit):
    for i in range(6):
        submit(description=f"第{i}位：公司拖欠工资。", contact_phone=f"1381234{i:04d}")
    assert len(_hits(cast.street_cadre, "工资", cap=3)) == 4


def test_search_walk_puts_a_typed_code_first_and_respects_the_subtree(cast, submit):
    wages = submit()
    other = submit(description="车间粉尘很大，公司不发口罩。", contact_phone="13812340001")
    assert _hits(cast.street_cadre, other.code.lower()) == [other.pk]
    assert _hits(cast.other_street_cadre, "工资") == []
    assert _hits(cast.street_cadre, "资") is None  # one character: the plain filter serves it
    assert wages.pk in _hits(cast.street_cadre, "工资")


def test_inbox_page_search_counts_up_to_the_cap(client, cast, submit, monkeypatch):
    monkeypatch.setattr(services, "SEARCH_COUNT_CAP", 2)
    for i in range(4):
        submit(description=f"第{i}位：公司拖欠工资。", contact_phone=f"1381234{i:04d}")
    client.force_login(cast.street_cadre)
    html = client.get("/demands/", {"status": "", "q": "工资"}).content.decode()
    assert html.count('class="demand-row') == 2
    assert "找到超过2条" in html
