"""People and their union membership (会员), joining (入会), transfers (转接) and member cards.

Identity numbers and phones are personal data: encrypted at rest, found through keyed blind
indexes, masked on every page and export unless a handler reveals them (audited).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionhome.core.codes import new_code
from unionhome.core.fields import EncryptedTextField
from unionhome.core.masking import mask_id_number, mask_name, mask_phone
from unionhome.core.scoping import OrgScopedModel, ScopedQuerySet, scope_paths, subtree_q


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Hukou(models.TextChoices):
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


class NewEmploymentForm(models.TextChoices):
    """新就业形态: platform and flexible workers the union reaches out to."""

    NONE = "", _("否")
    RIDER = "rider", _("外卖骑手")
    COURIER = "courier", _("快递员")
    DRIVER = "driver", _("网约车司机")
    FREIGHT = "freight", _("货车司机")
    OTHER = "other", _("其他新就业形态")


class Person(OrgScopedModel):
    """A worker's identity, scoped by the union they belong to (or applied to)."""

    code = models.CharField(_("编号"), max_length=16, unique=True, default=new_code, editable=False)
    name = models.CharField(_("姓名"), max_length=40)
    # Lower-case toneless pinyin of the name: with the birth date, finds likely duplicates.
    name_pinyin = models.CharField(max_length=120, blank=True, editable=False)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number = EncryptedTextField(_("身份证号"))
    id_index = models.CharField(max_length=64, editable=False)
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    employer_name = models.CharField(_("工作单位"), max_length=160, blank=True)
    job_title = models.CharField(_("岗位"), max_length=60, blank=True)
    hukou = models.CharField(_("户籍类型"), max_length=8, choices=Hukou.choices, blank=True)
    new_employment = models.CharField(
        _("新就业形态"), max_length=16, choices=NewEmploymentForm.choices, blank=True
    )
    # Where the person works (WGS-84), for the service-station coverage map.
    work_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    work_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("职工")
        verbose_name_plural = _("职工")
        indexes = [models.Index(fields=["name_pinyin", "birth_date"], name="person_likely_dupe")]
        constraints = [
            # One record per person: the ID number's blind index is unique.
            models.UniqueConstraint(fields=["id_index"], name="person_one_record_per_id"),
        ]

    def __str__(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    TRANSFERRED = "transferred", _("已转出")
    LEFT = "left", _("已退会")


class Membership(OrgScopedModel):
    """A person's membership in one grassroots union; history rows stay when it ends."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(
        _("状态"), max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    joined_on = models.DateField(_("入会日期"))
    ended_on = models.DateField(_("离会日期"), null=True, blank=True)
    dues_paid_until = models.DateField(_("会费缴至"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("会员关系")
        verbose_name_plural = _("会员关系")
        indexes = [models.Index(fields=["org_path", "status"], name="membership_scope_status")]
        constraints = [
            # A person holds one active membership at a time, everywhere in the country.
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="active"), name="membership_one_active"
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True)
                | (~Q(status="active") & Q(ended_on__isnull=False)),
                name="membership_end_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.org}"


def new_application_code() -> str:
    return new_code(12, 4)


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class JoinApplication(OrgScopedModel):
    """An online application to join (入会申请); `org` is the union applied to."""

    # 60 random bits, like a demand's tracking code: once approved it leads to the member card.
    code = models.CharField(
        _("查询码"), max_length=16, unique=True, default=new_application_code, editable=False
    )
    name = models.CharField(_("姓名"), max_length=40)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number = EncryptedTextField(_("身份证号"))
    id_index = models.CharField(max_length=64, editable=False, db_index=True)
    phone = EncryptedTextField(_("手机号"))
    employer_name = models.CharField(_("工作单位"), max_length=160, blank=True)
    job_title = models.CharField(_("岗位"), max_length=60, blank=True)
    new_employment = models.CharField(
        _("新就业形态"), max_length=16, choices=NewEmploymentForm.choices, blank=True
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    reason = models.TextField(_("审核意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("入会申请")
        verbose_name_plural = _("入会申请")
        ordering = ["-created_at"]
        constraints = [
            # One open application per person and union: a second click does not duplicate it.
            models.UniqueConstraint(
                fields=["org", "id_index"], condition=Q(status="pending"),
                name="application_one_pending_per_union",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{mask_name(self.name)} → {self.org}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("待接收")
    CONFIRMED = "confirmed", _("已转入")
    REFUSED = "refused", _("未接收")
    CANCELLED = "cancelled", _("已撤回")


class TransferQuerySet(ScopedQuerySet):
    def visible_to(self, user, role_kinds=None):
        """Both unions see a transfer: the sending one (`org`) and the receiving one."""
        paths = scope_paths(user, role_kinds)
        if paths is None:
            return self.all()
        if not paths:
            return self.none()
        return self.filter(subtree_q("org_path", paths) | subtree_q("to_org_path", paths))


class Transfer(OrgScopedModel):
    """会员转接: from the member's current union (`org`) to another, confirmed by the receiver."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfers")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("转入工会"))  # fmt: skip
    to_org_path = models.CharField(max_length=255, db_index=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    reason = models.TextField(_("转接原因"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("处理意见"), blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("会员转接")
        verbose_name_plural = _("会员转接")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="pending"), name="transfer_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.org} → {self.to_org}"

    def save(self, *args, **kwargs):
        self.to_org_path = self.to_org.path
        super().save(*args, **kwargs)


class MemberCard(models.Model):
    """京卡-style member card: a number with a Luhn check digit; the QR carries only a signed,
    expiring token naming the card number."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="card")
    number = models.CharField(_("卡号"), max_length=20, unique=True)
    # The link to the card page is the member's key, like a tracking code: random, unguessable.
    access_key = models.CharField(max_length=32, unique=True, editable=False)
    issued_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("会员卡")
        verbose_name_plural = _("会员卡")

    def __str__(self) -> str:
        return self.number


class Merchant(OrgScopedModel):
    """A partner merchant (普惠商家) signed up by a union."""

    name = models.CharField(_("商家名称"), max_length=120)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("普惠商家")
        verbose_name_plural = _("普惠商家")

    def __str__(self) -> str:
        return self.name


class Offer(OrgScopedModel):
    """A benefit offered by a union's partner merchant to every member in that union's subtree."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="offers")
    title = models.CharField(_("优惠内容"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    valid_from = models.DateField(_("开始日期"))
    valid_until = models.DateField(_("结束日期"))
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("普惠优惠")
        verbose_name_plural = _("普惠优惠")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="offer_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant}：{self.title}"


class Redemption(models.Model):
    card = models.ForeignKey(MemberCard, on_delete=models.PROTECT, related_name="redemptions")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="redemptions")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("优惠使用记录")
        verbose_name_plural = _("优惠使用记录")

    def __str__(self) -> str:
        return f"{self.card} {self.offer}"
