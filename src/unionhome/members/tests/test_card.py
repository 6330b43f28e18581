import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from unionhome.members import services
from unionhome.members.models import Merchant, Offer
from unionhome.testing.personas import make_id_number


@pytest.fixture
def member(cast):
    m = services.add_member(cast.street_cadre, cast.hengda, services.PersonData(
        name="赵六", id_number=make_id_number(seq=101), phone="13600000001"))  # fmt: skip
    return services.issue_card(m.person)


@given(st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_card_numbers_catch_any_single_digit_error(body):
    number = body + services.luhn_check_digit(body)
    assert services.card_number_is_valid(number)
    for i in range(16):
        wrong = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1 :]
        assert not services.card_number_is_valid(wrong)


def test_issued_numbers_carry_their_check_digit(member):
    assert services.card_number_is_valid(member.number)


def test_token_says_valid_member_of_which_union_and_nothing_more(cast, member):
    token = services.card_token(member)
    assert "赵" not in token and make_id_number(seq=101) not in token
    result = services.verify_card_token(token)
    assert result.valid and result.org_name == cast.hengda.name


def test_tampered_token_is_rejected(member):
    token = services.card_token(member)
    number = token.split(":", 1)[0]
    forged = services.card_token(member).replace(
        number, number[:-1] + str((int(number[-1]) + 1) % 10)
    )
    assert not services.verify_card_token(forged).valid
    assert not services.verify_card_token(token[:-2] + "xx").valid


def test_expired_token_is_rejected(member):
    token = services.card_token(member)
    with time_machine.travel(
        timezone.now() + dt.timedelta(seconds=services.CARD_TOKEN_MAX_AGE + 5)
    ):
        result = services.verify_card_token(token)
    assert not result.valid and "过期" in result.reason


def test_former_member_is_not_valid(cast, member):
    services.end_membership(cast.street_cadre, member.person.memberships.get(), "离职")
    assert not services.verify_card_token(services.card_token(member)).valid


def test_offers_are_inherited_down_the_subtree_and_redeemable(cast, member):
    today = timezone.localdate()
    city_shop = Merchant.objects.create(org=cast.wuxi, name="无锡某书店")
    nanjing_shop = Merchant.objects.create(org=cast.nanjing, name="南京某餐厅")
    city = Offer.objects.create(org=cast.wuxi, merchant=city_shop, title="图书九折",
                                valid_from=today, valid_until=today + dt.timedelta(days=30))  # fmt: skip
    other = Offer.objects.create(org=cast.nanjing, merchant=nanjing_shop, title="午餐八折",
                                 valid_from=today, valid_until=today + dt.timedelta(days=30))  # fmt: skip
    assert list(services.offers_for(member.person)) == [city]
    token = services.card_token(member)
    assert services.redeem_offer(token, city).card == member
    with pytest.raises(ValidationError):
        services.redeem_offer(token, other)


def test_station_check_in_by_card_uses_the_members_resolver(cast, member):
    from unionhome.core.registry import card_resolver

    resolve = card_resolver()
    assert resolve(services.card_token(member)) == f"card:{member.number}"
    assert resolve("forged:token") is None


def test_member_workplaces_feed_station_coverage(cast, member):
    from decimal import Decimal

    from unionhome.core.registry import location_sources

    person = member.person
    person.work_latitude, person.work_longitude = Decimal("31.57"), Decimal("120.30")
    person.save()
    source = next(s for s in location_sources() if s.key == "members")
    assert list(source.fn(cast.liangxi.path)) == [(31.57, 120.3)]
    assert list(source.fn(cast.nanjing.path)) == []
