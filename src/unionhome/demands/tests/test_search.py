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
