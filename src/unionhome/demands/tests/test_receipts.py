"""The web form's two steps: a durable receipt at once, the demand recorded by the intake worker."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connections, router

from unionhome.core.models import Notification
from unionhome.dashboards import rollups
from unionhome.demands import intake as demand_intake
from unionhome.demands import receipts
from unionhome.demands.models import Demand, DemandEvent, DemandReceipt, DemandTerm, EventKind
from unionhome.digests.models import Alert

from .conftest import COMPLAINT

FORM = {"description": COMPLAINT, "employer_name": "无锡恒达精密机械有限公司",
        "contact_name": "王师傅", "contact_phone": "13812345678"}  # fmt: skip


def raw_receipt_row(pk: int) -> str:
    with connections[router.db_for_read(DemandReceipt)].cursor() as cursor:
        cursor.execute("SELECT payload FROM demands_demandreceipt WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_web_form_acknowledges_with_a_receipt_and_the_worker_records_it(client, cast):
    response = client.post("/d/new/", FORM)
    receipt = DemandReceipt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/d/t/{receipt.tracking_code}/"
    assert not Demand.objects.exists()
    stored = raw_receipt_row(receipt.pk)  # encrypted at rest, like the demand's contact fields
    assert "13812345678" not in stored and "王师傅" not in stored and "恒达" not in stored

    page = client.get(response["Location"]).content.decode()
    assert 'id="received"' in page and receipt.tracking_code in page
    assert "13812345678" not in page

    assert receipts.process_receipts() == 1
    demand = Demand.objects.get()
    assert (demand.tracking_code, demand.code) == (receipt.tracking_code, receipt.code)
    assert demand.org_id == cast.hengda.pk and demand.created_at == receipt.received_at
    assert demand.contact_phone == "13812345678" and demand.contact_name == "王师傅"
    receipt.refresh_from_db()
    assert receipt.processed_at is not None and receipt.payload == ""  # identity on the demand only
    page = client.get(response["Location"]).content.decode()
    assert 'id="agency"' in page and cast.hengda.name in page


def test_a_receipt_records_what_direct_submission_records(cast, intake):
    direct = demand_intake.submit_demand(intake(), channel="web")
    code, demand = receipts.receive_demand(intake(), channel="web")
    assert demand is None
    receipts.process_receipts()
    queued = Demand.objects.get(tracking_code=code)
    same = ("org_id", "org_path", "category", "suggested_category", "urgency", "complexity",
            "channel", "description", "search_text", "employer_name", "employer_org_id",
            "region_code", "anonymous", "contact_name", "contact_phone", "contact_phone_index",
            "status")  # fmt: skip
    assert {f: getattr(queued, f) for f in same} == {f: getattr(direct, f) for f in same}
    assert abs(queued.resolve_deadline - direct.resolve_deadline) < dt.timedelta(minutes=1)
    assert queued.possible_duplicate_of_id == direct.pk  # the hint reads the stored demands too
    for demand in (direct, queued):
        kinds = list(demand.events.order_by("pk").values_list("kind", flat=True))
        assert kinds == [EventKind.SUBMITTED, EventKind.ROUTED]
    assert (
        DemandTerm.objects.filter(demand=queued).count()
        == DemandTerm.objects.filter(demand=direct).count()
    )
    for demand in (direct, queued):
        assert Notification.objects.filter(url=f"/demands/{demand.code}/").count() == 1
    assert rollups.check() == []  # the batch's roll-ups equal a recount


@pytest.mark.parametrize("chunk", [1, 2, 25])  # in another write transaction, or the same
def test_duplicate_hint_looks_at_earlier_receipts_of_the_same_batch(cast, intake, monkeypatch,
                                                                    chunk):  # fmt: skip
    monkeypatch.setattr(receipts, "WRITE_CHUNK", chunk)
    first, _ = receipts.receive_demand(intake(), channel="web")
    second, _ = receipts.receive_demand(intake(description=COMPLAINT + "请尽快处理。"),
                                        channel="web")  # fmt: skip
    other, _ = receipts.receive_demand(
        intake(description="食堂的饭菜太贵而且不卫生，希望工会反映一下。"), channel="web"
    )
    assert receipts.process_receipts() == 3
    by_code = {d.tracking_code: d for d in Demand.objects.all()}
    assert by_code[first].possible_duplicate_of_id is None
    assert by_code[second].possible_duplicate_of_id == by_code[first].pk
    assert by_code[other].possible_duplicate_of_id is None


def test_anonymous_receipt_keeps_no_identity(cast, intake, django_user_model):
    worker = django_user_model.objects.create_user("worker", password="x")
    code, _ = receipts.receive_demand(intake(anonymous=True), channel="web", actor=worker)
    receipt = DemandReceipt.objects.get()
    assert receipt.submitter_id is None
    receipts.process_receipts()
    demand = Demand.objects.get(tracking_code=code)
    assert demand.anonymous and demand.submitter_id is None
    assert (demand.contact_name, demand.contact_phone, demand.contact_phone_index) == ("", "", "")
    assert not DemandEvent.objects.filter(demand=demand, actor__isnull=False).exists()


def test_signed_in_worker_is_the_submitter(cast, intake, django_user_model):
    worker = django_user_model.objects.create_user("worker", password="x")
    code, _ = receipts.receive_demand(intake(), channel="web", actor=worker)
    receipts.process_receipts()
    demand = Demand.objects.get(tracking_code=code)
    assert demand.submitter_id == worker.pk
    assert demand.events.get(kind=EventKind.SUBMITTED).actor_id == worker.pk


def test_bad_input_and_rate_limit_leave_no_receipt(cast, intake, settings):
    with pytest.raises(ValidationError) as exc:
        receipts.receive_demand(intake(contact_phone="12345"), channel="web")
    assert "contact_phone" in exc.value.message_dict
    settings.UNIONHOME_INTAKE_LIMIT_PER_HOUR = 2
    for _ in range(2):
        receipts.receive_demand(intake(), channel="web", throttle_key="10.0.0.9")
    with pytest.raises(ValidationError) as exc:
        receipts.receive_demand(intake(), channel="web", throttle_key="10.0.0.9")
    assert exc.value.messages[0].startswith("提交过于频繁")
    assert DemandReceipt.objects.count() == 2


def test_a_receipt_that_fails_is_set_aside_and_the_others_are_recorded(cast, intake, monkeypatch):
    good, _ = receipts.receive_demand(intake(), channel="web")
    bad, _ = receipts.receive_demand(intake(employer_name="坏数据"), channel="web")
    later, _ = receipts.receive_demand(intake(employer_name=""), channel="web")
    real_build = demand_intake.build_demand

    def build(item, routes):
        if item.tracking_code == bad:
            raise RuntimeError("routing table broken")
        return real_build(item, routes)

    monkeypatch.setattr(demand_intake, "build_demand", build)
    assert receipts.process_receipts() == 2
    assert set(Demand.objects.values_list("tracking_code", flat=True)) == {good, later}
    failed = DemandReceipt.objects.get(tracking_code=bad)
    assert failed.processed_at is None and failed.attempts == 1
    assert "routing table broken" in failed.error
    assert receipts._intake(failed.payload).employer_name == "坏数据"  # nothing lost

    for _ in range(receipts.MAX_ATTEMPTS):
        receipts.process_receipts()
    failed.refresh_from_db()
    assert failed.attempts == receipts.MAX_ATTEMPTS  # no longer retried in a loop

    monkeypatch.undo()
    DemandReceipt.objects.filter(pk=failed.pk).update(attempts=0)  # an admin's retry
    assert receipts.process_receipts() == 1
    assert Demand.objects.filter(tracking_code=bad).exists()


def test_a_write_error_in_the_batch_is_isolated_to_its_receipt(cast, intake, monkeypatch):
    codes = [receipts.receive_demand(intake(), channel="web")[0] for _ in range(3)]
    real_store = demand_intake.store_demands

    def store(built):
        if any(b.demand.tracking_code == codes[1] for b in built):
            raise RuntimeError("disk full")
        return real_store(built)

    monkeypatch.setattr(demand_intake, "store_demands", store)
    assert receipts.process_receipts() == 2
    assert set(Demand.objects.values_list("tracking_code", flat=True)) == {codes[0], codes[2]}
    assert DemandReceipt.objects.get(tracking_code=codes[1]).attempts == 1
    assert rollups.check() == []  # the failed batch's roll-ups were rolled back with it


def test_without_a_worker_the_tracking_page_records_a_stale_receipt(client, cast, settings):
    client.post("/d/new/", FORM)
    receipt = DemandReceipt.objects.get()
    assert 'id="received"' in client.get(f"/d/t/{receipt.tracking_code}/").content.decode()
    settings.UNIONHOME_INTAKE_INLINE_AFTER = 0
    page = client.get(f"/d/t/{receipt.tracking_code}/").content.decode()
    assert 'id="agency"' in page and cast.hengda.name in page


def test_without_a_worker_the_next_submission_records_stale_receipts(cast, intake, settings):
    first, _ = receipts.receive_demand(intake(), channel="web")
    settings.UNIONHOME_INTAKE_INLINE_AFTER = 0
    receipts._last_look = 0.0
    second, _ = receipts.receive_demand(intake(), channel="web")
    assert set(Demand.objects.values_list("tracking_code", flat=True)) == {first, second}


def test_open311_client_follows_a_web_form_code_from_receipt_to_demand(client, cast):
    client.post("/d/new/", FORM)
    code = DemandReceipt.objects.get().tracking_code
    for path in (f"/open311/v2/requests/{code}.json",
                 f"/open311/v2/requests.json?service_request_id={code}"):  # fmt: skip
        [request] = client.get(path).json()
        assert (request["service_request_id"], request["status"]) == (code, "open")
        assert request["status_notes"] == "已收到，正在分派" and request["agency_responsible"] == ""
        assert request["description"] == ""  # nothing of the intake before it is routed
    assert client.get(f"/open311/v2/tokens/{code}.json").json()[0]["service_request_id"] == code

    receipts.process_receipts()
    [request] = client.get(f"/open311/v2/requests/{code}.json").json()
    assert request["agency_responsible"] == cast.hengda.name and request["service_code"]
    assert client.get("/open311/v2/requests/AAAA-BBBB-CCCC.json").status_code == 404


def test_unknown_tracking_code_is_still_404(client, cast):
    assert client.get("/d/t/AAAA-BBBB-CCCC/").status_code == 404


def test_intake_worker_command_drains_the_queue(cast, intake):
    for _ in range(3):
        receipts.receive_demand(intake(), channel="web")
    call_command("intake_worker", "--once", "--batch", "2")
    assert Demand.objects.count() == 3
    assert not DemandReceipt.objects.filter(processed_at__isnull=True).exists()


def test_batch_raises_an_employer_burst_once(cast, intake, django_capture_on_commit_callbacks):
    for i in range(5):
        receipts.receive_demand(intake(description=f"{COMPLAINT}第{i}位工友。"), channel="web")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert receipts.process_receipts() == 5
    assert len(callbacks) == 1  # one check per batch, not one per demand
    alert = Alert.objects.get(kind="employer_burst")
    assert set(alert.demand_codes) == set(Demand.objects.values_list("code", flat=True))


def test_admin_lists_failed_receipts_without_their_content_and_retries_them(
    admin_client, cast, intake
):
    code, _ = receipts.receive_demand(intake(), channel="web")
    DemandReceipt.objects.update(attempts=receipts.MAX_ATTEMPTS, error="RuntimeError('boom')")
    page = admin_client.get("/admin/demands/demandreceipt/").content.decode()
    assert code in page and "boom" in page and "13812345678" not in page
    receipt = DemandReceipt.objects.get()
    detail = admin_client.get(f"/admin/demands/demandreceipt/{receipt.pk}/change/").content
    assert "王师傅".encode() not in detail and b"payload" not in detail
    admin_client.post("/admin/demands/demandreceipt/",
                      {"action": "retry", "_selected_action": [receipt.pk]})  # fmt: skip
    assert receipts.process_receipts() == 1
    assert Demand.objects.filter(tracking_code=code).exists()


def test_a_current_alert_quiets_its_group_until_it_could_change(
    cast, intake, monkeypatch, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from unionhome.digests import alerts

    def batch(numbers):
        for i in numbers:
            receipts.receive_demand(intake(description=f"{COMPLAINT}第{i}位工友。"), channel="web")
        with django_capture_on_commit_callbacks(execute=True):
            receipts.process_receipts()

    batch(range(5))  # raises the burst
    looked = []
    real = alerts._burst_alert
    monkeypatch.setattr(alerts, "_burst_alert", lambda *a: looked.append(1) or real(*a))
    batch([5])  # finds the alert current: nothing to write, and remembered
    batch([6])  # not even looked up
    assert looked == [1]
    alert = Alert.objects.get(kind="employer_burst")
    assert alert.count == 5
    alerts.scan_alerts(timezone.now())  # the cron scan brings the evidence up to date
    alert.refresh_from_db()
    assert alert.count == 7 and Alert.objects.filter(kind="employer_burst").count() == 1


def test_a_hint_to_a_receipt_that_failed_is_dropped_not_dangling(cast, intake, monkeypatch):
    other = "食堂的饭菜太贵而且不卫生，希望工会反映一下。"
    first, _ = receipts.receive_demand(intake(), channel="web")
    bad, _ = receipts.receive_demand(intake(description=other), channel="web")
    copy, _ = receipts.receive_demand(intake(description=other + "谢谢。"), channel="web")
    again, _ = receipts.receive_demand(intake(description=COMPLAINT + "谢谢。"), channel="web")
    real_store = demand_intake.store_demands

    def store(built):
        stored = real_store(built)  # the INSERTs happened (and get rolled back)
        if any(b.demand.tracking_code == bad for b in built):
            raise RuntimeError("disk full")
        return stored

    monkeypatch.setattr(demand_intake, "store_demands", store)
    assert receipts.process_receipts() == 3
    assert Demand.objects.count() == 3 and rollups.check() == []
    by_code = {d.tracking_code: d for d in Demand.objects.all()}
    assert by_code[copy].possible_duplicate_of_id is None  # its match was not stored
    assert by_code[again].possible_duplicate_of_id == by_code[first].pk


def test_public_api_reports_a_receipt_as_received_until_it_is_routed(client, cast):
    client.post("/d/new/", FORM)
    code = DemandReceipt.objects.get().tracking_code
    status = client.get(f"/api/v1/demands/track/{code}").json()
    assert status["status"] == "received" and status["resolve_deadline"] is None
    assert status["agency_responsible"] == "" and status["events"] == []
    receipts.process_receipts()
    status = client.get(f"/api/v1/demands/track/{code}").json()
    assert status["status"] == "submitted" and status["agency_responsible"] == cast.hengda.name
    assert client.get("/api/v1/demands/track/AAAA-BBBB-CCCC").status_code == 404


def test_public_api_records_a_stale_receipt_like_the_tracking_page(client, cast, settings):
    client.post("/d/new/", FORM)
    code = DemandReceipt.objects.get().tracking_code
    settings.UNIONHOME_INTAKE_INLINE_AFTER = 0  # no intake worker has come by
    status = client.get(f"/api/v1/demands/track/{code}").json()
    assert status["status"] == "submitted" and status["agency_responsible"] == cast.hengda.name


def test_a_receipt_whose_demand_is_already_stored_is_only_marked(cast, intake):
    """A processor that stopped between storing the demands and marking the receipts (two
    files on SQLite) leaves them pending: the next run marks them, never records them twice."""
    code, _ = receipts.receive_demand(intake(), channel="web")
    payload = DemandReceipt.objects.get(tracking_code=code).payload
    assert receipts.process_receipts() == 1
    DemandReceipt.objects.filter(tracking_code=code).update(processed_at=None, payload=payload)
    assert receipts.process_receipts() == 0
    assert Demand.objects.filter(tracking_code=code).count() == 1
    receipt = DemandReceipt.objects.get(tracking_code=code)
    assert receipt.processed_at is not None and receipt.attempts == 0 and receipt.error == ""


SPLIT_SCRIPT = """
import sqlite3, sys, time
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from unionhome.testing.personas import build_cast
build_cast()
from django.conf import settings
from unionhome.demands import intake, receipts
main = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
main.execute("BEGIN IMMEDIATE")  # the intake worker, mid-write on the main file
started = time.monotonic()
code, _ = receipts.receive_demand(intake.Intake(
    description="公司拖欠三个月工资，老板联系不上，请工会帮忙。",
    employer_name="无锡恒达精密机械有限公司", contact_phone="13812345678"), channel="web")
waited = time.monotonic() - started
main.execute("ROLLBACK")
receipts.process_receipts()
from unionhome.demands.models import Demand
print(f"waited={waited:.3f} recorded={Demand.objects.filter(tracking_code=code).count()}")
"""


def test_on_sqlite_a_form_post_does_not_wait_for_the_main_files_write_lock(tmp_path):
    """The queue is a file of its own (core.dbrouter): while the intake worker holds the main
    file's write lock, a worker's submission is still acknowledged at once."""
    import os
    import subprocess
    import sys

    if os.environ.get("DATABASE_URL"):
        pytest.skip("PostgreSQL has no write lock per database; the queue is not split there")
    env = {**os.environ, "UNIONHOME_SQLITE_PATH": str(tmp_path / "main.sqlite3"),
           "UNIONHOME_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "unionhome.settings",
           "PYTHONPATH": os.pathsep.join(sys.path)}  # fmt: skip
    out = subprocess.run(  # noqa: S603 — our own interpreter and code
        [sys.executable, "-c", SPLIT_SCRIPT], env=env, capture_output=True, text=True,
        timeout=300, check=True,
    ).stdout  # fmt: skip
    waited, recorded = (float(part.split("=")[1]) for part in out.split()[-2:])
    assert waited < 2.0, out  # the busy timeout is 20 s: it never touched the locked file
    assert recorded == 1
    assert (tmp_path / "main-intake.sqlite3").exists()


def test_a_submitter_can_be_deleted_while_a_receipt_waits(cast, intake, django_user_model):
    """The receipt's submitter is a user in the main database (the queue may be a file apart):
    deleting the user works, and the receipt is then recorded without one."""
    worker = django_user_model.objects.create_user("leaver", password="x")
    code, _ = receipts.receive_demand(intake(), channel="web", actor=worker)
    worker.delete()
    assert receipts.process_receipts() == 1
    demand = Demand.objects.get(tracking_code=code)
    assert demand.submitter_id is None and demand.contact_phone == "13812345678"
    assert DemandReceipt.objects.get(tracking_code=code).submitter_id is None
