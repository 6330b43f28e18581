"""Hardship assistance (困难职工帮扶): the household file, its review, pairing and follow-ups, the
aid ledger (funds and grants) and exit with a watch period.

Health, income, debts, ID numbers, phones and addresses are personal data: encrypted at rest,
masked on screen, every view audited. One person holds at most one live file anywhere in the
country (a unique constraint on the ID number's blind index); a relapse reopens the same file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionhome.core import crypto
from unionhome.core.codes import new_code
from unionhome.core.fields import EncryptedTextField
from unionhome.core.masking import mask_id_number, mask_name, mask_phone
from unionhome.core.models import AppendOnlyModel, AppendOnlyQuerySetMixin
from unionhome.core.scoping import OrgScopedModel, ScopedQuerySet

CENT = Decimal("0.01")


class EncryptedDecimalField(EncryptedTextField):
    """A yuan amount encrypted at rest (income, debts): Python sees a Decimal with 2 places."""

    description = "Decimal encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None
        return Decimal(crypto.decrypt(value))

    def to_python(self, value):
        if value is None or value == "" or isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return value

    def get_prep_value(self, value):
        if value is None or value == "":
            return ""
        return crypto.encrypt(str(Decimal(value).quantize(CENT)))


class HardshipLevel(models.TextChoices):
    DEEP = "deep", _("深度困难")
    RELATIVE = "relative", _("相对困难")
    ACCIDENT = "accident", _("意外致困")


class Cause(models.TextChoices):
    ILLNESS = "illness", _("患病")
    DISABILITY = "disability", _("残疾")
    UNEMPLOYMENT = "unemployment", _("失业")
    SCHOOLING = "schooling", _("子女就学")
    DISASTER = "disaster", _("自然灾害")
    ACCIDENT = "accident", _("意外事故")
    SINGLE_PARENT = "single_parent", _("单亲家庭")
    OTHER = "other", _("其他")


class Housing(models.TextChoices):
    OWN = "own", _("自有住房")
    RENT = "rent", _("租房")
    PUBLIC = "public", _("公租房、廉租房")
    NONE = "none", _("无固定住所")
    OTHER = "other", _("其他")


class CaseStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("在档帮扶")
    EXITED = "exited", _("已脱困")
    WITHDRAWN = "withdrawn", _("已撤销")


# A file in any of these statuses is "the" file of its person; a relapse reopens it.
LIVE_STATUSES = (CaseStatus.PROPOSED, CaseStatus.RETURNED, CaseStatus.APPROVED, CaseStatus.EXITED)
EDITABLE_STATUSES = (CaseStatus.PROPOSED, CaseStatus.RETURNED, CaseStatus.APPROVED)


class ExitReason(models.TextChoices):
    INCOME = "income", _("收入超过标准")
    EMPLOYED = "employed", _("实现稳定就业")
    RECOVERED = "recovered", _("病情好转或康复")
    SCHOOLING_DONE = "schooling_done", _("子女完成学业")
    MOVED = "moved", _("迁出本地")
    DECEASED = "deceased", _("本人去世")
    OTHER = "other", _("其他")


class RegionalThreshold(models.Model):
    """The local lines a household's per-capita monthly income is compared with, per region code
    (province, city or county: the most specific one wins) and year. Kept by an admin."""

    region_code = models.CharField(_("行政区划代码"), max_length=6)
    year = models.PositiveSmallIntegerField(_("年度"))
    minimum_living = models.DecimalField(
        _("城乡低保标准（元/人·月）"), max_digits=8, decimal_places=2
    )
    low_income_line = models.DecimalField(
        _("低收入家庭认定标准（元/人·月）"), max_digits=8, decimal_places=2
    )
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("困难认定标准")
        verbose_name_plural = _("困难认定标准")
        ordering = ["region_code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="threshold_one_per_year"),
            # The low-income line sits above the minimum-living line, or levels cannot be told apart.
            models.CheckConstraint(
                condition=Q(minimum_living__gt=0, low_income_line__gte=models.F("minimum_living")),
                name="threshold_lines_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.year}"


class CaseQuerySet(ScopedQuerySet):
    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def in_watch(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.filter(status=CaseStatus.EXITED, watch_until__gte=today)

    def follow_up_scheduled(self, today: dt.date | None = None):
        """Files with a follow-up on the calendar: approved ones (or back in review after an
        edit) and exited ones still in their watch period."""
        today = today or timezone.localdate()
        return self.filter(next_follow_up_due__isnull=False).filter(
            Q(status__in=EDITABLE_STATUSES) | Q(status=CaseStatus.EXITED, watch_until__gte=today)
        )

    def follow_up_due(self, today: dt.date | None = None, within_days: int = 7):
        today = today or timezone.localdate()
        return self.follow_up_scheduled(today).filter(
            next_follow_up_due__lte=today + dt.timedelta(days=within_days)
        )

    def follow_up_overdue(self, today: dt.date | None = None):
        """Past the follow-up date: computed from the data alone, like `Demand.objects.overdue`."""
        today = today or timezone.localdate()
        return self.follow_up_scheduled(today).filter(next_follow_up_due__lt=today)

    def reverification_overdue(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.filter(status=CaseStatus.APPROVED, reverify_due__lt=today)


class HardshipCase(OrgScopedModel):
    """A worker household's hardship file (困难职工档案)."""

    code = models.CharField(_("编号"), max_length=16, unique=True, default=new_code, editable=False)
    demand = models.ForeignKey(
        "demands.Demand",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hardship_cases",
        verbose_name=_("来源诉求"),
    )
    name = models.CharField(_("姓名"), max_length=40)
    id_number = EncryptedTextField(_("身份证号"))
    id_index = models.CharField(max_length=64, editable=False, db_index=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    address = EncryptedTextField(_("家庭住址"), blank=True)
    employer_name = models.CharField(_("工作单位"), max_length=160, blank=True)
    causes = models.JSONField(_("致困原因"), default=list)
    situation = EncryptedTextField(_("困难情况说明"), blank=True)
    monthly_income = EncryptedDecimalField(_("家庭月收入（元）"))
    debts = EncryptedDecimalField(_("家庭负债（元）"), blank=True, null=True)
    housing = models.CharField(_("住房情况"), max_length=16, choices=Housing.choices)
    household_size = models.PositiveSmallIntegerField(_("家庭人口"), default=1)
    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.PROPOSED
    )
    # The eligibility service's latest verdict; its reasons quote income, so they are encrypted.
    assessed_eligible = models.BooleanField(_("符合条件"), default=False)
    assessed_level = models.CharField(
        _("建议困难类别"), max_length=16, choices=HardshipLevel.choices, blank=True
    )
    assessment = EncryptedTextField(_("认定依据"), blank=True)
    level = models.CharField(
        _("困难类别"), max_length=16, choices=HardshipLevel.choices, blank=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("申报人"),
    )  # fmt: skip
    proposed_at = models.DateTimeField(_("申报时间"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("审批人"),
    )  # fmt: skip
    approved_on = models.DateField(_("审批日期"), null=True, blank=True)
    review_comment = models.TextField(_("审批意见"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="paired_hardship_cases", verbose_name=_("结对干部"),
    )  # fmt: skip
    next_follow_up_due = models.DateField(_("下次走访"), null=True, blank=True, db_index=True)
    reverify_due = models.DateField(_("年度复核"), null=True, blank=True)
    exited_on = models.DateField(_("脱困日期"), null=True, blank=True)
    exit_reason = models.CharField(
        _("脱困原因"), max_length=16, choices=ExitReason.choices, blank=True
    )
    exit_note = models.TextField(_("脱困说明"), blank=True)
    watch_until = models.DateField(_("观察期至"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("困难职工档案")
        verbose_name_plural = _("困难职工档案")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["org_path", "status"], name="hardship_scope_status")]
        constraints = [
            # One person, one file anywhere in the tree (withdrawn proposals do not count).
            models.UniqueConstraint(
                fields=["id_index"], condition=~Q(status="withdrawn"),
                name="hardship_one_live_file_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="hardship_status_known"
            ),
            models.CheckConstraint(condition=Q(household_size__gte=1),
                                   name="hardship_household_not_empty"),
            # An approved file always has its level; an exited one its reason and watch end.
            models.CheckConstraint(
                condition=~Q(status="approved") | ~Q(level=""), name="hardship_approved_has_level"
            ),
            models.CheckConstraint(
                condition=~Q(status="exited")
                | (~Q(exit_reason="") & Q(watch_until__isnull=False, exited_on__isnull=False)),
                name="hardship_exit_complete",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.code} {mask_name(self.name)}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_address(self) -> str:
        return f"{self.address[:6]}***" if self.address else ""

    @property
    def per_capita_income(self) -> Decimal:
        return (Decimal(self.monthly_income) / max(self.household_size, 1)).quantize(CENT)

    def cause_labels(self) -> list[str]:
        labels = dict(Cause.choices)
        return [str(labels.get(c, c)) for c in self.causes]

    def in_watch(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status == CaseStatus.EXITED
            and bool(self.watch_until)
            and (self.watch_until >= today)
        )

    def follow_up_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        if self.next_follow_up_due is None or self.next_follow_up_due >= today:
            return False
        return self.status in EDITABLE_STATUSES or self.in_watch(today)


class Relation(models.TextChoices):
    SELF = "self", _("本人")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("慢性病")
    SERIOUS = "serious", _("重大疾病")
    DISABLED = "disabled", _("残疾")


class Schooling(models.TextChoices):
    NONE = "none", _("不在学")
    PRESCHOOL = "preschool", _("学前")
    COMPULSORY = "compulsory", _("义务教育")
    HIGH = "high", _("高中或中职")
    COLLEGE = "college", _("大学及以上")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("在职")
    FLEXIBLE = "flexible", _("灵活就业")
    UNEMPLOYED = "unemployed", _("失业")
    RETIRED = "retired", _("退休")
    UNABLE = "unable", _("丧失劳动能力")
    NOT_WORKING_AGE = "minor", _("未到劳动年龄")


class HouseholdMember(models.Model):
    case = models.ForeignKey(HardshipCase, on_delete=models.CASCADE, related_name="members")
    relation = models.CharField(_("关系"), max_length=16, choices=Relation.choices)
    name = models.CharField(_("姓名"), max_length=40)
    age = models.PositiveSmallIntegerField(_("年龄"))
    health = EncryptedTextField(_("健康状况"), choices=Health.choices)
    health_note = EncryptedTextField(_("病情或残疾说明"), blank=True)
    schooling = models.CharField(
        _("就学"), max_length=16, choices=Schooling.choices, default=Schooling.NONE
    )
    employment = models.CharField(_("就业"), max_length=16, choices=Employment.choices)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_relation_display()} {mask_name(self.name)}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)


class CaseEventKind(models.TextChoices):
    PROPOSED = "proposed", _("申报")
    EDITED = "edited", _("修改档案")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("审批通过")
    PAIRED = "paired", _("结对")
    FOLLOWED_UP = "followed_up", _("走访")
    REVERIFIED = "reverified", _("年度复核")
    GRANTED = "granted", _("发放救助")
    EXITED = "exited", _("解困脱困")
    RELAPSED = "relapsed", _("返困重新纳入")
    WITHDRAWN = "withdrawn", _("撤销")
    DOCUMENT = "document", _("上传证明材料")


class CaseEventQuerySet(AppendOnlyQuerySetMixin, models.QuerySet):
    pass


class CaseEvent(AppendOnlyModel):
    """One immutable line of a file's history."""

    case = models.ForeignKey(HardshipCase, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("操作人"),
    )  # fmt: skip
    kind = models.CharField(_("事件"), max_length=16, choices=CaseEventKind.choices)
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    message = models.TextField(_("内容"), blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("档案记录")
        verbose_name_plural = _("档案记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case.code} {self.get_kind_display()}"


class FollowUpKind(models.TextChoices):
    REGULAR = "regular", _("常态化走访")
    WATCH = "watch", _("脱困观察回访")


class FollowUp(models.Model):
    """A paired cadre's follow-up: the visit itself lives in the shared visit log
    (`demands.Visit`, with no demand), this row ties it to the file and its schedule."""

    case = models.ForeignKey(HardshipCase, on_delete=models.CASCADE, related_name="follow_ups")
    visit = models.OneToOneField(
        "demands.Visit", on_delete=models.PROTECT, related_name="hardship_follow_up"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=FollowUpKind.choices)
    due_on = models.DateField(_("应走访日期"), null=True, blank=True)
    on_time = models.BooleanField(_("按时"), default=True)

    class Meta:
        verbose_name = _("帮扶走访")
        verbose_name_plural = _("帮扶走访")
        ordering = ["-visit__visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.case.code} {self.visit.visited_on}"


class DocumentKind(models.TextChoices):
    INCOME = "income", _("收入证明")
    MEDICAL = "medical", _("病历或医疗票据")
    DISABILITY = "disability", _("残疾证")
    HOUSEHOLD = "household", _("户口簿")
    OTHER = "other", _("其他材料")


def document_path(instance: CaseDocument, filename: str) -> str:
    # Never the uploader's file name: it may carry personal data and path tricks.
    return f"assistance/{timezone.now():%Y/%m}/{new_code(16, 16)}.{instance.extension}"


class CaseDocument(models.Model):
    """A supporting document; served only through a scoped, audited view."""

    case = models.ForeignKey(HardshipCase, on_delete=models.CASCADE, related_name="documents")
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    kind = models.CharField(_("材料类型"), max_length=16, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_path)
    content_type = models.CharField(max_length=32)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"


# --- Aid ledger ------------------------------------------------------------------------------
class FundKind(models.TextChoices):
    WARMTH = "warmth", _("送温暖")
    SCHOOLING = "schooling", _("金秋助学")
    MEDICAL = "medical", _("医疗互助")
    LIVING = "living", _("生活救助")
    EMPLOYMENT = "employment", _("就业帮扶")
    CUSTOM = "custom", _("其他专项")


class Fund(OrgScopedModel):
    """A yearly budget of one kind held by one Org. `granted` is the sum of its live grants,
    kept in the same locked transaction as each grant; the database refuses granted > budget."""

    code = models.CharField(_("编号"), max_length=16, unique=True, default=new_code, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("资金类别"), max_length=16, choices=FundKind.choices)
    name = models.CharField(_("名称"), max_length=80, blank=True)
    budget = models.DecimalField(_("年度预算（元）"), max_digits=14, decimal_places=2)
    granted = models.DecimalField(
        _("已安排（元）"), max_digits=14, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("帮扶资金")
        verbose_name_plural = _("帮扶资金")
        ordering = ["-year", "org_path", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "kind", "name"],
                                    name="fund_one_per_org_year_kind"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="fund_budget_not_negative"),
            # The last line of defence against overspending, whatever the code does.
            models.CheckConstraint(condition=Q(granted__gte=0, granted__lte=models.F("budget")),
                                   name="fund_granted_within_budget"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.year} {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.name or str(self.get_kind_display())

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.granted


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    PAID = "paid", _("已发放")
    CANCELLED = "cancelled", _("已撤销")


class Grant(OrgScopedModel):
    """One aid payment to a household from a fund (scoped by the file's org)."""

    code = models.CharField(_("编号"), max_length=16, unique=True, default=new_code, editable=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="grants",
                             verbose_name=_("资金"))  # fmt: skip
    case = models.ForeignKey(HardshipCase, on_delete=models.PROTECT, related_name="grants",
                             verbose_name=_("档案"))  # fmt: skip
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    purpose = models.CharField(_("用途"), max_length=200)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("批准人"))  # fmt: skip
    granted_on = models.DateField(_("批准日期"))
    payment_status = models.CharField(_("发放状态"), max_length=16, choices=PaymentStatus.choices,
                                      default=PaymentStatus.PENDING)  # fmt: skip
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("发放经办人"))  # fmt: skip
    # 金秋助学
    student_name = models.CharField(_("学生姓名"), max_length=40, blank=True)
    school = models.CharField(_("学校"), max_length=120, blank=True)
    grade = models.CharField(_("年级"), max_length=40, blank=True)
    # 医疗互助: the expense claimed; the grant's amount is the reimbursed part.
    medical_expense = models.DecimalField(_("医疗费用（元）"), max_digits=12, decimal_places=2,
                                          null=True, blank=True)  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("救助发放")
        verbose_name_plural = _("救助发放")
        ordering = ["-granted_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="grant_amount_positive"),
            models.CheckConstraint(
                condition=Q(medical_expense__isnull=True) | Q(amount__lte=models.F("medical_expense")),
                name="grant_reimbursed_within_expense",
            ),
            models.CheckConstraint(
                condition=~Q(payment_status="paid") | Q(paid_on__isnull=False),
                name="grant_paid_has_date",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.code} {self.amount}"

    @property
    def reimbursed_share(self) -> Decimal | None:
        if not self.medical_expense:
            return None
        return (self.amount / self.medical_expense * 100).quantize(Decimal("0.1"))
