"""Demand use cases: access, the inbox and search, handling, feedback and the sweeps that keep
deadlines honest. Intake (a new demand from any channel) is in `intake`.

Every write runs in one transaction, takes the acting user (None for the worker or the system),
checks permission, moves the status only along `TRANSITIONS`, writes an immutable timeline event,
and sends notifications after commit.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.core import audit
from unionhome.core.models import Role, RoleKind
from unionhome.core.notify import notify_users, send_sms
from unionhome.core.permissions import covers
from unionhome.core.scoping import scope_paths, subtree_q
from unionhome.orgs.models import Org, OrgLevel
from unionhome.text.normalise import clean_text, normalise_for_search

from . import deadlines
from .models import (
    DESCRIPTION_MAX,
    OPEN_STATUSES,
    Attachment,
    Demand,
    DemandEvent,
    DemandTerm,
    EventKind,
    Status,
    Visit,
)

DESCRIPTION_MIN = 5
WORK_ROLES = (RoleKind.CADRE, RoleKind.LEADER, RoleKind.ADMIN)

# action → (statuses it may start from, status it ends in; None keeps the status)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "accept": (frozenset({Status.SUBMITTED}), Status.ACCEPTED),
    "assign": (frozenset(OPEN_STATUSES), Status.IN_PROGRESS),
    "visit": (frozenset({Status.ACCEPTED, Status.IN_PROGRESS}), None),
    "reply": (frozenset({*OPEN_STATUSES, Status.RESOLVED}), None),
    "transfer": (frozenset(OPEN_STATUSES), Status.SUBMITTED),
    "escalate": (frozenset(OPEN_STATUSES), None),
    "merge": (frozenset(OPEN_STATUSES), Status.MERGED),
    "resolve": (frozenset({Status.ACCEPTED, Status.IN_PROGRESS}), Status.RESOLVED),
    "close": (frozenset({*OPEN_STATUSES, Status.RESOLVED}), Status.CLOSED),
    "reopen": (frozenset({Status.RESOLVED, Status.CLOSED}), Status.IN_PROGRESS),
    "rate": (frozenset({Status.RESOLVED}), None),  # to CLOSED or IN_PROGRESS by the rating
}


class ConflictError(ValidationError):
    """Somebody changed the demand since the form was loaded."""


# --- Access ----------------------------------------------------------------------------------
def get_demand_for_user(user, code: str, *, write: bool = False) -> Demand:
    """The demand if the user's roles cover it; 404 alike for missing and not yours. With
    `write`, a read-only role (viewer, mediator) gets 403."""
    demand = Demand.objects.visible_to(user).filter(code=code).select_related("org").first()
    if demand is None:
        raise Http404(_("没有找到该诉求。"))
    if write and not covers(user, demand.org_path, WORK_ROLES):
        raise PermissionDenied(_("您对该诉求只有查看权限。"))
    return demand


def normalise_tracking_code(tracking_code: str) -> str:
    code = tracking_code.strip().upper().replace(" ", "")
    if len(code) == 12 and "-" not in code:
        code = f"{code[:4]}-{code[4:8]}-{code[8:]}"
    return code


def get_demand_by_tracking_code(tracking_code: str) -> Demand:
    code = normalise_tracking_code(tracking_code)
    demand = Demand.objects.filter(tracking_code=code).select_related("org").first()
    if demand is None:
        raise Http404(_("查询码不存在，请核对后再试。"))
    return demand


def inbox(user, *, status="", category="", urgency="", channel="", overdue=False,
          escalated=False, query="", org: Org | None = None, now=None):  # fmt: skip
    """A cadre's inbox: the demands their roles cover, filtered."""
    demands = Demand.objects.visible_to(user).select_related("org", "assignee")
    if org is not None:
        demands = demands.in_subtree(org.path)
    if status == "open":
        demands = demands.open()
    elif status:
        demands = demands.filter(status=status)
    if category:
        demands = demands.filter(category=category)
    if urgency:
        demands = demands.filter(urgency=urgency)
    if channel:
        demands = demands.filter(channel=channel)
    if overdue:
        demands = demands.overdue(now)
    if escalated:
        demands = demands.filter(escalated=True)
    needle = normalise_for_search(query)
    if needle:
        # The code is looked up on its own: OR-ed into the text match, SQLite stops using the
        # bigram index well. No hit gives pk__in=[], which drops out of the OR.
        code_hit = list(Demand.objects.filter(code=query.strip().upper()).values_list("pk")[:1])
        demands = demands.filter(search_q(needle) | Q(pk__in=[pk for (pk,) in code_hit]))
        # Search results newest first (order of entry): a common word's postings are then
        # walked from the newest and the page stops after 25 hits (see search_hits).
        return demands.order_by("-pk")
    return demands.order_by("resolve_deadline", "-created_at")


QUEUE_WALK_ROWS = 2000


def open_queue_ids(user, *, org: Org | None = None, offset: int = 0, limit: int = 25,
                   scan: int = QUEUE_WALK_ROWS) -> list[int] | None:  # fmt: skip
    """The default inbox's page (open demands in queue order) found by walking the open-queue
    index from the top and keeping the user's subtrees, for at most `scan` rows; None when that
    did not fill the page (a narrow scope: the database's range-and-sort plan serves it).

    SQLite's planner takes the subtree range and sorts every open demand in it even when the
    range is the whole table (23 ms at 100,000 demands); walking the queue costs ~0.1 ms."""
    prefixes = tuple(_scope_roots(user, org))
    if not prefixes:
        return []
    queue = Demand.objects.open().order_by("resolve_deadline", "-created_at")
    hits: list[int] = []
    for start in range(0, scan, 1000):
        rows = list(queue.values_list("pk", "org_path")[start : start + 1000])
        hits.extend(pk for pk, path in rows if path.startswith(prefixes))
        if len(hits) >= offset + limit or len(rows) < 1000:
            return hits[offset : offset + limit]
    return None


# What an inbox row shows (demands/inbox.html); contacts stay encrypted and unread.
INBOX_ROW_FIELDS = ("org_path", "code", "category", "urgency", "description", "status",
                    "escalated", "ack_deadline", "resolve_deadline", "created_at",
                    "org__name", "org__short_name")  # fmt: skip


def inbox_rows(user, ids: list[int]) -> list[Demand]:
    """The demands with these ids that the user may see, in this order, with what an inbox row
    shows. The ids come from scoped walks; `visible_to` is the last gate all the same."""
    rows = (
        Demand.objects.visible_to(user).filter(pk__in=ids).select_related("org")
        .only(*INBOX_ROW_FIELDS)
    )  # fmt: skip
    by_pk = {d.pk: d for d in rows}
    return [by_pk[pk] for pk in ids if pk in by_pk]


@dataclass
class InboxPage:
    page: Page  # of Demand rows (only what a row shows)
    tiles: dict[str, int]
    more_hits: bool  # a search with more matches than it counted ("200+")


def inbox_page(user, *, org: Org | None = None, page_number=None, status: str = "open",
               category: str = "", urgency: str = "", channel: str = "", overdue: bool = False,
               escalated: bool = False, query: str = "", per_page: int = 25) -> InboxPage:  # fmt: skip
    """One page of a cadre's inbox, the same demands as `inbox()` in the same order, chosen by
    the cheapest path: the open queue walked for the default view, the postings walked for a
    search, else ids paged in SQL; then only the page's rows are read (sorting thousands of
    whole rows, texts and encrypted contacts, to keep 25 cost ten times the page)."""
    filters = {"status": status, "category": category, "urgency": urgency, "channel": channel,
               "overdue": overdue, "escalated": escalated}  # fmt: skip
    demands = inbox(user, org=org, **filters)
    tiles = tile_counts(user, org=org)
    hits = search_hits(demands, query) if query else None
    if query and hits is None:  # one character: no bigram to walk, a plain filter
        demands = inbox(user, org=org, query=query, **filters)
    if hits is not None:  # newest first, counted up to a cap
        paginator = Paginator(hits[:SEARCH_COUNT_CAP], per_page)
    else:
        paginator = Paginator(demands.values_list("pk", flat=True), per_page)
    default_view = status == "open" and not (category or urgency or channel or overdue
                                             or escalated or query)  # fmt: skip
    if default_view:
        paginator.count = tiles["open"]  # the same count, already taken for the tile
    page = paginator.get_page(page_number)
    ids = None
    if default_view:
        ids = open_queue_ids(user, org=org, offset=max(page.start_index() - 1, 0), limit=per_page)
    page.object_list = inbox_rows(user, list(page.object_list) if ids is None else ids)
    return InboxPage(page, tiles, hits is not None and len(hits) > SEARCH_COUNT_CAP)


# Postings looked up per query: enough to make the candidates few, few enough to stay cheap.
MAX_QUERY_TERMS = 4


def search_terms(text: str) -> set[str]:
    """The distinct character bigrams of normalised text, the keys of the `DemandTerm` index."""
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _postings(terms) -> dict[str, int]:
    return dict(
        DemandTerm.objects.filter(term__in=terms).order_by().values("term")
        .annotate(n=Count("demand_id")).values_list("term", "n")
    )  # fmt: skip


def search_q(needle: str) -> Q:
    """Demands whose search text contains `needle` (already normalised): candidates from the
    bigram index, then the exact substring check when the needle is longer than one bigram."""
    terms = search_terms(needle)
    if not terms:  # one character: no bigram to look up
        return Q(search_text__contains=needle)
    postings = _postings(terms)
    q = Q()
    # The rarest bigrams narrow best.
    for term in sorted(terms, key=lambda t: (postings.get(t, 0), t))[:MAX_QUERY_TERMS]:
        q &= Q(pk__in=DemandTerm.objects.filter(term=term).values("demand_id"))
    if len(needle) > 2:
        q &= Q(search_text__contains=needle)
    return q


# Searches count their hits up to this many ("200+", eight pages): counting every demand that
# mentions 工资 in a province would cost more than the page.
SEARCH_COUNT_CAP = 200
WALK_BATCH = 1000


def search_hits(demands, query: str, *, cap: int = SEARCH_COUNT_CAP) -> list[int] | None:
    """Ids of `demands` (an `inbox()` queryset *without* the query) whose text contains
    `query`, newest first, at most `cap` + 1 of them; a demand code typed in comes first.

    Walks the rarest bigram's postings from the newest demand in batches and checks each batch
    with one query, so a common word costs a page or two of postings, not all of them (the
    database's own plan collects and sorts every match). None when the needle has no bigram."""
    needle = normalise_for_search(query)
    terms = search_terms(needle)
    if not terms:
        return None
    hits = list(demands.filter(code=query.strip().upper()).values_list("pk", flat=True)[:1])
    postings = _postings(terms) if len(terms) > 1 else {}
    rarest = min(terms, key=lambda t: (postings.get(t, 0), t))
    # The rarest bigram's postings are exactly the texts containing it; a longer needle is
    # checked as a substring on the batch's rows.
    matching = demands.filter(search_text__contains=needle) if len(needle) > 2 else demands
    below = None
    while len(hits) <= cap:
        postings = DemandTerm.objects.filter(term=rarest).order_by("-demand_id")
        if below is not None:
            postings = postings.filter(demand_id__lt=below)
        # The batch stays in the database (a sub-select), not a thousand bound parameters.
        window = postings.values("demand_id")[:WALK_BATCH]
        kept = matching.filter(pk__in=window).order_by("-pk").values_list("pk", flat=True)
        hits.extend(pk for pk in kept if pk not in hits[:1])
        edge = list(postings.values_list("demand_id", flat=True)[WALK_BATCH - 1 : WALK_BATCH])
        if not edge:  # the postings ran out inside this batch
            break
        below = edge[0]
    return hits[: cap + 1]


def index_search_text(demands) -> None:
    """Write the bigram postings of new demands (intake; bulk loaders call it too)."""
    rows = [(d.pk, t) for d in demands for t in search_terms(d.search_text)]
    q = connection.ops.quote_name
    head = f"INSERT INTO {q(DemandTerm._meta.db_table)} ({q('demand_id')}, {q('term')}) VALUES "  # noqa: S608 — our names
    # Plain multi-row INSERTs: a hundred model instances per submission cost more than the write.
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 400):
            chunk = rows[start : start + 400]
            cursor.execute(head + ", ".join(["(%s, %s)"] * len(chunk)),
                           [value for row in chunk for value in row])  # fmt: skip


def open_demand_totals(parent_path: str, prefix_length: int) -> dict[str, int]:
    """Open demands per subtree, for the org-tree page."""
    rows = (
        Demand.objects.filter(subtree_q("org_path", [parent_path]), status__in=OPEN_STATUSES)
        .annotate(prefix=Substr("org_path", 1, prefix_length))
        .order_by()
        .values("prefix")
        .annotate(n=Count("id"))
    )
    return {row["prefix"]: row["n"] for row in rows}


def _scope_roots(user, org: Org | None) -> list[str]:
    """The subtree roots a user sees (within `org` when given), disjoint."""
    paths = scope_paths(user)
    if paths is None:  # superuser
        return [org.path] if org is not None else list(
            Org.objects.filter(depth=1).values_list("path", flat=True))  # fmt: skip
    if org is None:
        return list(paths)
    inside = [p for p in paths if p.startswith(org.path)]
    return inside or ([org.path] if any(org.path.startswith(p) for p in paths) else [])


def tile_counts(user, now=None, org: Org | None = None) -> dict[str, int]:
    """The dashboard tile: open, overdue and escalated demands the user oversees (in one org's
    subtree when `org` is given), from the roll-ups (dashboards.open_figures)."""
    from unionhome.dashboards.services import open_figures

    roots = _scope_roots(user, org)
    if not roots:
        return {"open": 0, "overdue": 0, "escalated": 0}
    return open_figures(roots, now or timezone.now())


def live_tile_counts(user, now=None, org: Org | None = None) -> dict[str, int]:
    """`tile_counts` counted from the demand rows (what the roll-ups must equal; tests)."""
    visible = Demand.objects.visible_to(user).open()
    if org is not None:
        visible = visible.in_subtree(org.path)
    now = now or timezone.now()
    return visible.order_by().aggregate(
        open=Count("org_path"),
        overdue=Count("org_path", filter=Q(status=Status.SUBMITTED, ack_deadline__lt=now)
                      | Q(resolve_deadline__lt=now)),
        escalated=Count("org_path", filter=Q(escalated=True)),
    )  # fmt: skip


# --- Photos (intake, visits; stations and assistance use it too) -----------------------------
@dataclass
class CheckedPhoto:
    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def check_photo(upload) -> CheckedPhoto:
    """Accept a real JPEG/PNG/WebP image by its content, not its name, and re-encode it so that
    metadata (EXIF GPS position, camera serials) never reaches storage."""
    from PIL import Image, UnidentifiedImageError  # only on uploads

    limit = settings.UNIONHOME_PHOTO_MAX_BYTES
    name = getattr(upload, "name", "") or _("照片")
    if upload.size > limit:
        raise ValidationError(
            _("照片“%(name)s”超过%(mb)dMB。") % {"name": name, "mb": limit // (1024 * 1024)},
            code="photo_too_large",
        )
    raw = upload.read()
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(raw))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(
            _("“%(name)s”不是可识别的图片，请上传JPG、PNG或WebP照片。") % {"name": name},
            code="photo_not_image",
        ) from None
    formats = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
               "WEBP": ("image/webp", "webp")}  # fmt: skip
    if image.format not in formats:
        raise ValidationError(
            _("“%(name)s”是%(format)s格式，请上传JPG、PNG或WebP照片。")
            % {"name": name, "format": image.format},
            code="photo_format",
        )
    content_type, extension = formats[image.format]
    clean = image.copy()
    clean.info = {}  # drops EXIF (GPS position), ICC and text chunks
    if image.format == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    out = io.BytesIO()
    clean.save(out, format=image.format)
    return CheckedPhoto(out.getvalue(), content_type, extension, image.width, image.height)


# --- Handling --------------------------------------------------------------------------------
def _event(
    demand: Demand, kind: str, actor=None, *, actor_label: str = "", **fields
) -> DemandEvent:
    return DemandEvent.objects.create(
        demand=demand, kind=kind, actor=actor if actor and actor.is_authenticated else None,
        actor_label=actor_label or (demand.org.name if actor else _("系统")), **fields,
    )  # fmt: skip


def _org_cadres(org: Org, kinds=WORK_ROLES):
    return [r.user for r in Role.objects.filter(org=org, kind__in=kinds).select_related("user")]


def _lock(user, demand: Demand, action: str, expected_version: int | None) -> Demand:
    """Re-read under a row lock, check permission, version and the transition."""
    # of=self: locking the org row too would serialise every write to one union's demands.
    locked = Demand.objects.select_for_update(of=("self",)).select_related("org").get(pk=demand.pk)
    if user is not None and not covers(user, locked.org_path, WORK_ROLES):
        raise Http404(_("没有找到该诉求。"))
    if expected_version is not None and expected_version != locked.version:
        raise ConflictError(
            _(
                "该诉求刚被其他人修改过（您看到的是第%(mine)d版，现在是第%(now)d版）。请刷新后再操作，您的输入不会被保存。"
            )
            % {"mine": expected_version, "now": locked.version},
            code="conflict",
        )
    allowed, _target = TRANSITIONS[action]
    if locked.status not in allowed:
        raise ValidationError(
            _("诉求当前为“%(status)s”，不能执行该操作。") % {"status": locked.get_status_display()},
            code="illegal_transition",
        )
    return locked


def _save(demand: Demand, fields: list[str]) -> None:
    demand.version += 1
    demand.save(update_fields=[*fields, "version", "updated_at"])


def _move_status(demand: Demand, action: str, actor, kind: str, **event) -> DemandEvent:
    target = TRANSITIONS[action][1]
    before = demand.status
    if target is not None:
        demand.status = target
    return _event(demand, kind, actor, from_status=before, to_status=demand.status, **event)


@transaction.atomic
def accept_demand(actor, demand: Demand, *, expected_version: int | None = None) -> Demand:
    """Acknowledge receipt (受理); stops the acknowledge clock."""
    demand = _lock(actor, demand, "accept", expected_version)
    demand.acknowledged_at = timezone.now()
    _move_status(demand, "accept", actor, EventKind.ACCEPTED, message=_("工会已受理您的诉求。"))
    _save(demand, ["status", "acknowledged_at"])
    _tell_worker(demand, _("您的诉求已受理，查询码%(code)s。") % {"code": demand.tracking_code})
    return demand


@transaction.atomic
def assign_demand(
    actor, demand: Demand, assignee, *, expected_version: int | None = None
) -> Demand:
    """Give the demand to a cadre whose roles cover it."""
    demand = _lock(actor, demand, "assign", expected_version)
    if not covers(assignee, demand.org_path, WORK_ROLES):
        raise ValidationError({"assignee": [_("承办人必须是该组织或其上级的工会干部。")]})
    demand.assignee = assignee
    if demand.acknowledged_at is None:
        demand.acknowledged_at = timezone.now()
    _move_status(demand, "assign", actor, EventKind.ASSIGNED,
                 message=_("已安排专人办理。"), detail={"assignee": assignee.pk})  # fmt: skip
    _save(demand, ["status", "assignee", "acknowledged_at"])
    notify_users([assignee], _("请办理诉求 %(code)s") % {"code": demand.code},
                 demand.description[:120], f"/demands/{demand.code}/")  # fmt: skip
    return demand


@transaction.atomic
def log_visit(actor, demand: Demand, *, visited_on: dt.date, place: str, people_met: str,
              notes: str, photos=(), expected_version: int | None = None) -> Visit:  # fmt: skip
    """Record a face-to-face visit (面对面) on the demand's timeline."""
    demand = _lock(actor, demand, "visit", expected_version)
    errors: dict[str, list] = {}
    if visited_on > timezone.localdate():
        errors["visited_on"] = [_("走访日期不能晚于今天。")]
    if visited_on < timezone.localtime(demand.created_at).date() - dt.timedelta(days=1):
        errors["visited_on"] = [_("走访日期不能早于诉求提交日期。")]
    for name, value in (("place", place), ("people_met", people_met), ("notes", notes)):
        if not clean_text(value or ""):
            errors[name] = [_("请填写此项。")]
    checked = []
    for upload in photos:
        try:
            checked.append(check_photo(upload))
        except ValidationError as exc:
            errors.setdefault("photos", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    visit = Visit.objects.create(
        org=demand.org, demand=demand, cadre=actor, visited_on=visited_on,
        place=clean_text(place)[:200], people_met=clean_text(people_met)[:200],
        notes=clean_text(notes)[:DESCRIPTION_MAX],
    )  # fmt: skip
    for photo in checked:
        attachment = Attachment(demand=demand, visit=visit, content_type=photo.content_type,
                                extension=photo.extension, size=len(photo.content),
                                width=photo.width, height=photo.height)  # fmt: skip
        attachment.file.save(f"x.{photo.extension}", ContentFile(photo.content), save=False)
        attachment.save()
    if demand.status == Status.ACCEPTED:
        demand.status = Status.IN_PROGRESS
    _event(demand, EventKind.VISITED, actor, from_status=Status.ACCEPTED, to_status=demand.status,
           message=_("工会干部已于%(date)s面对面走访了解情况。") % {"date": visited_on.isoformat()},
           detail={"visit": visit.pk})  # fmt: skip
    _save(demand, ["status"])
    return visit


@transaction.atomic
def reply_to_worker(actor, demand: Demand, message: str, *,
                    expected_version: int | None = None) -> DemandEvent:  # fmt: skip
    demand = _lock(actor, demand, "reply", expected_version)
    text = clean_text(message or "")
    if not text:
        raise ValidationError({"message": [_("请填写答复内容。")]})
    if len(text) > DESCRIPTION_MAX:
        raise ValidationError({"message": [_("答复最多%(n)d个字。") % {"n": DESCRIPTION_MAX}]})
    event = _event(demand, EventKind.REPLIED, actor, message=text)
    _save(demand, [])
    _tell_worker(
        demand, _("工会答复了您的诉求%(code)s，请凭查询码查看。") % {"code": demand.tracking_code}
    )
    return event


def transfer_targets(actor, demand: Demand):
    """Where a demand may be transferred: any active local or grassroots union in the county
    (or city, when there is no county above) that holds the demand, except its current org."""
    ancestors = [*Org.objects.get_ancestors(demand.org), demand.org]
    anchor = next(
        (o for o in reversed(ancestors) if o.level in (OrgLevel.COUNTY, OrgLevel.CITY)),
        ancestors[0],
    )
    return (
        Org.objects.filter(subtree_q("path", [anchor.path]), is_active=True)
        .exclude(pk=demand.org_id)
        .exclude(level__in=[OrgLevel.BRANCH, OrgLevel.GROUP])
    )


@transaction.atomic
def transfer_demand(actor, demand: Demand, target: Org, reason: str, *,
                    expected_version: int | None = None) -> Demand:  # fmt: skip
    """Hand the demand to another union with a reason; the receiver must accept it anew."""
    demand = _lock(actor, demand, "transfer", expected_version)
    reason = clean_text(reason or "")
    if not reason:
        raise ValidationError({"reason": [_("请说明转办理由。")]})
    if not transfer_targets(actor, demand).filter(pk=target.pk).exists():
        raise ValidationError({"target": [_("只能转给本县（市、区）范围内的其他工会。")]})
    source = demand.org
    now = timezone.now()
    due = deadlines.compute(now, demand.category, demand.urgency, demand.complexity)
    demand.org = target
    demand.assignee = None
    demand.acknowledged_at = None
    demand.ack_deadline = due.acknowledge
    _move_status(demand, "transfer", actor, EventKind.TRANSFERRED, from_org=source, to_org=target,
                 reason=reason, message=_("已转至%(org)s办理。") % {"org": target.name})  # fmt: skip
    _save(demand, ["org", "org_path", "status", "assignee", "acknowledged_at", "ack_deadline"])
    notify_users(_org_cadres(target), _("转办诉求 %(code)s") % {"code": demand.code},
                 reason, f"/demands/{demand.code}/")  # fmt: skip
    return demand


@transaction.atomic
def escalate_demand(actor, demand: Demand, reason: str, *,
                    expected_version: int | None = None) -> Demand:  # fmt: skip
    """Raise the demand to the parent Org, which then owns it (上报上级)."""
    demand = _lock(actor, demand, "escalate", expected_version)
    reason = clean_text(reason or "")
    if not reason:
        raise ValidationError({"reason": [_("请说明上报理由。")]})
    parent = Org.objects.get_parent(demand.org)
    if parent is None:
        raise ValidationError(_("该组织没有上级组织。"))
    source = demand.org
    demand.org = parent
    demand.escalated = True
    _move_status(demand, "escalate", actor, EventKind.ESCALATED, from_org=source, to_org=parent,
                 reason=reason, message=_("已上报%(org)s协调办理。") % {"org": parent.name})  # fmt: skip
    _save(demand, ["org", "org_path", "escalated"])
    notify_users(_org_cadres(parent), _("下级上报诉求 %(code)s") % {"code": demand.code},
                 reason, f"/demands/{demand.code}/")  # fmt: skip
    return demand


@transaction.atomic
def merge_demands(actor, duplicate: Demand, into: Demand, *,
                  expected_version: int | None = None) -> Demand:  # fmt: skip
    """Fold a duplicate into another open demand; both must be the actor's to handle."""
    if duplicate.pk == into.pk:
        raise ValidationError(_("不能把诉求合并到它自己。"))
    duplicate = _lock(actor, duplicate, "merge", expected_version)
    target = Demand.objects.select_for_update().get(pk=into.pk)
    if not covers(actor, target.org_path, WORK_ROLES):
        raise Http404(_("没有找到该诉求。"))
    if target.status not in OPEN_STATUSES or target.merged_into_id:
        raise ValidationError(_("只能合并到办理中的诉求。"))
    duplicate.merged_into = target
    duplicate.closed_at = timezone.now()
    _move_status(duplicate, "merge", actor, EventKind.MERGED,
                 message=_("您的诉求与同类诉求合并办理，结果将一并答复。"),
                 detail={"into": target.code})  # fmt: skip
    _save(duplicate, ["status", "merged_into", "closed_at"])
    _event(target, EventKind.MERGED, actor, public=False,
           message=_("合并了诉求%(code)s。") % {"code": duplicate.code},
           detail={"merged": duplicate.code})  # fmt: skip
    return duplicate


@transaction.atomic
def resolve_demand(actor, demand: Demand, outcome: str, *,
                   expected_version: int | None = None) -> Demand:  # fmt: skip
    """Record the outcome; the worker then has the feedback window to rate it."""
    demand = _lock(actor, demand, "resolve", expected_version)
    outcome = clean_text(outcome or "")
    if len(outcome) < DESCRIPTION_MIN:
        raise ValidationError(
            {"outcome": [_("请写明办理结果，至少%(n)d个字。") % {"n": DESCRIPTION_MIN}]}
        )
    now = timezone.now()
    demand.outcome = outcome[:DESCRIPTION_MAX]
    demand.resolved_at = now
    _move_status(demand, "resolve", actor, EventKind.RESOLVED, message=demand.outcome)
    _save(demand, ["status", "outcome", "resolved_at"])
    for merged in demand.merged_demands.all():
        _event(merged, EventKind.RESOLVED, actor, message=demand.outcome,
               detail={"via": demand.code})  # fmt: skip
    _tell_worker(
        demand, _("您的诉求%(code)s已办结，请凭查询码评价。") % {"code": demand.tracking_code}
    )
    return demand


@transaction.atomic
def close_demand(actor, demand: Demand, reason: str, *,
                 expected_version: int | None = None) -> Demand:  # fmt: skip
    demand = _lock(actor, demand, "close", expected_version)
    reason = clean_text(reason or "")
    if not reason:
        raise ValidationError({"reason": [_("请说明关闭理由。")]})
    demand.closed_at = timezone.now()
    _move_status(demand, "close", actor, EventKind.CLOSED, reason=reason, message=reason)
    _save(demand, ["status", "closed_at"])
    return demand


@transaction.atomic
def reopen_demand(actor, demand: Demand, reason: str, *,
                  expected_version: int | None = None) -> Demand:  # fmt: skip
    demand = _lock(actor, demand, "reopen", expected_version)
    _reopen(demand, actor, clean_text(reason or "") or _("重新办理。"))
    return demand


def _reopen(demand: Demand, actor, reason: str, *, attention: bool = False) -> None:
    now = timezone.now()
    due = deadlines.compute(now, demand.category, demand.urgency, demand.complexity)
    demand.resolve_deadline = due.resolve
    demand.resolved_at = None
    demand.closed_at = None
    if attention:
        demand.escalated = True
    _move_status(demand, "reopen", actor, EventKind.REOPENED, reason=reason,
                 message=_("诉求重新办理。"))  # fmt: skip
    _save(demand, ["status", "resolve_deadline", "resolved_at", "closed_at", "escalated"])
    if attention:
        parent = Org.objects.get_parent(demand.org)
        if parent is not None:
            notify_users(_org_cadres(parent),
                         _("职工不满意，诉求 %(code)s 已重新办理") % {"code": demand.code},
                         reason, f"/demands/{demand.code}/")  # fmt: skip
    notify_users([*_org_cadres(demand.org), demand.assignee],
                 _("诉求 %(code)s 重新办理") % {"code": demand.code}, reason,
                 f"/demands/{demand.code}/")  # fmt: skip


@transaction.atomic
def rate_demand(tracking_code: str, *, rating: int, solved: bool, comment: str = "") -> Demand:
    """The worker rates the resolution 1–5. A rating of 2 or less, or "not solved", within the
    feedback window reopens the demand and draws the parent Org's attention (督办)."""
    demand = get_demand_by_tracking_code(tracking_code)
    demand = Demand.objects.select_for_update().select_related("org").get(pk=demand.pk)
    if demand.status != Status.RESOLVED:
        raise ValidationError(_("诉求办结后才能评价。"), code="illegal_transition")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": [_("请给出1到5星的评价。")]})
    window = dt.timedelta(days=settings.UNIONHOME_FEEDBACK_WINDOW_DAYS)
    now = timezone.now()
    if demand.resolved_at and now > demand.resolved_at + window:
        raise ValidationError(_("评价期已过。"), code="window_closed")
    comment = clean_text(comment or "")[:1000]
    demand.rating = rating
    demand.rating_comment = comment
    demand.rated_at = now
    _event(demand, EventKind.RATED, None, actor_label=str(_("职工")),
           message=_("评价：%(stars)d星，%(solved)s。%(comment)s")
           % {"stars": rating, "solved": _("问题已解决") if solved else _("问题未解决"),
              "comment": comment},
           detail={"rating": rating, "solved": solved})  # fmt: skip
    if rating <= 2 or not solved:
        demand.save(update_fields=["rating", "rating_comment", "rated_at"])
        _reopen(demand, None, _("职工评价不满意或问题未解决。"), attention=True)
    else:
        demand.closed_at = now
        demand.follow_up_due = now + dt.timedelta(days=settings.UNIONHOME_FOLLOW_UP_DAYS)
        before = demand.status
        demand.status = Status.CLOSED
        _event(demand, EventKind.CLOSED, None, from_status=before, to_status=Status.CLOSED,
               message=_("职工确认问题已解决，诉求关闭。"))  # fmt: skip
        _save(demand, ["status", "rating", "rating_comment", "rated_at", "closed_at",
                       "follow_up_due"])  # fmt: skip
    return demand


@transaction.atomic
def answer_follow_up(tracking_code: str, *, still_solved: bool, comment: str = "") -> Demand:
    """The "is it still solved?" question some weeks after closing; "no" reopens the demand."""
    demand = get_demand_by_tracking_code(tracking_code)
    demand = Demand.objects.select_for_update().select_related("org").get(pk=demand.pk)
    if demand.status != Status.CLOSED or demand.follow_up_due is None:
        raise ValidationError(_("该诉求没有待回答的回访。"))
    comment = clean_text(comment or "")[:1000]
    demand.follow_up_due = None
    _event(demand, EventKind.FOLLOWED_UP, None, actor_label=str(_("职工")),
           message=(_("回访：问题没有再出现。") if still_solved else _("回访：问题又出现了。")) + comment,
           detail={"still_solved": still_solved})  # fmt: skip
    if still_solved:
        _save(demand, ["follow_up_due"])
    else:
        demand.save(update_fields=["follow_up_due"])
        _reopen(demand, None, _("回访时职工反映问题又出现了。"), attention=True)
    return demand


def _tell_worker(demand: Demand, text: str) -> None:
    if not demand.anonymous and demand.contact_phone:
        send_sms(demand.contact_phone, text)


# --- Sweeps (tasks) --------------------------------------------------------------------------
@dataclass
class SweepResult:
    escalated: int = 0
    reminded: int = 0
    closed: int = 0
    follow_ups: int = 0


def sweep(now: dt.datetime | None = None) -> SweepResult:
    """Escalate overdue demands to the parent Org (once), remind assignees, close unrated
    resolutions after the feedback window. Idempotent: running it twice changes nothing more."""
    now = now or timezone.now()
    result = SweepResult()
    overdue = Demand.objects.overdue(now).filter(escalated=False).values_list("pk", flat=True)
    for pk in list(overdue):
        with transaction.atomic():
            demand = Demand.objects.select_for_update().select_related("org").get(pk=pk)
            if demand.escalated or not demand.is_overdue(now):
                continue
            parent = Org.objects.get_parent(demand.org)
            if parent is None:
                continue
            source = demand.org
            demand.org = parent
            demand.escalated = True
            _event(demand, EventKind.ESCALATED, None, from_org=source, to_org=parent,
                   from_status=demand.status, to_status=demand.status,
                   reason=_("超过办理时限，系统自动上报。"),
                   message=_("已上报%(org)s督办。") % {"org": parent.name})  # fmt: skip
            _save(demand, ["org", "org_path", "escalated"])
            notify_users([*_org_cadres(parent), demand.assignee],
                         _("诉求 %(code)s 已超期") % {"code": demand.code},
                         demand.description[:120], f"/demands/{demand.code}/")  # fmt: skip
            result.escalated += 1
    window = dt.timedelta(days=settings.UNIONHOME_FEEDBACK_WINDOW_DAYS)
    unrated = Demand.objects.filter(status=Status.RESOLVED, rated_at__isnull=True,
                                    resolved_at__lt=now - window).values_list("pk", flat=True)  # fmt: skip
    for pk in list(unrated):
        with transaction.atomic():
            demand = Demand.objects.select_for_update().select_related("org").get(pk=pk)
            if demand.status != Status.RESOLVED:
                continue
            demand.status = Status.CLOSED
            demand.closed_at = now
            demand.follow_up_due = now + dt.timedelta(days=settings.UNIONHOME_FOLLOW_UP_DAYS)
            _event(demand, EventKind.CLOSED, None, from_status=Status.RESOLVED,
                   to_status=Status.CLOSED, message=_("评价期内未评价，诉求自动关闭。"))  # fmt: skip
            _save(demand, ["status", "closed_at", "follow_up_due"])
            result.closed += 1
    due_soon = Demand.objects.open().filter(
        assignee__isnull=False, resolve_deadline__gt=now,
        resolve_deadline__lte=now + dt.timedelta(days=1),
    ).select_related("assignee", "org")  # fmt: skip
    for demand in due_soon:
        marker = {"reminder_for": demand.resolve_deadline.isoformat()}
        if demand.events.filter(
            kind=EventKind.REMINDED, detail__reminder_for=marker["reminder_for"]
        ).exists():
            continue
        with transaction.atomic():
            _event(demand, EventKind.REMINDED, None, public=False, detail=marker,
                   message=_("办结时限将至，已提醒承办人。"))  # fmt: skip
            notify_users([demand.assignee], _("诉求 %(code)s 将在24小时内到期") % {"code": demand.code},
                         demand.description[:120], f"/demands/{demand.code}/")  # fmt: skip
        result.reminded += 1
    asks = Demand.objects.filter(status=Status.CLOSED, follow_up_due__lte=now, anonymous=False)
    for demand in asks.exclude(contact_phone_index="").select_related("org"):
        marker = {"follow_up_for": demand.follow_up_due.isoformat()}
        if demand.events.filter(
            kind=EventKind.REMINDED, detail__follow_up_for=marker["follow_up_for"]
        ).exists():
            continue
        with transaction.atomic():
            _event(demand, EventKind.REMINDED, None, public=False, detail=marker,
                   message=_("已向职工发送回访询问。"))  # fmt: skip
            _tell_worker(demand, _("您反映的问题（查询码%(code)s）现在还好吗？请凭查询码回复。")
                         % {"code": demand.tracking_code})  # fmt: skip
        result.follow_ups += 1
    audit_sweep(result)
    return result


def audit_sweep(result: SweepResult) -> None:
    if result.escalated or result.closed:
        from unionhome.core.models import AuditEvent

        AuditEvent.objects.create(action="demands.sweep", target_type="demands.demand",
                                  target_code="*", detail=result.__dict__)  # fmt: skip


def record_reveal(actor, demand: Demand, ip_address: str | None = None) -> None:
    """A cadre asked to see the worker's phone: allowed for handlers, and audited."""
    audit.record(actor, "demand.reveal_contact", demand, ip_address=ip_address)
