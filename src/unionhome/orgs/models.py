"""The union org tree: every union body from 全总 down to a 工会小组 is one `Org` node."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from unionhome.core.codes import new_code
from unionhome.core.scoping import ScopedQuerySet
from unionhome.core.validators import (
    normalise_region_code,
    normalise_uscc,
    region_level,
    validate_region_code,
    validate_union_uscc,
    validate_uscc,
)
from unionhome.text import employers
from unionhome.text.normalise import normalise_for_search


class OrgLevel(models.TextChoices):
    NATIONAL = "national", _("全国总工会")
    PROVINCE = "province", _("省级总工会")
    CITY = "city", _("市级总工会")
    COUNTY = "county", _("县（市、区）总工会")
    SUBDISTRICT = "subdistrict", _("乡镇（街道）工会、社区工联会")
    GRASSROOTS = "grassroots", _("基层工会")
    BRANCH = "branch", _("分工会")
    GROUP = "group", _("工会小组")


# Higher bodies have smaller ranks; a child must rank strictly below its parent.
LEVEL_RANK = {level: rank for rank, level in enumerate(OrgLevel.values)}


class OrgKind(models.TextChoices):
    LOCAL = "local", _("地方工会")
    ENTERPRISE = "enterprise", _("企业工会")
    REGIONAL = "regional", _("区域性工会联合会")
    INDUSTRY = "industry", _("行业性工会联合会")


# Which levels each kind may take: an enterprise union lives inside an employer, a federation
# groups many small employers of a region or an industry below the city.
KIND_LEVELS = {
    OrgKind.LOCAL: set(OrgLevel.values),
    OrgKind.ENTERPRISE: {OrgLevel.GRASSROOTS, OrgLevel.BRANCH, OrgLevel.GROUP},
    OrgKind.REGIONAL: {OrgLevel.CITY, OrgLevel.COUNTY, OrgLevel.SUBDISTRICT},
    OrgKind.INDUSTRY: {OrgLevel.CITY, OrgLevel.COUNTY, OrgLevel.SUBDISTRICT},
}

# The region code a level's own body carries: a province union has "320000", a city "320200".
LEVEL_REGION_SHAPE = {
    OrgLevel.PROVINCE: "province",
    OrgLevel.CITY: "city",
    OrgLevel.COUNTY: "county",
}


FEDERATION_KINDS = (OrgKind.REGIONAL, OrgKind.INDUSTRY)


def allowed_child_levels(
    parent_level: str | None, parent_kind: str | None = None, child_kind: str | None = None
) -> list[str]:
    """The level hierarchy as one rule: strictly downwards, and inside a grassroots union only
    its branches (分工会) and groups (工会小组). One exception: a local union leads regional and
    industry federations of its own level (无锡市总工会 → 无锡市快递行业工会联合会)."""
    inner = (OrgLevel.BRANCH, OrgLevel.GROUP)
    if parent_level is None:
        return [lvl for lvl in OrgLevel.values if lvl not in inner]
    if parent_level == OrgLevel.GRASSROOTS:
        return list(inner)
    if parent_level == OrgLevel.BRANCH:
        return [OrgLevel.GROUP]
    if parent_level == OrgLevel.GROUP:
        return []
    rank = LEVEL_RANK[parent_level]
    same_level_ok = parent_kind == OrgKind.LOCAL and child_kind in FEDERATION_KINDS
    return [
        lvl
        for lvl in OrgLevel.values
        if lvl not in inner
        and (LEVEL_RANK[lvl] > rank or (same_level_ok and LEVEL_RANK[lvl] == rank))
    ]


class OrgQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    scope_field = "path"


class OrgManager(MP_NodeManager):
    def get_queryset(self):
        return OrgQuerySet(self.model).order_by("path")

    def visible_to(self, user, role_kinds=None):
        return self.get_queryset().visible_to(user, role_kinds)


class Org(MP_Node):
    # treebeard: 4 characters per level from 0-9A-Z allow 1.68 M children per parent and 63
    # levels; paths only ever grow at the end (no node_order_by), so adding a sibling never
    # rewrites other nodes' paths.
    steplen = 4

    code = models.CharField(_("编号"), max_length=16, unique=True, default=new_code, editable=False)
    name = models.CharField(_("名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    # Simplified, half-width, lower-case form of name and short name: what search matches on.
    search_text = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    level = models.CharField(_("层级"), max_length=16, choices=OrgLevel.choices)
    kind = models.CharField(
        _("类型"), max_length=16, choices=OrgKind.choices, default=OrgKind.LOCAL
    )
    region_code = models.CharField(
        _("行政区划代码"),
        max_length=6,
        blank=True,
        db_index=True,
        validators=[validate_region_code],
        help_text=_("GB/T 2260 六位代码，如 320213（无锡市梁溪区）。"),
    )
    legal_person_code = models.CharField(
        _("工会法人统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_union_uscc],
        help_text=_("工会法人资格证书上的18位代码，以8开头。"),
    )
    employer_name = models.CharField(_("所在单位名称"), max_length=160, blank=True)
    employer_credit_code = models.CharField(
        _("单位统一社会信用代码"),
        max_length=18,
        blank=True,
        db_index=True,
        validators=[validate_uscc],
        help_text=_("企业工会所在单位的18位代码（GB 32100-2015）。"),
    )
    # Canonical employer name (see unionhome.text.employers): routing matches demands on it.
    employer_key = models.CharField(max_length=160, blank=True, editable=False, db_index=True)
    # The key read backwards: "the org whose key ends with what the worker typed" becomes an
    # indexed prefix lookup (a LIKE '%…' would read every org: 3,000,000 nationally).
    employer_key_reversed = models.CharField(
        max_length=160, blank=True, editable=False, db_index=True, db_default=""
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    worker_count = models.PositiveIntegerField(_("职工人数"), default=0)
    # Active members of this org itself, kept by the members app in the same transaction as each
    # membership change (`manage.py recount_members` proves it); never edited by hand.
    member_count = models.PositiveIntegerField(_("会员人数"), default=0, editable=False)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OrgManager()

    class Meta:
        verbose_name = _("工会组织")
        verbose_name_plural = _("工会组织")
        constraints = [
            models.CheckConstraint(condition=Q(level__in=OrgLevel.values), name="org_level_known"),
            models.CheckConstraint(condition=Q(kind__in=OrgKind.values), name="org_kind_known"),
            # An employer has one union; branches share the code of the grassroots union above
            # them, so only grassroots unions are held to it.
            models.UniqueConstraint(
                fields=["employer_credit_code"],
                condition=~Q(employer_credit_code="") & Q(level="grassroots"),
                name="org_one_union_per_employer",
            ),
            models.UniqueConstraint(
                fields=["legal_person_code"],
                condition=~Q(legal_person_code=""),
                name="org_legal_person_code_unique",
            ),
        ]
        # Children by depth (treebeard's get_children: `depth = d AND path BETWEEN …`, used by
        # the org services, routing and assistance): without it PostgreSQL walks the parent's
        # whole subtree, 0.7 s under the national org of 3,000,000.
        indexes = [models.Index(fields=["depth", "path"], name="org_depth_path")]

    def __str__(self) -> str:
        return self.name

    @property
    def org_path(self) -> str:
        """Orgs scope by their own path, like every scoped model scopes by `org_path`."""
        return self.path

    def normalise_fields(self) -> None:
        self.name = " ".join(self.name.split())
        self.short_name = " ".join(self.short_name.split())
        if self.region_code:
            self.region_code = normalise_region_code(self.region_code)
        if self.legal_person_code:
            self.legal_person_code = normalise_uscc(self.legal_person_code)
        if self.employer_credit_code:
            self.employer_credit_code = normalise_uscc(self.employer_credit_code)
        self.search_text = normalise_for_search(f"{self.name} {self.short_name}")[:200]
        if self.level in (OrgLevel.GRASSROOTS,):
            self.employer_key = employers.employer_key(self.employer_name or self.name)[:160]
        else:
            self.employer_key = ""
        self.employer_key_reversed = self.employer_key[::-1]

    def clean(self) -> None:
        self.normalise_fields()
        errors: dict[str, list[str]] = {}
        if self.level and self.kind and self.level not in KIND_LEVELS.get(self.kind, set()):
            errors.setdefault("kind", []).append(
                _("“%(kind)s”不能设在“%(level)s”层级。")
                % {"kind": self.get_kind_display(), "level": self.get_level_display()}
            )
        shape = LEVEL_REGION_SHAPE.get(self.level)
        region_ok = len(self.region_code) == 6 and self.region_code.isdigit()
        if shape and region_ok and region_level(self.region_code) != shape:
            message = {
                "province": _("省级总工会的行政区划代码应为省级代码（后四位为0000）。"),
                "city": _("市级总工会的行政区划代码应为市级代码（后两位为00）。"),
                "county": _("县（市、区）总工会的行政区划代码应为县级代码（后两位不为00）。"),
            }[shape]
            errors.setdefault("region_code", []).append(message)
        if (
            self.employer_credit_code
            and self.kind == OrgKind.LOCAL
            and self.level
            in (
                OrgLevel.NATIONAL,
                OrgLevel.PROVINCE,
                OrgLevel.CITY,
                OrgLevel.COUNTY,
            )
        ):
            errors.setdefault("employer_credit_code", []).append(
                _("地方总工会没有“所在单位”，请留空单位统一社会信用代码。")
            )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.normalise_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "short_name", "employer_name", "level"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "search_text", "employer_key",
                                       "employer_key_reversed"}  # fmt: skip
        super().save(*args, **kwargs)

    def effective_region_code(self) -> str:
        """This org's region, or the nearest ancestor's: what routing and validation rely on."""
        if self.region_code:
            return self.region_code
        for ancestor in reversed(list(Org.objects.get_ancestors(self))):
            if ancestor.region_code:
                return ancestor.region_code
        return ""
