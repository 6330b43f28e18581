"""Registries through which apps contribute to shared pages without reaching into each other.

An app registers, in its ``AppConfig.ready``, the per-org figures it can count (members, open
demands, …). The org-tree page and reports read this registry; they import no other app's models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# compute(parent_path, prefix_length) → {path prefix of that length: figure for that subtree}
SubtreeCounter = Callable[[str, int], dict[str, int]]


@dataclass(frozen=True)
class OrgCounter:
    key: str
    label: str
    compute: SubtreeCounter
    order: int = 100


_org_counters: dict[str, OrgCounter] = {}


def register_org_counter(counter: OrgCounter) -> None:
    _org_counters[counter.key] = counter


def org_counters() -> list[OrgCounter]:
    return sorted(_org_counters.values(), key=lambda c: (c.order, c.key))


# Demo data: each app registers a function that adds its slice once the org tree exists.
# seeder(named_orgs: dict[str, Org], scale: int) -> str (a one-line summary)
DemoSeeder = Callable[[dict, int], str]
_demo_seeders: dict[str, tuple[int, DemoSeeder]] = {}


def register_demo_seeder(key: str, seeder: DemoSeeder | str, order: int = 100) -> None:
    """`seeder` may be a dotted path: demo code is then imported only by `seed_demo`, not by
    every web worker."""
    _demo_seeders[key] = (order, seeder)


def demo_seeders() -> list[tuple[str, DemoSeeder]]:
    from django.utils.module_loading import import_string

    ordered = sorted(_demo_seeders.items(), key=lambda kv: kv[1][0])
    return [(k, import_string(fn) if isinstance(fn, str) else fn) for k, (_o, fn) in ordered]


@dataclass(frozen=True)
class OrgLink:
    """A link on an org's page to another app's view of that org (`url` gets the org code)."""

    key: str
    label: str
    url: Callable[[str], str]
    order: int = 100


_org_links: dict[str, OrgLink] = {}


def register_org_link(link: OrgLink) -> None:
    _org_links[link.key] = link


def org_links() -> list[OrgLink]:
    return sorted(_org_links.values(), key=lambda link: (link.order, link.key))


# Where workers are, for coverage maps: each app that knows workers' places (members' workplaces,
# demands' locations) registers a source. fn(org_path_prefix) yields (lat, lng) WGS-84 points of
# workers in that org subtree; callers are already scoped (they pass a path the user covers).
LocationSourceFn = Callable[[str], Iterable[tuple[float, float]]]


@dataclass(frozen=True)
class LocationSource:
    key: str
    label: str
    fn: LocationSourceFn


_location_sources: dict[str, LocationSource] = {}


def register_location_source(key: str, label, fn: LocationSourceFn) -> None:
    _location_sources[key] = LocationSource(key, label, fn)


def location_sources() -> list[LocationSource]:
    return [_location_sources[k] for k in sorted(_location_sources)]


# Member cards (the members app, later): a resolver turns the token in a card's QR code into an
# opaque, stable member reference (never a name or ID number), or None for an unknown/revoked
# card. Station check-ins by card call it; with none registered, card check-ins are refused.
CardResolver = Callable[[str], str | None]
_card_resolver: list[CardResolver] = []


def register_card_resolver(fn: CardResolver) -> None:
    _card_resolver[:] = [fn]


def card_resolver() -> CardResolver | None:
    return _card_resolver[0] if _card_resolver else None


# Dashboard sections: an app adds a block of figures to every Org's dashboard. figures(org)
# returns [(label, value or None, url or "")] for that org's subtree (None shows "—"); it must be
# cheap (a few indexed rows), because the national page calls it too. The caller has already
# checked that the viewer covers the org.
SectionFigures = Callable[[object], list[tuple[str, object, str]]]


@dataclass(frozen=True)
class DashboardSection:
    key: str
    label: str
    figures: SectionFigures
    order: int = 100


_dashboard_sections: dict[str, DashboardSection] = {}


def register_dashboard_section(section: DashboardSection) -> None:
    _dashboard_sections[section.key] = section


def dashboard_sections() -> list[DashboardSection]:
    return sorted(_dashboard_sections.values(), key=lambda s: (s.order, s.key))
