"""Digest use cases: build from a subtree's demands, edit while draft, publish upward, version.

Every write runs in one transaction, takes the acting user and checks their role on the digest's
org. Free text is stored only after `unionhome.text.pii.mask`: a digest never holds a phone, an ID
number or a cued name, whoever typed it where.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionhome.core import audit
from unionhome.core.jobs import NullProgress, Progress, start_job
from unionhome.core.models import Job, Role, RoleKind
from unionhome.core.notify import notify_users
from unionhome.core.permissions import covers, require
from unionhome.core.scoping import subtree_q
from unionhome.demands.models import Demand
from unionhome.orgs.models import Org, OrgKind, OrgLevel
from unionhome.text.categories import DemandCategory
from unionhome.text.normalise import clean_text
from unionhome.text.pii import mask

from . import ranking
from .models import Digest, DigestCase, DigestCluster, DigestStatus

MANAGE_ROLES = (RoleKind.CADRE, RoleKind.LEADER, RoleKind.ADMIN)
MAX_PERIOD_DAYS = 366
STEPLEN = Org.steplen
BUILD_JOB = "digests.build"


def max_clusters() -> int:
    return int(getattr(settings, "UNIONHOME_DIGEST_MAX_CLUSTERS", 20))


def max_cases() -> int:
    return int(getattr(settings, "UNIONHOME_DIGEST_MAX_CASES", 5))


def inline_limit() -> int:
    """Above this many demands (both periods) a build runs as a background job with progress."""
    return int(getattr(settings, "UNIONHOME_DIGEST_INLINE_LIMIT", 3000))


CANDIDATES = 30


# --- Periods ---------------------------------------------------------------------------------
def last_month(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, day after end 00:00) in the local time zone."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The equal-length period right before (a calendar month compares with the month before)."""
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        prev_end = start - dt.timedelta(days=1)
        y, m = prev_end.year, prev_end.month - months + 1
        while m < 1:
            y, m = y - 1, m + 12
        return dt.date(y, m, 1), prev_end
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - dt.timedelta(days=1)


def default_title(org: Org, start: dt.date, end: dt.date) -> str:
    name = org.short_name or org.name
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1 and start.month == end.month:
        period = _("%(y)d年%(m)d月") % {"y": start.year, "m": start.month}
    else:
        period = _("%(start)s至%(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
    return _("%(org)s%(period)s职工诉求打包反映") % {"org": name, "period": period}


# --- Access ----------------------------------------------------------------------------------
def digest_orgs(user):
    """Orgs the user may build a digest for: their subtree, down to grassroots unions."""
    return (
        Org.objects.visible_to(user, MANAGE_ROLES)
        .filter(is_active=True)
        .exclude(level__in=[OrgLevel.BRANCH, OrgLevel.GROUP])
    )


def _role_org_ids(user) -> list[int]:
    return list(
        Role.objects.filter(user=user, org__is_active=True).values_list("org_id", flat=True)
    )


def visible_digests(user):
    """Digests of the user's subtree that are published (reported upward) or their own union's
    drafts; another union's drafts stay private to it."""
    digests = Digest.objects.visible_to(user)
    if getattr(user, "is_superuser", False):
        return digests
    return digests.filter(
        Q(status=DigestStatus.PUBLISHED) | Q(created_by=user) | Q(org_id__in=_role_org_ids(user))
    )


def can_edit(user, digest: Digest) -> bool:
    return digest.is_draft and covers(user, digest.org_path, MANAGE_ROLES)


def get_digest_for_user(user, code: str, *, write: bool = False) -> Digest:
    """The digest if the user may see it; 404 alike for missing and not yours. With `write`, a
    published digest is refused (it is frozen) and a read-only role gets 403."""
    digest = visible_digests(user).filter(code=code).select_related("org").first()
    if digest is None:
        raise Http404(_("没有找到该打包反映。"))
    if write:
        if not covers(user, digest.org_path, MANAGE_ROLES):
            raise PermissionDenied(_("您对该打包反映只有查看权限。"))
        if not digest.is_draft:
            raise ValidationError(_("已发布的打包反映不能修改；可以基于它新建一个版本。"))
    return digest


def get_cluster(digest: Digest, cluster_id: int) -> DigestCluster:
    cluster = digest.clusters.filter(pk=cluster_id).first()
    if cluster is None:
        raise Http404(_("没有找到该问题类别。"))
    return cluster


# --- Building --------------------------------------------------------------------------------
def _validate_period(start: dt.date, end: dt.date) -> None:
    if start is None or end is None:
        raise ValidationError(_("请填写开始和结束日期。"))
    if end < start:
        raise ValidationError({"period_end": _("结束日期不能早于开始日期。")})
    if end > timezone.localdate():
        raise ValidationError({"period_end": _("结束日期不能晚于今天。")})
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ValidationError({"period_end": _("期间最长一年。")})


def _subtree_demands(user, org_path: str):
    return Demand.objects.visible_to(user).in_subtree(org_path)


@transaction.atomic
def create_digest(
    user, *, org: Org, period_start: dt.date, period_end: dt.date, title: str = ""
) -> tuple[Digest, Job | None]:
    """Start a draft for a subtree the user works in and build it: inline when small, else as a
    background job (returned) whose page shows progress."""
    require(user, org.path, MANAGE_ROLES, _("您不能为该组织编制打包反映。"))
    _validate_period(period_start, period_end)
    title = mask(clean_text(title or ""))[:200] or default_title(org, period_start, period_end)
    digest = Digest.objects.create(
        org=org, title=title, period_start=period_start, period_end=period_end, created_by=user
    )
    audit.record(user, "digest.create", digest,
                 detail={"start": period_start.isoformat(), "end": period_end.isoformat()})  # fmt: skip
    prev_start, _prev_end = previous_period(period_start, period_end)
    lo, _x = period_bounds(prev_start, prev_start)
    _y, hi = period_bounds(period_end, period_end)
    size = _subtree_demands(user, org.path).filter(created_at__gte=lo, created_at__lt=hi).count()
    if size > inline_limit():
        job = start_job(user, BUILD_JOB, _("生成打包反映：%s") % title, org=org,
                        params={"digest": digest.code})  # fmt: skip
        return digest, job
    build_digest(digest, user)
    return digest, None


def run_build_job(job: Job, progress: Progress) -> dict:
    digest = Digest.objects.select_related("org").get(code=job.params["digest"])
    build_digest(digest, job.owner, progress)
    return {"digest": digest.code, "clusters": digest.clusters.count(),
            "url": reverse("digests:detail", args=[digest.code])}  # fmt: skip


@transaction.atomic
def rebuild_digest(user, digest: Digest) -> Digest:
    """Recompute a draft from the current demands (edits to its clusters are replaced)."""
    digest = get_digest_for_user(user, digest.code, write=True)
    build_digest(digest, user)
    audit.record(user, "digest.rebuild", digest)
    return digest


def _known_employers(org_path: str) -> list[str]:
    rows = (
        Org.objects.filter(subtree_q("path", [org_path]), kind=OrgKind.ENTERPRISE,
                           level=OrgLevel.GRASSROOTS, is_active=True)
        .order_by()
        .values_list("employer_name", "name")
    )  # fmt: skip
    return sorted({employer or name for employer, name in rows})


DEMAND_FIELDS = (
    "id", "code", "description", "employer_name", "employer_org__employer_name",
    "employer_org__name", "org_path", "category", "urgency", "status", "escalated",
    "resolve_deadline", "resolved_at", "contact_phone_index", "created_at",
)  # fmt: skip


def _facts(row: dict) -> ranking.DemandFacts:
    return ranking.DemandFacts(
        id=row["id"], category=row["category"], urgency=row["urgency"], status=row["status"],
        escalated=row["escalated"], resolve_deadline=row["resolve_deadline"],
        resolved_at=row["resolved_at"], worker_key=row["contact_phone_index"],
    )  # fmt: skip


def _employer_of(row: dict) -> str:
    return row["employer_org__employer_name"] or row["employer_org__name"] or row["employer_name"]


def _top(counter: Counter, n: int = 5) -> list[dict]:
    return [{"name": name, "count": count} for name, count in counter.most_common(n) if name]


def safe_keywords(keywords, texts: list[str], limit: int = 8, sample: int = 200) -> list[str]:
    """Keywords that survive masking: a word found in the members' text only inside a masked
    span (a name without a cue elsewhere, digits of a phone) is personal data and is dropped."""
    raw = texts[:sample]
    masked = [mask(t) for t in raw]
    kept = []
    for word in keywords:
        word = mask(str(word))
        if "*" in word or not word:
            continue
        if any(word in t for t in raw) and not any(word in t for t in masked):
            continue
        kept.append(word)
    return kept[:limit]


def cluster_title(keywords: list[str], employers: list[dict], size: int, category: str) -> str:
    """Default title: the dominant employer (if it holds at least half) and the top keywords."""
    words = "、".join(keywords[:3])
    if not words:
        words = str(dict(DemandCategory.choices).get(category, _("其他")))
    if employers and employers[0]["count"] * 2 >= size:
        return mask(f"{employers[0]['name']}：{words}")[:200]
    return mask(words)[:200]


def build_digest(digest: Digest, user, progress: Progress | None = None) -> Digest:
    """Cluster the subtree's demands of the period and of the previous equal-length period
    together, keep the topics present in the period, and rank them (`digests.ranking`)."""
    from unionhome.text.cluster import Item, cluster_items

    progress = progress or NullProgress()
    now = timezone.now()
    start, end = period_bounds(digest.period_start, digest.period_end)
    prev_start_date, _prev_end = previous_period(digest.period_start, digest.period_end)
    prev_start, _x = period_bounds(prev_start_date, prev_start_date)
    progress.phase(_("读取诉求"), 1)
    rows = list(
        _subtree_demands(user, digest.org_path)
        .filter(created_at__gte=prev_start, created_at__lt=end)
        .order_by("created_at", "id")
        .values(*DEMAND_FIELDS)
    )
    progress.advance()
    by_id = {str(row["id"]): row for row in rows}
    current = {key for key, row in by_id.items() if row["created_at"] >= start}
    progress.phase(_("聚类分析"), 1)

    def on_step(done: int, total: int) -> None:
        if progress.total != total:
            progress.phase(_("聚类分析"), total)
        progress.advance(done - progress.done)

    items = [Item(id=key, text=row["description"], employer=_employer_of(row) or "")
             for key, row in by_id.items()]  # fmt: skip
    result = cluster_items(items, known_employers=_known_employers(digest.org_path), seed=0,
                           progress=on_step)  # fmt: skip

    progress.phase(_("统计与排序"), len(result.topics))
    org_names = _region_names(digest.org_path, [row["org_path"] for row in rows])
    drafts: list[tuple[DigestCluster, list[int]]] = []
    for topic in result.topics:
        progress.advance()
        members = [m for m in topic.member_ids if m in by_id]
        now_members = [m for m in members if m in current]
        if not now_members:
            continue
        facts = [_facts(by_id[m]) for m in now_members]
        groups = {result.duplicate_group.get(m) or f"solo:{m}" for m in now_members}
        figs = ranking.figures(facts, len(members) - len(now_members), len(groups), now)
        employers = Counter(
            mask(result.employer.get(m) or _employer_of(by_id[m]) or "") for m in now_members
        )
        regions = Counter(org_names.get(_region_path(digest.org_path, by_id[m]["org_path"]), "")
                          for m in now_members)  # fmt: skip
        rep = topic.representative_id if topic.representative_id in current else now_members[0]
        ordered = [rep] + [m for m in now_members if m != rep]
        keywords = safe_keywords(topic.keywords, [by_id[m]["description"] for m in ordered])
        top_employers = _top(employers)
        cluster = DigestCluster(
            digest=digest, rank=0,
            title=cluster_title(keywords, top_employers, figs.size,
                                figs.categories[0]["code"] if figs.categories else ""),
            size=figs.size, previous_size=figs.previous_size,
            distinct_workers=figs.distinct_workers, duplicate_groups=figs.duplicate_groups,
            urgency=figs.urgency, growth=figs.growth, score=figs.score,
            share_resolved=figs.share_resolved, keywords=keywords, employers=top_employers,
            regions=_top(regions), categories=figs.categories,
            representative_text=mask(by_id[rep]["description"]),
            representative_id=by_id[rep]["id"],
            candidate_ids=[by_id[m]["id"] for m in ordered[:CANDIDATES]],
        )  # fmt: skip
        drafts.append((cluster, []))
    drafts.sort(key=lambda d: (-d[0].score, -d[0].size, d[0].title))
    with transaction.atomic():
        digest.clusters.all().delete()
        kept = [c for c, _ids in drafts[: max_clusters()]]
        for rank, cluster in enumerate(kept, start=1):
            cluster.rank = rank
        DigestCluster.objects.bulk_create(kept)
        digest.demand_count = len(current)
        digest.previous_count = len(rows) - len(current)
        digest.built_at = timezone.now()
        digest.save(update_fields=["demand_count", "previous_count", "built_at"])
    return digest


def _region_path(root_path: str, org_path: str) -> str:
    """The child of the digest's org that a demand falls under (itself when at the root)."""
    return org_path[: len(root_path) + STEPLEN] if len(org_path) > len(root_path) else root_path


def _region_names(root_path: str, paths: list[str]) -> dict[str, str]:
    wanted = {_region_path(root_path, p) for p in paths}
    return {
        path: short or name
        for path, short, name in Org.objects.filter(path__in=wanted)
        .order_by()
        .values_list("path", "short_name", "name")
    }


# --- Editing (drafts only) -------------------------------------------------------------------
def _locked(user, digest: Digest) -> Digest:
    get_digest_for_user(user, digest.code, write=True)  # scope, role and draft checks
    locked = Digest.objects.select_for_update().get(pk=digest.pk)
    if not locked.is_draft:  # published between the check and the lock
        raise ValidationError(_("已发布的打包反映不能修改；可以基于它新建一个版本。"))
    return locked


def _text(value: str, limit: int | None = None) -> str:
    text = mask(clean_text(value or ""))
    return text[:limit] if limit else text


@transaction.atomic
def update_digest(user, digest: Digest, *, title: str, narrative: str) -> Digest:
    """Title and narrative of a draft, masked before they are stored."""
    digest = _locked(user, digest)
    digest.title = _text(title, 200)
    if not digest.title:
        raise ValidationError({"title": _("请填写标题。")})
    digest.narrative = _text(narrative)
    digest.save(update_fields=["title", "narrative"])
    return digest


@transaction.atomic
def update_cluster(user, cluster: DigestCluster, *, title: str, summary: str) -> DigestCluster:
    """A cluster's title and explanation, masked before they are stored."""
    _locked(user, cluster.digest)
    cluster.title = _text(title, 200)
    if not cluster.title:
        raise ValidationError({"title": _("请填写标题。")})
    cluster.summary = _text(summary)
    cluster.save(update_fields=["title", "summary"])
    return cluster


def _renumber(digest: Digest, ordered: list[DigestCluster]) -> None:
    for rank, cluster in enumerate(ordered, start=1):
        if cluster.rank != rank:
            cluster.rank = rank
            cluster.save(update_fields=["rank"])


@transaction.atomic
def move_cluster(user, cluster: DigestCluster, offset: int) -> None:
    """Move a cluster up (−1) or down (+1) in the ranking of a draft."""
    digest = _locked(user, cluster.digest)
    ordered = list(digest.clusters.order_by("rank", "id"))
    index = next(i for i, c in enumerate(ordered) if c.pk == cluster.pk)
    target = index + (1 if offset > 0 else -1)
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(digest, ordered)


@transaction.atomic
def remove_cluster(user, cluster: DigestCluster) -> None:
    """Drop a cluster from a draft; the others close ranks."""
    digest = _locked(user, cluster.digest)
    cluster.delete()
    _renumber(digest, list(digest.clusters.order_by("rank", "id")))


def case_candidates(user, clusters: list[DigestCluster]) -> dict[int, list[dict]]:
    """Per cluster, the demands the cadre may attach (its own sample), as masked text; one
    query for all clusters (their cases should be prefetched)."""
    wanted = {i for cluster in clusters for i in cluster.candidate_ids}
    rows = (
        Demand.objects.visible_to(user)
        .filter(pk__in=wanted)
        .values("id", "code", "category", "description")
    )
    by_id = {row["id"]: row for row in rows}
    result = {}
    for cluster in clusters:
        chosen = {case.demand_id for case in cluster.cases.all()}
        result[cluster.pk] = [
            {"id": i, "code": by_id[i]["code"], "text": mask(by_id[i]["description"]),
             "category": by_id[i]["category"], "chosen": i in chosen}
            for i in cluster.candidate_ids if i in by_id
        ]  # fmt: skip
    return result


@transaction.atomic
def attach_cases(user, cluster: DigestCluster, demand_ids: list[int]) -> list[DigestCase]:
    """Replace a cluster's attached cases: at most N, from its own members, stored masked."""
    _locked(user, cluster.digest)
    ids = list(dict.fromkeys(int(i) for i in demand_ids))
    if len(ids) > max_cases():
        raise ValidationError(_("每个问题最多附%(n)d个典型案例。") % {"n": max_cases()})
    if not set(ids) <= set(cluster.candidate_ids):
        raise ValidationError(_("只能附该问题类别中的诉求。"))
    rows = {
        row["id"]: row
        for row in Demand.objects.visible_to(user)
        .filter(pk__in=ids)
        .values("id", "category", "description")
    }
    if set(rows) != set(ids):
        raise ValidationError(_("只能附您有权查看的诉求。"))
    cluster.cases.all().delete()
    return DigestCase.objects.bulk_create([
        DigestCase(cluster=cluster, demand_id=i, position=n, category=rows[i]["category"],
                   text=mask(rows[i]["description"]))
        for n, i in enumerate(ids)
    ])  # fmt: skip


@transaction.atomic
def publish_digest(user, digest: Digest) -> Digest:
    """Freeze a built draft and report it upward: the parent union's cadres are notified and
    see it in their list."""
    digest = _locked(user, digest)
    if not digest.is_built:
        raise ValidationError(_("打包反映还在生成中，完成后才能发布。"))
    digest.status = DigestStatus.PUBLISHED
    digest.published_at = timezone.now()
    digest.published_by = user
    digest.save(update_fields=["status", "published_at", "published_by"])
    audit.record(user, "digest.publish", digest)
    parent = Org.objects.filter(path=digest.org_path[:-STEPLEN]).first() if (
        len(digest.org_path) > STEPLEN) else None  # fmt: skip
    if parent is not None:
        cadres = [r.user for r in Role.objects.filter(org=parent, kind__in=MANAGE_ROLES)
                  .select_related("user")]  # fmt: skip
        notify_users(cadres, _("收到打包反映：%s") % digest.title,
                     _("%(org)s已发布。") % {"org": digest.org.name},
                     reverse("digests:detail", args=[digest.code]))  # fmt: skip
    return digest


@transaction.atomic
def start_new_version(user, digest: Digest) -> Digest:
    """A draft copy of a published digest (figures, titles, cases), to correct and re-publish."""
    source = get_digest_for_user(user, digest.code)
    require(user, source.org_path, MANAGE_ROLES)
    if source.is_draft:
        raise ValidationError(_("草稿可以直接修改。"))
    copy = Digest.objects.create(
        org=source.org, title=source.title, period_start=source.period_start,
        period_end=source.period_end, narrative=source.narrative,
        demand_count=source.demand_count, previous_count=source.previous_count,
        built_at=source.built_at, version=source.version + 1, based_on=source, created_by=user,
    )  # fmt: skip
    for cluster in source.clusters.prefetch_related("cases"):
        cases = list(cluster.cases.all())
        cluster.pk, cluster.digest = None, copy
        cluster.save()
        for case in cases:
            case.pk, case.cluster = None, cluster
            case.save()
    audit.record(user, "digest.new_version", copy, detail={"based_on": source.code})
    return copy


def record_export(user, digest: Digest, fmt: str) -> None:
    audit.record(user, "digest.export", digest, detail={"format": fmt})
