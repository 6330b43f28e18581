"""Intake: one service for every channel; bad input is refused whole; anonymity is structural."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from unionhome.demands import intake as demand_intake
from unionhome.demands.models import Attachment, Demand

from .conftest import COMPLAINT, png_bytes, upload


def refused(submit, **overrides):
    before = Demand.objects.count()
    with pytest.raises(ValidationError) as info:
        submit(**overrides)
    assert Demand.objects.count() == before
    assert not Attachment.objects.exists()
    if hasattr(info.value, "error_dict"):
        return info.value.message_dict
    return {"__all__": info.value.messages}


def test_submission_is_committed_with_tracking_code_deadlines_and_timeline(cast, submit):
    demand = submit()
    stored = Demand.objects.get(tracking_code=demand.tracking_code)
    assert stored.org == cast.hengda and stored.status == "submitted"
    assert stored.ack_deadline < stored.resolve_deadline
    assert [e.kind for e in stored.events.all()] == ["submitted", "routed"]
    assert stored.category == "wages"  # suggested from the text when the worker chose none


def test_anonymous_demand_stores_no_identity_at_all(cast, submit):
    demand = submit(anonymous=True, contact_name="王师傅", contact_phone="13812345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_name, contact_phone, contact_phone_index, submitter_id "
                       "FROM demands_demand WHERE id = %s", [demand.pk])  # fmt: skip
        assert cursor.fetchone() == ("", "", "", None)


def test_database_refuses_identity_on_an_anonymous_demand(cast, submit):
    demand = submit(anonymous=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Demand.objects.filter(pk=demand.pk).update(contact_name="x")


def test_phone_is_encrypted_and_masked(cast, submit):
    demand = submit(contact_phone="+86 138-1234-5678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM demands_demand WHERE id = %s", [demand.pk])
        assert "13812345678" not in cursor.fetchone()[0]
    assert Demand.objects.get(pk=demand.pk).masked_contact_phone == "138****5678"


def test_empty_description_is_refused(cast, submit):
    assert "description" in refused(submit, description="   ")


def test_overlong_description_is_refused_with_its_length(cast, submit):
    errors = refused(submit, description="欠薪" * 2501)
    assert "5002" in errors["description"][0]


def test_invalid_phone_is_refused(cast, submit):
    assert "contact_phone" in refused(submit, contact_phone="1234")


def test_a_named_worker_must_leave_a_phone(cast, submit):
    assert "contact_phone" in refused(submit, contact_phone="")


def test_spam_is_refused(cast, submit):
    errors = refused(
        submit, description="加微信 dd8888 代开发票 刷单日结 http://x.cn 加微信 dd8888"
    )
    assert "description" in errors


def test_non_image_with_an_image_name_is_refused(cast, submit):
    fake = upload("photo.jpg", b"MZ\x90\x00 this is an exe" * 20, "image/jpeg")
    assert "photos" in refused(submit, photos=[fake])


def test_oversize_photo_is_refused(cast, submit, settings):
    settings.UNIONHOME_PHOTO_MAX_BYTES = 1000
    big = upload("big.png", png_bytes(size=(400, 400)))
    assert "photos" in refused(submit, photos=[big])


def test_too_many_photos_are_refused(cast, submit):
    photos = [upload(f"p{i}.png", png_bytes()) for i in range(5)]
    assert "photos" in refused(submit, photos=photos)


def test_photo_is_stored_without_its_metadata(cast, submit):
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {2: (31.0, 34.0, 0.0)}  # GPSInfo: latitude
    photo = upload("site.jpg", png_bytes(fmt="JPEG", exif=exif.tobytes()), "image/jpeg")
    demand = submit(photos=[photo])
    stored = demand.attachments.get()
    assert stored.content_type == "image/jpeg"
    with stored.file.open("rb") as fh:
        data = fh.read()
    assert b"CameraMaker" not in data
    assert not Image.open(stored.file.path).getexif()


def test_flood_from_one_phone_is_rate_limited(cast, submit, settings):
    settings.UNIONHOME_INTAKE_LIMIT_PER_HOUR = 2
    submit(description="第一条：恒达精密拖欠工资两个月。")
    submit(description="第二条：恒达精密没有给我们交社保。")
    errors = refused(submit, description="第三条：恒达精密加班不给加班费。")
    assert "12351" in errors["__all__"][0]


def test_flood_from_one_ip_is_rate_limited(cast, intake, settings):
    settings.UNIONHOME_INTAKE_LIMIT_PER_HOUR = 1
    demand_intake.submit_demand(intake(anonymous=True), channel="web", throttle_key="10.0.0.9")
    with pytest.raises(ValidationError):
        demand_intake.submit_demand(intake(anonymous=True, description="另一条诉求：食堂饭菜太贵。"),
                                    channel="web", throttle_key="10.0.0.9")  # fmt: skip


def test_likely_duplicate_is_flagged(cast, submit):
    first = submit()
    second = submit(
        description=COMPLAINT.replace("三十多人", "三十几个人"), contact_phone="13912345678"
    )
    assert second.possible_duplicate_of == first
    unrelated = submit(
        description="恒达精密食堂饭菜太贵，希望工会和企业协商降价。", contact_phone="13712345678"
    )
    assert unrelated.possible_duplicate_of is None


def test_hotline_entry_records_the_operator_not_as_submitter(cast, intake):
    demand = demand_intake.submit_demand(intake(), channel="hotline", actor=cast.city_cadre)
    assert demand.entered_by == cast.city_cadre and demand.submitter is None
    assert demand.events.first().actor_label == "12351热线代录"
