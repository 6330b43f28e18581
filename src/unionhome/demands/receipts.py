"""Web intake in two steps: acknowledge durably, then record in batches.

`receive_demand` validates and rate-limits exactly like `intake.submit_demand`, then commits
one encrypted `DemandReceipt` row and returns its tracking code: the worker's submission is
durable from that moment. `process_receipts` (run by `manage.py intake_worker`, and by the web
process itself when no worker has run for `UNIONHOME_INTAKE_INLINE_AFTER` seconds) turns
pending receipts into demands through the same `build_demand`/`store_demands` steps as `submit_demand`, many
per transaction: routing is memoised per batch, the duplicate hint reads each employer's recent
demands once, events and notifications are one INSERT each, and the early-warning check runs
once per employer and per county and category. A write that fails is retried receipt by
receipt, so one bad receipt is set aside with its error and never holds up or loses the others.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from unionhome.core import dbrouter

from . import intake, routing, services
from .models import Demand, DemandReceipt

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH = 400
WRITE_CHUNK = 100  # receipts per write transaction

_PAYLOAD_FIELDS = ("description", "category", "employer_name", "region_code", "address",
                   "anonymous", "contact_name", "contact_phone", "urgency", "complexity",
                   "latitude", "longitude")  # fmt: skip


def _payload(cleaned: intake.Intake) -> str:
    values = {name: getattr(cleaned, name) for name in _PAYLOAD_FIELDS}
    for name in ("latitude", "longitude"):
        if values[name] is not None:
            values[name] = str(values[name])
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _intake(payload: str) -> intake.Intake:
    values = json.loads(payload)
    for name in ("latitude", "longitude"):
        if values.get(name) is not None:
            values[name] = Decimal(values[name])
    return intake.Intake(**values)


def receive_demand(data: intake.Intake, *, channel: str, actor=None,
                   throttle_key: str = "") -> tuple[str, Demand | None]:  # fmt: skip
    """Acknowledge a worker's submission: the same checks and limits as `submit_demand`, then
    one committed, encrypted receipt. Returns (tracking code, None); with photos the demand is
    recorded at once (the pictures are checked and re-encoded in this request anyway) and
    returned too."""
    item = intake.accept_intake(data, channel=channel, actor=actor)
    if item.photos:
        intake.limit_intake(item, throttle_key)
        built = intake.build_demand(item)
        built.demand.possible_duplicate_of = intake.find_likely_duplicate(built.demand)
        with transaction.atomic():
            demand = intake.store_demands([built])[0]
        return demand.tracking_code, demand
    anonymous = item.cleaned.anonymous
    receipt = DemandReceipt(
        channel=channel, payload=_payload(item.cleaned), received_at=timezone.now(),
        submitter=item.actor if item.actor is not None and not anonymous else None,
    )  # fmt: skip
    # One write: the rate-limit counters and the receipt (on SQLite, in the queue's own file).
    with transaction.atomic(using=dbrouter.queue_alias()):
        intake.limit_intake(item, throttle_key)
        receipt.save(force_insert=True)
    _process_if_unattended()
    return receipt.tracking_code, None


def _accepted(receipt: DemandReceipt) -> intake.AcceptedIntake:
    return intake.AcceptedIntake(
        _intake(receipt.payload), receipt.channel, actor=receipt.submitter,
        received_at=receipt.received_at, tracking_code=receipt.tracking_code, code=receipt.code,
    )  # fmt: skip


def _duplicate_key(demand: Demand) -> tuple | None:
    if demand.employer_org_id is None and not demand.employer_name:
        return None
    return demand.employer_org_id, "" if demand.employer_org_id else demand.employer_name


def _prepare(receipts: list[DemandReceipt]):
    """The reads and the Python work, outside any transaction (on SQLite a write transaction is
    the lock the web form's INSERTs wait for): each receipt's demand built, and its duplicate
    hint found among its employer's recent demands (read once per batch) and the batch's
    earlier receipts. Returns (built, failed, earlier): `earlier` maps a demand to the earlier
    demand of the batch it duplicates, whose pk is known only once that one is stored."""
    built, failed = [], []
    accepted = []
    for receipt in receipts:
        try:
            accepted.append((receipt, _accepted(receipt)))
        except Exception as exc:
            logger.exception("receipt %s could not be read", receipt.tracking_code)
            failed.append((receipt, exc))
    # The batch's addresses read in one pass; each union looked up once.
    routes = routing.RoutingBatch(item.cleaned.address for _receipt, item in accepted)
    recent: dict[tuple, list[tuple[object, str]]] = {}
    for receipt, item in accepted:
        try:
            b = intake.build_demand(item, routes)
        except Exception as exc:
            logger.exception("receipt %s could not be built", receipt.tracking_code)
            failed.append((receipt, exc))
            continue
        key = _duplicate_key(b.demand)
        if key is not None and key not in recent:
            recent[key] = intake.duplicate_candidates(b.demand)
        built.append((receipt, b))
    grams: dict = {}
    mine: dict[int, Demand] = {}
    earlier: dict[int, Demand] = {}
    for _receipt, b in built:
        demand = b.demand
        key = _duplicate_key(demand)
        if key is None:
            continue
        candidates = recent[key]
        best = intake.duplicate_among(demand.search_text, candidates, grams)
        if isinstance(best, tuple):  # ("batch", id) of an earlier receipt of this batch
            earlier[id(demand)], best = mine[best[1]], None
        demand.possible_duplicate_of_id = best
        mine[id(demand)] = demand
        candidates.insert(0, (("batch", id(demand)), demand.search_text))
        del candidates[intake.DUPLICATE_CANDIDATES :]
    return built, failed, earlier


def _write(built: list, earlier: dict) -> list[Demand]:
    """Store the built demands; the caller holds the transaction. A hint to an earlier receipt
    of the batch takes its pk: before the INSERT when that one is stored already, just after
    it when both are in this write."""
    from unionhome.dashboards import rollups

    later: list[tuple[Demand, Demand]] = []
    for _r, b in built:
        target = earlier.get(id(b.demand))
        if target is not None:
            b.demand.possible_duplicate_of_id = target.pk  # None until that one is stored
            if target.pk is None:
                later.append((b.demand, target))
    with rollups.batched():
        stored = intake.store_demands([b for _r, b in built])
    for demand, target in later:
        if target.pk is not None:
            demand.possible_duplicate_of_id = target.pk
            Demand.objects.filter(pk=demand.pk).update(possible_duplicate_of_id=target.pk)
    return stored


def _commit(built: list, earlier: dict, failed: list) -> list[DemandReceipt]:
    """One write transaction: claim the receipts still pending, store their demands, mark them
    recorded. A failing write is retried receipt by receipt; what still fails joins `failed`.

    With the queue in its own SQLite file the receipts are marked just after the demands
    commit; a receipt whose demand is already stored (a processor stopped between the two, or
    another processor got there first) is only marked, never recorded twice."""
    done: list[DemandReceipt] = []
    split = dbrouter.split()
    with transaction.atomic():
        if not split:
            claimed = set(
                DemandReceipt.objects.filter(pk__in=[r.pk for r, _b in built],
                                             processed_at__isnull=True)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
            )  # fmt: skip
            built = [(r, b) for r, b in built if r.pk in claimed]
        stored = set(
            Demand.objects.filter(tracking_code__in=[r.tracking_code for r, _b in built])
            .values_list("tracking_code", flat=True)
        )  # fmt: skip
        already = [r for r, _b in built if r.tracking_code in stored]
        built = [(r, b) for r, b in built if r.tracking_code not in stored]
        try:
            with transaction.atomic():
                _write(built, earlier)
            done = [r for r, _b in built]
        except Exception:
            logger.exception("intake write of %d failed; recording one by one", len(built))
            for _receipt, b in built:
                b.demand.pk = None  # the rolled-back INSERT's pk
            for receipt, b in built:
                try:
                    with transaction.atomic():
                        _write([(receipt, b)], earlier)
                    done.append(receipt)
                except Exception as exc:
                    b.demand.pk = None
                    failed.append((receipt, exc))
        if not split:
            _mark_recorded(done + already)
    if split:
        with transaction.atomic(using=dbrouter.INTAKE):
            _mark_recorded(done + already)
    return done


def _mark_recorded(receipts: list[DemandReceipt]) -> None:
    # The identity now lives on the demand only.
    DemandReceipt.objects.filter(pk__in=[r.pk for r in receipts]).update(
        processed_at=timezone.now(), payload="", error="", submitter=None
    )


def process_receipts(limit: int = BATCH) -> int:
    """Record up to `limit` pending receipts as demands, oldest first; returns how many were
    recorded. Reads happen first, then write transactions of WRITE_CHUNK receipts (on SQLite a
    write transaction holds the lock the web form's INSERTs wait for); the early-warning check
    runs once after the last. A receipt that fails is set aside with its error (retried up to
    MAX_ATTEMPTS times) and never holds up the others. Concurrent processors never record the
    same receipt (row locks on PostgreSQL, the write lock on SQLite, and the pending check
    inside each transaction)."""
    from unionhome.digests import alerts

    receipts = list(
        DemandReceipt.objects.filter(processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .prefetch_related("submitter")  # one query, from the main database when split
        .order_by("received_at")[:limit]
    )
    if not receipts:
        return 0
    built, failed, earlier = _prepare(receipts)
    done: list[DemandReceipt] = []
    with alerts.batched_checks():
        for start in range(0, len(built), WRITE_CHUNK):
            done += _commit(built[start : start + WRITE_CHUNK], earlier, failed)
    for receipt, exc in failed:
        DemandReceipt.objects.filter(pk=receipt.pk).update(
            attempts=receipt.attempts + 1, error=repr(exc)[:2000]
        )
    return len(done)


def drain(limit: int = BATCH) -> int:
    """Process until nothing is pending (or only receipts that keep failing are left)."""
    total = 0
    while n := process_receipts(limit):
        total += n
    return total


def pending_receipt(tracking_code: str) -> DemandReceipt | None:
    return DemandReceipt.objects.filter(
        tracking_code=tracking_code, processed_at__isnull=True
    ).first()


def find_tracked(tracking_code: str) -> Demand | DemandReceipt:
    """What a tracking code names: the demand, else the web receipt still being routed (recorded
    first when no intake worker has come by for UNIONHOME_INTAKE_INLINE_AFTER seconds); 404 for
    neither. The tracking page and the public API both answer from it."""
    try:
        return services.get_demand_by_tracking_code(tracking_code)
    except Http404:
        receipt = pending_receipt(services.normalise_tracking_code(tracking_code))
        if receipt is None:
            raise
        return process_stale(receipt) or receipt


def process_stale(receipt: DemandReceipt) -> Demand | None:
    """The tracking page's fallback: a receipt nobody processed within
    UNIONHOME_INTAKE_INLINE_AFTER seconds (no intake worker running) is recorded now."""
    age = timezone.now() - receipt.received_at
    if age < dt.timedelta(seconds=settings.UNIONHOME_INTAKE_INLINE_AFTER):
        return None
    process_receipts()  # the oldest batch; the page refreshes until this one is recorded
    return Demand.objects.filter(tracking_code=receipt.tracking_code).first()


_last_look = 0.0


def _process_if_unattended() -> None:
    """Without an intake worker, receipts would wait forever: at most once a second per process,
    a receipt older than UNIONHOME_INTAKE_INLINE_AFTER seconds makes this request record the
    oldest batch itself."""
    global _last_look
    if time.monotonic() - _last_look < 1.0:
        return
    _last_look = time.monotonic()
    oldest = (
        DemandReceipt.objects.filter(processed_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .order_by("received_at")
        .values_list("received_at", flat=True)
        .first()
    )
    limit = dt.timedelta(seconds=settings.UNIONHOME_INTAKE_INLINE_AFTER)
    if oldest is not None and timezone.now() - oldest >= limit:
        process_receipts()  # one batch: a request never takes on a whole backlog
