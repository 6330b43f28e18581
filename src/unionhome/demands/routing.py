"""Where a demand goes, and why.

1. The grassroots union of the worker's employer, when the employer is a known Org.
2. The admin's routing rules (employer keyword, address keyword, region prefix), by priority.
3. By region: the region code given, or recognised from the address text (cpca), leads to the
   county union; a subdistrict union below it whose name appears in the address takes it.
4. Otherwise, when several unions carry the employer's name (a company with sites in several
   streets), the lowest union above all of them sorts it out; else the admin's default rule, or
   the top of the tree.
Every decision carries its reason, which the timeline records.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from unionhome.core.memo import ProcessMemo
from unionhome.core.validators import region_contains
from unionhome.orgs.models import Org, OrgLevel
from unionhome.text.address import recognise_region, recognise_regions
from unionhome.text.employers import employer_core, employer_key
from unionhome.text.normalise import normalise_for_search

from .models import RoutingRule, RoutingRuleKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoutingDecision:
    org: Org
    reason: str
    method: str  # employer | rule | region | address | default
    employer_org: Org | None = None
    region_code: str = ""


def _active(qs):
    return qs.filter(is_active=True)


MAX_NAMESAKES = 20


def employer_unions(employer_name: str) -> list[Org]:
    """The grassroots unions whose employer is the named one: exact canonical key, else those
    whose key ends with the typed name without its city prefix ("恒达精密机械有限公司"); at most
    MAX_NAMESAKES of them."""
    if not employer_name.strip():
        return []
    key = employer_key(employer_name)
    if len(key) < 2:
        return []
    grassroots = _active(Org.objects.filter(level=OrgLevel.GRASSROOTS)).order_by("path")
    exact = list(grassroots.filter(employer_key=key)[:MAX_NAMESAKES])
    if exact:
        return exact
    core = employer_core(employer_name)
    if len(core) >= 4:
        # "ends with" as an indexed prefix of the reversed key.
        return list(grassroots.filter(employer_key_reversed__startswith=core[::-1])[:MAX_NAMESAKES])
    return []


def match_employer(employer_name: str) -> Org | None:
    """The one grassroots union of the named employer; None when there is none or several."""
    unions = employer_unions(employer_name)
    return unions[0] if len(unions) == 1 else None


def common_superior(orgs: list[Org]) -> Org | None:
    """The deepest active union above all of `orgs` (None at the top of the tree)."""
    prefix = orgs[0].path
    for org in orgs[1:]:
        while not org.path.startswith(prefix):
            prefix = prefix[: -Org.steplen]
    steps = len(prefix) // Org.steplen
    ancestors = [prefix[: k * Org.steplen] for k in range(2, steps + 1)]
    return _active(Org.objects.filter(path__in=ancestors)).order_by("-depth").first()


def _org_for_region(region_code: str) -> Org | None:
    """The local union of the smallest region containing `region_code` (county, else city…)."""
    candidates = [region_code, region_code[:4] + "00", region_code[:2] + "0000"]
    for code in candidates:
        org = (
            _active(Org.objects.filter(region_code=code, kind="local"))
            .exclude(level__in=[OrgLevel.GRASSROOTS, OrgLevel.BRANCH, OrgLevel.GROUP])
            .order_by("depth")
            .first()
        )
        if org is not None:
            return org
    return None


def _place_names(org: Org) -> set[str]:
    """ "梁溪区崇安寺街道总工会" → {"梁溪区崇安寺街道", "崇安寺街道", "崇安寺"}."""
    names: set[str] = set()
    for raw in (org.name, org.short_name):
        place = normalise_for_search(raw)
        for suffix in ("总工会", "工会联合会", "工联会", "工会"):
            place = place.removesuffix(suffix)
        local = re.split(r"[省市区县]", place)[-1] or place
        names.update({place, local})
        for unit in ("街道", "镇", "乡"):
            if local.endswith(unit) and len(local) - len(unit) >= 2:
                names.add(local.removesuffix(unit))
    return {n for n in names if len(n) >= 2}


def _streets(county: Org) -> list[tuple[Org, set[str]]]:
    children = _active(Org.objects.get_children(county)).filter(level=OrgLevel.SUBDISTRICT)
    return [(org, _place_names(org)) for org in children]


def _subdistrict_in_address(
    county: Org, address: str, batch: RoutingBatch | None = None
) -> Org | None:
    """The street/town union below `county` whose place name the address mentions (longest)."""
    text = normalise_for_search(address)
    best: tuple[int, Org] | None = None
    for org, names in _memo(batch, "streets", county.pk, lambda: _streets(county)):
        for name in names:
            if name in text and (best is None or len(name) > best[0]):
                best = (len(name), org)
    return best[1] if best else None


class RoutingBatch:
    """What routing reads, kept for one batch of submissions (the intake worker's, about a
    second): decisions by what routing looks at, the batch's addresses read in one pass, and
    the employer, county and street unions looked up so far. Never kept longer: org edits must
    reach the next batch."""

    def __init__(self, addresses=()):
        try:
            self.regions = recognise_regions([a for a in addresses if a])
        except Exception:  # each address is then read alone, and a failure there is handled
            logger.exception("batch address recognition failed")
            self.regions = {}
        self.decisions: dict[tuple[str, str, str], RoutingDecision] = {}
        self.lookups: dict[tuple[str, object], object] = {}

    def route(self, *, employer_name: str = "", region_code: str = "", address: str = ""):
        key = (employer_name, region_code, address)
        if key not in self.decisions:
            self.decisions[key] = route(
                employer_name=employer_name, region_code=region_code, address=address, batch=self
            )
        return self.decisions[key]


def _memo(batch: RoutingBatch | None, kind: str, key, compute):
    if batch is None:
        return compute()
    slot = (kind, key)
    if slot not in batch.lookups:
        batch.lookups[slot] = compute()
    return batch.lookups[slot]


@dataclass(frozen=True)
class _Rule:
    """What a rule needs to match, kept per process; its target is read fresh when it fires
    (a cached Org could carry a path from before a move, and demands take their path from it)."""

    pattern: str
    target_id: int


def _load_rules() -> dict[str, list[_Rule]]:
    by_kind: dict[str, list[_Rule]] = {kind: [] for kind in RoutingRuleKind.values}
    active = RoutingRule.objects.filter(is_active=True, target__is_active=True)
    for kind, pattern, target_id in active.order_by("priority", "pk").values_list(
        "kind", "pattern", "target_id"
    ):
        by_kind[kind].append(_Rule(pattern, target_id))
    return by_kind


# Read on every submission, edited a few times a year (see core.memo for when edits apply).
_rule_memo = ProcessMemo(_load_rules, models=("demands.RoutingRule", "orgs.Org"))
_top_memo = ProcessMemo(
    lambda: _active(Org.objects.filter(depth=1)).order_by("path").values_list("pk").first(),
    models=("orgs.Org",),
)


def _rules(kind: str) -> list[_Rule]:
    """Active rules of one kind whose target is active, in the admin's priority order."""
    return _rule_memo.get()[kind]


def _fresh(org_id: int) -> Org | None:
    return _active(Org.objects.filter(pk=org_id)).first()


def route(
    *,
    employer_name: str = "",
    region_code: str = "",
    address: str = "",
    batch: RoutingBatch | None = None,
) -> RoutingDecision:
    """`batch`: lookups shared by one batch of submissions (`RoutingBatch.route`)."""
    namesakes = _memo(batch, "employer", employer_name, lambda: employer_unions(employer_name))
    employer_org = namesakes[0] if len(namesakes) == 1 else None
    if employer_org is not None:
        return _memo(batch, "employer-decision", employer_name, lambda: RoutingDecision(
            employer_org,
            _("单位“%(employer)s”已建工会，交由%(org)s办理。")
            % {"employer": employer_name, "org": employer_org.name},
            "employer",
            employer_org=employer_org,
            region_code=employer_org.effective_region_code(),
        ))  # fmt: skip

    employer_text = normalise_for_search(employer_name)
    address_text = normalise_for_search(address)
    for rule in _rules(RoutingRuleKind.EMPLOYER_KEYWORD):
        hit = rule.pattern and normalise_for_search(rule.pattern) in employer_text
        target = _fresh(rule.target_id) if hit else None
        if target is not None:
            return RoutingDecision(
                target,
                _("单位名称含“%(p)s”，按分派规则交由%(org)s办理。")
                % {"p": rule.pattern, "org": target.name},
                "rule",
            )
    for rule in _rules(RoutingRuleKind.ADDRESS_KEYWORD):
        hit = rule.pattern and normalise_for_search(rule.pattern) in address_text
        target = _fresh(rule.target_id) if hit else None
        if target is not None:
            return RoutingDecision(
                target,
                _("地址含“%(p)s”，按分派规则交由%(org)s办理。")
                % {"p": rule.pattern, "org": target.name},
                "rule",
            )

    how = "region"
    if not region_code and address:
        try:
            if batch is not None and address in batch.regions:
                region_code = batch.regions[address]
            else:
                region_code = recognise_region(address)
        except Exception:  # a broken address parser must not lose a worker's submission
            logger.exception("address recognition failed")
            region_code = ""
        how = "address"
    if region_code:
        for rule in _rules(RoutingRuleKind.REGION_PREFIX):
            hit = rule.pattern and region_code.startswith(rule.pattern)
            target = _fresh(rule.target_id) if hit else None
            if target is not None:
                return RoutingDecision(
                    target,
                    _("行政区划%(code)s匹配分派规则，交由%(org)s办理。")
                    % {"code": region_code, "org": target.name},
                    "rule",
                    region_code=region_code,
                )
        county = _memo(batch, "county", region_code, lambda: _org_for_region(region_code))
        if county is not None:
            street = _subdistrict_in_address(county, address, batch) if address else None
            if street is not None:
                return RoutingDecision(
                    street,
                    _("地址“%(address)s”位于%(org)s辖区。")
                    % {"address": address, "org": street.name},
                    "address",
                    region_code=region_code,
                )
            source = (
                _("从地址识别出行政区划%(code)s") if how == "address" else _("行政区划%(code)s")
            ) % {"code": region_code}
            return RoutingDecision(
                county,
                _("%(source)s，未能确定街道，进入%(org)s待分拣。")
                % {"source": source, "org": county.name},
                "region",
                region_code=region_code,
            )

    superior = common_superior(namesakes) if len(namesakes) > 1 else None
    if superior is not None:
        return RoutingDecision(
            superior,
            _("单位“%(employer)s”有%(count)d个工会，无法确定是哪一个，交由其共同上级%(org)s分拣。")
            % {"employer": employer_name, "count": len(namesakes), "org": superior.name},
            "employer",
            region_code=region_code,
        )

    defaults = _rules(RoutingRuleKind.DEFAULT)
    default = _fresh(defaults[0].target_id) if defaults else None
    if default is not None:
        return RoutingDecision(
            default,
            _("未能按单位或地区确定承办工会，按兜底规则交由%(org)s分拣。") % {"org": default.name},
            "default",
            region_code=region_code,
        )
    top_id = _top_memo.get()
    top = _fresh(top_id[0]) if top_id else None
    if top is None:
        raise RuntimeError("No active org exists to receive demands")
    return RoutingDecision(
        top,
        _("未能按单位或地区确定承办工会，且未设兜底规则，交由%(org)s分拣。") % {"org": top.name},
        "default",
        region_code=region_code,
    )


def region_is_within(org: Org, region_code: str) -> bool:
    outer = org.effective_region_code()
    return not outer or not region_code or region_contains(outer, region_code)
