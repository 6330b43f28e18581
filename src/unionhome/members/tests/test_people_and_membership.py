import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from unionhome.core.models import AuditEvent
from unionhome.members import services
from unionhome.members.models import Membership, MembershipStatus, Person
from unionhome.orgs.models import Org
from unionhome.testing.personas import make_id_number


def person(name="赵六", seq=101, **kw):
    return services.PersonData(
        name=name, id_number=make_id_number(seq=seq), phone="13600000001", **kw
    )


def count(org):
    return Org.objects.get(pk=org.pk).member_count


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"name": "  "}, "name", "姓名不能为空"),
        ({"id_number": "11010519491231002Y"}, "id_number", "18位"),
        ({"id_number": "110105194912310021"}, "id_number", "校验位"),
        ({"id_number": "110105299901010011"}, "id_number", "不合理"),
        ({"phone": "1380000000"}, "phone", "11位"),
    ],
)
def test_bad_person_data_is_refused_by_field(cast, overrides, field, text):
    data = person()
    for key, value in overrides.items():
        setattr(data, key, value)
    with pytest.raises(ValidationError) as info:
        services.clean_person(data)
    assert text in info.value.message_dict[field][0]


def test_birth_date_and_gender_must_agree_with_the_id_number(cast):
    import datetime as dt

    data = person(birth_date=dt.date(1991, 1, 1), gender="female")
    with pytest.raises(ValidationError) as info:
        services.clean_person(data)
    assert {"birth_date", "gender"} <= set(info.value.message_dict)
    cleaned = services.clean_person(person())
    assert cleaned.birth_date == dt.date(1990, 1, 1) and cleaned.gender == "male"


def test_id_and_phone_are_encrypted_and_found_by_blind_index(cast):
    membership = services.add_member(cast.street_cadre, cast.hengda, person())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone FROM members_person WHERE id = %s", [membership.person_id]
        )
        stored_id, stored_phone = cursor.fetchone()
    assert make_id_number(seq=101) not in stored_id and "13600000001" not in stored_phone
    found = Person.objects.get(id_index=services.id_index(make_id_number(seq=101).lower()))
    assert found.masked_id_number == "320213********" + make_id_number(seq=101)[-4:]
    assert found.masked_phone == "136****0001"


def test_adding_members_keeps_the_count(cast):
    before = count(cast.hengda)
    services.add_member(cast.enterprise_cadre, cast.hengda, person())
    assert count(cast.hengda) == before + 1
    assert Org.objects.get(pk=cast.hengda.pk).member_count == Membership.objects.filter(
        org=cast.hengda, status="active").count()  # fmt: skip


def test_one_active_membership_at_a_time(cast):
    services.add_member(cast.street_cadre, cast.hengda, person())
    with pytest.raises(ValidationError) as info:
        services.add_member(cast.other_street_cadre, cast.ruifeng, person())
    assert info.value.code == "member_elsewhere"
    with pytest.raises(ValidationError) as info:
        services.add_member(cast.street_cadre, cast.hengda, person())
    assert info.value.code == "already_member"
    p = Person.objects.get(id_index=services.id_index(make_id_number(seq=101)))
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(org=cast.ruifeng, person=p, joined_on="2026-01-01")


def test_only_handlers_of_the_union_add_members(cast):
    with pytest.raises(PermissionDenied):
        services.add_member(cast.other_street_cadre, cast.hengda, person())
    with pytest.raises(ValidationError):
        services.add_member(cast.root, cast.liangxi, person())  # not a grassroots union


def test_leaving_lowers_the_count_and_keeps_history(cast):
    m = services.add_member(cast.street_cadre, cast.hengda, person())
    before = count(cast.hengda)
    services.end_membership(cast.street_cadre, m, "离职")
    m.refresh_from_db()
    assert m.status == MembershipStatus.LEFT and m.ended_on is not None
    assert count(cast.hengda) == before - 1


def test_reveal_is_for_leaders_and_admins_and_audited(cast):
    m = services.add_member(cast.street_cadre, cast.hengda, person())
    with pytest.raises(PermissionDenied):
        services.reveal_person(cast.enterprise_cadre, m.person)
    shown = services.reveal_person(cast.street_cadre, m.person)
    assert shown["id_number"] == make_id_number(seq=101)
    assert AuditEvent.objects.filter(action="person.reveal", actor=cast.street_cadre).exists()


def test_join_online_then_approval_issues_a_card_and_tells_the_worker(
    cast, caplog, django_capture_on_commit_callbacks
):
    application = services.submit_application(cast.hengda, person())
    with pytest.raises(ValidationError):
        services.submit_application(cast.hengda, person())  # already pending
    before = count(cast.hengda)
    with (
        caplog.at_level("INFO", logger="unionhome.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.approve_application(cast.enterprise_cadre, application)
    application.refresh_from_db()
    assert application.status == "approved" and application.person.card.number
    assert count(cast.hengda) == before + 1
    assert "/m/card/" in caplog.text and "136****0001" in caplog.text


def test_refusal_needs_a_reason_and_is_told(cast, caplog, django_capture_on_commit_callbacks):
    application = services.submit_application(cast.hengda, person())
    with pytest.raises(ValidationError):
        services.refuse_application(cast.enterprise_cadre, application, "")
    with (
        caplog.at_level("INFO", logger="unionhome.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.refuse_application(cast.enterprise_cadre, application, "您不在本单位工作")
    assert "您不在本单位工作" in caplog.text


def test_an_active_member_cannot_apply_again(cast):
    services.add_member(cast.street_cadre, cast.hengda, person())
    with pytest.raises(ValidationError) as info:
        services.submit_application(cast.ruifeng, person())
    assert info.value.code == "member_elsewhere"


def test_transfer_moves_the_member_and_both_counts_in_one_step(cast):
    m = services.add_member(cast.street_cadre, cast.hengda, person())
    a, b = count(cast.hengda), count(cast.ruifeng)
    transfer = services.request_transfer(cast.street_cadre, m.person, cast.ruifeng, "调动到瑞丰")
    assert (count(cast.hengda), count(cast.ruifeng)) == (a, b)  # nothing moves before confirmation
    # the receiving union sees the transfer; the sender's neighbour does not
    from unionhome.members.models import Transfer

    assert Transfer.objects.visible_to(cast.other_street_cadre).filter(pk=transfer.pk).exists()
    assert not Transfer.objects.visible_to(cast.outsider).filter(pk=transfer.pk).exists()
    with pytest.raises(PermissionDenied):
        services.confirm_transfer(cast.street_cadre, transfer)  # only the receiver confirms
    new = services.confirm_transfer(cast.other_street_cadre, transfer)
    assert (count(cast.hengda), count(cast.ruifeng)) == (a - 1, b + 1)
    assert new.org == cast.ruifeng
    m.refresh_from_db()
    assert m.status == MembershipStatus.TRANSFERRED
    assert Person.objects.get(pk=m.person_id).org == cast.ruifeng


def test_recount_finds_nothing_to_correct_after_real_changes(cast):
    m = services.add_member(cast.street_cadre, cast.hengda, person())
    services.end_membership(cast.street_cadre, m, "离职")
    assert services.recount_members() == {"corrected": 0}
    Org.objects.filter(pk=cast.hengda.pk).update(member_count=999)
    assert services.recount_members() == {"corrected": 1}


def test_join_floods_from_one_address_are_refused(cast, settings):
    settings.UNIONHOME_INTAKE_LIMIT_PER_HOUR = 2
    for seq in (121, 123):
        services.submit_application(cast.hengda, person(seq=seq), throttle_key="10.0.0.7")
    with pytest.raises(ValidationError) as info:
        services.submit_application(cast.hengda, person(seq=125), throttle_key="10.0.0.7")
    assert info.value.code == "rate_limited"
