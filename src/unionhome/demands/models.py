"""Worker demands (诉求): what a worker asked, where it was routed, and everything that happened.

History is data: every change of status, owner or org is a `DemandEvent` row that is never
edited. Deadlines are data too: "overdue" is `deadline < now`, whatever jobs have or have not run.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionhome.core.codes import new_code
from unionhome.core.fields import EncryptedTextField
from unionhome.core.masking import mask_name, mask_phone
from unionhome.core.models import AppendOnlyModel, AppendOnlyQuerySetMixin
from unionhome.core.scoping import OrgScopedModel, ScopedQuerySet
from unionhome.text.categories import DemandCategory

DESCRIPTION_MAX = 5000


def new_tracking_code() -> str:
    """60 random bits in three groups (e.g. 7KQ2-M9XA-4TRD): the worker's only key to the case."""
    return new_code(12, 4)


class Urgency(models.TextChoices):
    URGENT = "urgent", _("急")
    HIGH = "high", _("较急")
    NORMAL = "normal", _("一般")


class Complexity(models.TextChoices):
    """The 12351 hotline's three tiers."""

    GENERAL = "general", _("一般")
    DIFFICULT = "difficult", _("疑难")
    SPECIAL = "special", _("特别复杂")


class Channel(models.TextChoices):
    WEB = "web", _("职工自助")
    HOTLINE = "hotline", _("12351热线")
    API = "api", _("接口")
    OPEN311 = "open311", _("Open311")
    VISIT = "visit", _("走访收集")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已关闭")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS)
FINAL_STATUSES = (Status.CLOSED, Status.MERGED)


class DemandQuerySet(ScopedQuerySet):
    def open(self):
        # Written into the SQL so that SQLite can use the open-only partial indexes.
        return self.filter(status__in_literal=OPEN_STATUSES)

    def overdue(self, now=None):
        """Open and past a deadline: unacknowledged past the acknowledge deadline, or unresolved
        past the resolve deadline. Computed from the data alone."""
        now = now or timezone.now()
        return self.filter(
            Q(status=Status.SUBMITTED, ack_deadline__lt=now)
            | Q(status__in=OPEN_STATUSES, resolve_deadline__lt=now)
        )


class Demand(OrgScopedModel):
    code = models.CharField(_("编号"), max_length=16, unique=True, default=new_code, editable=False)
    tracking_code = models.CharField(
        _("查询码"), max_length=16, unique=True, default=new_tracking_code, editable=False
    )
    category = models.CharField(_("类别"), max_length=32, choices=DemandCategory.choices)
    suggested_category = models.CharField(
        _("系统建议类别"), max_length=32, choices=DemandCategory.choices, blank=True
    )
    urgency = models.CharField(
        _("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    complexity = models.CharField(
        _("复杂程度"), max_length=16, choices=Complexity.choices, default=Complexity.GENERAL
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    description = models.TextField(_("诉求内容"), validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    # Simplified, half-width, lower-case: what inbox search and duplicate checks match on.
    search_text = models.TextField(blank=True, editable=False)
    employer_name = models.CharField(_("所在单位"), max_length=160, blank=True)
    employer_org = models.ForeignKey(
        "orgs.Org",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所在单位工会"),
    )
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    address = models.CharField(_("地点"), max_length=200, blank=True)
    # WGS-84, when a channel gives coordinates (Open311 clients, the phone's location).
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    anonymous = models.BooleanField(_("匿名"), default=False)
    # Identity: empty for anonymous demands (enforced by a constraint below).
    contact_name = EncryptedTextField(_("联系人"), blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True)
    contact_phone_index = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交账号"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代录人"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_demands",
        verbose_name=_("承办人"),
    )
    escalated = models.BooleanField(_("已上报上级"), default=False)
    ack_deadline = models.DateTimeField(_("受理时限"))
    resolve_deadline = models.DateTimeField(_("办结时限"), db_index=True)
    acknowledged_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    outcome = models.TextField(_("办理结果"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("满意度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("评价"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_demands",
        verbose_name=_("合并到"),
    )
    possible_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("疑似重复"),
    )
    follow_up_due = models.DateTimeField(_("回访时间"), null=True, blank=True)
    # Optimistic concurrency: every write bumps it; a write based on an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DemandQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["org_path", "status"], name="demand_scope_status"),
            models.Index(fields=["employer_org", "created_at"], name="demand_employer_recent"),
            # Intake's duplicate check for employers that are not (yet) an Org.
            models.Index(
                fields=["employer_name", "created_at"], name="demand_employer_name_recent"
            ),
            # The inbox tiles' overdue figure reads the last hour's unacknowledged deadlines.
            models.Index(
                fields=["ack_deadline"],
                name="demand_unacked_due",
                condition=Q(status__in=[Status.SUBMITTED]),
            ),
            # The early-warning check after each submission counts one category's recent weeks.
            models.Index(
                fields=["category", "created_at", "org_path", "status"],
                name="demand_category_recent",
            ),
            # The inbox's order: walked from the start and stopped after a page, never sorted.
            models.Index(fields=["resolve_deadline", "-created_at"], name="demand_queue_order"),
            models.Index(
                fields=["resolve_deadline", "-created_at", "org_path"],
                name="demand_open_queue",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # The inbox tiles (open, overdue, escalated) counted from the index alone.
            models.Index(
                fields=["org_path", "status", "resolve_deadline", "ack_deadline", "escalated"],
                name="demand_open_tiles",
                condition=Q(status__in=OPEN_STATUSES),
            ),
        ]
        constraints = [
            # Anonymity is structural: an anonymous demand cannot hold any identity.
            models.CheckConstraint(
                condition=Q(anonymous=False)
                | (
                    Q(contact_name="")
                    & Q(contact_phone="")
                    & Q(contact_phone_index="")
                    & Q(submitter__isnull=True)
                ),
                name="demand_anonymous_has_no_identity",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="demand_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="demand_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status == Status.SUBMITTED and self.ack_deadline < now:
            return True
        return self.status in OPEN_STATUSES and self.resolve_deadline < now

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def masked_contact_name(self) -> str:
        return mask_name(self.contact_name)


class DemandTerm(models.Model):
    """Inverted index for inbox search: one row per distinct character bigram of a demand's
    `search_text`. A two-character word such as 工资 is one indexed lookup, which trigram
    indexes cannot do and which works the same on SQLite and PostgreSQL."""

    term = models.CharField(max_length=2)
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("诉求检索词")
        verbose_name_plural = _("诉求检索词")
        indexes = [models.Index(fields=["term", "demand"], name="demand_term_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["demand", "term"], name="demand_term_once"),
        ]

    def __str__(self) -> str:
        return self.term


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交")
    ROUTED = "routed", _("分派")
    ACCEPTED = "accepted", _("受理")
    ASSIGNED = "assigned", _("指派承办人")
    VISITED = "visited", _("面对面走访")
    REPLIED = "replied", _("答复职工")
    TRANSFERRED = "transferred", _("转办")
    ESCALATED = "escalated", _("上报上级")
    MERGED = "merged", _("合并")
    RESOLVED = "resolved", _("办结")
    CLOSED = "closed", _("关闭")
    REOPENED = "reopened", _("重新办理")
    RATED = "rated", _("职工评价")
    REMINDED = "reminded", _("催办提醒")
    FOLLOWED_UP = "followed_up", _("回访")


class DemandEventQuerySet(AppendOnlyQuerySetMixin, models.QuerySet):
    pass


class DemandEvent(AppendOnlyModel):
    """One immutable line of a demand's timeline: who, when, what, why."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    # Who acted, as the worker should see it ("崇安寺街道总工会", "系统", "职工").
    actor_label = models.CharField(_("操作方"), max_length=120, blank=True)
    kind = models.CharField(_("事件"), max_length=16, choices=EventKind.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    from_org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = models.TextField(_("内容"), blank=True)
    reason = models.TextField(_("理由"), blank=True)
    # Shown on the worker's tracking page; internal notes are not.
    public = models.BooleanField(_("职工可见"), default=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = DemandEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.demand.code} {self.get_kind_display()}"


class Visit(OrgScopedModel):
    """A face-to-face contact (面对面) by a cadre; shared by demands and, later, hardship cases."""

    demand = models.ForeignKey(
        Demand, on_delete=models.CASCADE, null=True, blank=True, related_name="visits"
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("走访人"),
    )
    visited_on = models.DateField(_("走访日期"))
    place = models.CharField(_("地点"), max_length=200)
    people_met = models.CharField(_("见到的人"), max_length=200)
    notes = models.TextField(_("情况记录"), validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.place}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the worker's file name: it may carry personal data and path tricks.
    return f"demands/{timezone.now():%Y/%m}/{new_code(16, 16)}.{instance.extension}"


class Attachment(models.Model):
    """A photo attached to a demand or a visit; served only through a scoped view."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments")
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    file = models.FileField(upload_to=attachment_path)
    content_type = models.CharField(max_length=32)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")

    def __str__(self) -> str:
        return self.code


class RoutingRuleKind(models.TextChoices):
    EMPLOYER_KEYWORD = "employer", _("单位名称包含")
    ADDRESS_KEYWORD = "address", _("地址包含")
    REGION_PREFIX = "region", _("行政区划代码前缀")
    DEFAULT = "default", _("兜底")


class RoutingRule(models.Model):
    """Routing as data: an admin maps employer or address keywords, region codes, or "anything
    left over" to an Org. Rules are tried by priority after the built-in employer match."""

    kind = models.CharField(_("规则类型"), max_length=16, choices=RoutingRuleKind.choices)
    pattern = models.CharField(
        _("匹配内容"), max_length=120, blank=True, help_text=_("兜底规则留空。")
    )
    target = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("分派到")
    )
    priority = models.PositiveIntegerField(
        _("优先级"), default=100, help_text=_("数字小的先匹配。")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("分派规则")
        verbose_name_plural = _("分派规则")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pattern} → {self.target}"


class DeadlinePolicy(models.Model):
    """Acknowledge and resolve deadlines. The most specific active policy wins: category and
    urgency and complexity, with blanks meaning "any"."""

    category = models.CharField(
        _("类别"), max_length=32, choices=DemandCategory.choices, blank=True
    )
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices, blank=True)
    complexity = models.CharField(
        _("复杂程度"), max_length=16, choices=Complexity.choices, blank=True
    )
    ack_hours = models.PositiveIntegerField(
        _("受理时限（小时，按自然时间）"), null=True, blank=True
    )
    ack_working_days = models.PositiveIntegerField(_("受理时限（工作日）"), null=True, blank=True)
    resolve_days = models.PositiveIntegerField(_("办结时限（自然日）"), null=True, blank=True)
    resolve_working_days = models.PositiveIntegerField(
        _("办结时限（工作日）"), null=True, blank=True
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        constraints = [
            models.CheckConstraint(
                condition=(Q(ack_hours__isnull=False) | Q(ack_working_days__isnull=False))
                & (Q(resolve_days__isnull=False) | Q(resolve_working_days__isnull=False)),
                name="deadline_policy_complete",
            )
        ]

    def __str__(self) -> str:
        parts = [
            self.get_category_display() or _("任意类别"),
            self.get_urgency_display() or _("任意紧急程度"),
            self.get_complexity_display() or _("任意复杂程度"),
        ]
        return " / ".join(str(p) for p in parts)

    @property
    def specificity(self) -> int:
        return sum(bool(v) for v in (self.category, self.urgency, self.complexity))


class DemandReceipt(models.Model):
    """A web submission acknowledged before it is routed: the worker's tracking code and what
    they wrote (encrypted), committed in one INSERT. `receipts.process_receipts` (the intake
    worker) turns receipts into demands in batches, keeping the tracking code; the payload is
    then emptied, so the identity lives only on the demand. Never listed anywhere: it has no
    org until it is routed, and only the processor reads it."""

    tracking_code = models.CharField(
        _("查询码"), max_length=16, unique=True, default=new_tracking_code, editable=False
    )
    code = models.CharField(_("编号"), max_length=16, unique=True, default=new_code, editable=False)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    # The validated intake as JSON (description, contact, employer, place), encrypted whole.
    payload = EncryptedTextField(_("内容"), blank=True)
    # On SQLite receipts live in a file of their own (core.dbrouter): no database constraint,
    # and nothing for Django's deletion to follow (it would look in the user's database). A
    # deleted submitter's receipt is recorded without one; the id is cleared once recorded.
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, blank=True,
        related_name="+", verbose_name=_("提交人"), db_constraint=False,
    )  # fmt: skip
    received_at = models.DateTimeField(_("收到时间"))
    processed_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("处理次数"), default=0)
    error = models.TextField(_("处理错误"), blank=True)

    class Meta:
        verbose_name = _("诉求收件")
        verbose_name_plural = _("诉求收件")
        indexes = [
            # The processor's queue: only unprocessed rows, oldest first.
            models.Index(
                fields=["received_at"],
                name="receipt_pending",
                condition=Q(processed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code
