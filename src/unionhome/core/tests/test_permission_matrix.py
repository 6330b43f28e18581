"""Every page and endpoint that shows people or cases refuses an anonymous visitor, and every
object page answers 404 to a cadre outside the object's subtree."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Public by design: worker-facing pages, the login flow, health, docs, Open311 (keyed), i18n.
PUBLIC_PREFIXES = ("", "d/", "m/", "s/", "accounts/", "healthz", "i18n/", "open311/", "admin/",
                   "api/v1/docs", "api/v1/openapi.json",
                   # public API operations: card verification, nearby stations, status by code
                   "api/v1/members/verify", "api/v1/stations/near", "api/v1/demands/track/")  # fmt: skip


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern


def _is_public(route: str) -> bool:
    if route == "":
        return True
    return any(route.startswith(p) for p in PUBLIC_PREFIXES if p)


def _fill(route: str) -> str:
    import re

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", "NOPE-CODE", route).replace("^", "").replace("$", "")


CADRE_ROUTES = sorted({r for r in _routes() if not _is_public(r) and "(?P" not in r})


@pytest.mark.parametrize("route", CADRE_ROUTES)
def test_anonymous_visitors_are_turned_away(client, db, route):
    url = _fill(route)
    response = client.get(url)
    if route.startswith("api/"):
        # ninja answers 401 for a protected operation, 404/405 where GET is not routed
        assert response.status_code in (401, 404, 405), (url, response.status_code)
    else:
        assert response.status_code in (302, 404, 405), (url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), url


def test_the_matrix_covers_the_apps():
    covered = {r.split("/")[0] for r in CADRE_ROUTES}
    assert {"demands", "members", "orgs", "stations", "jobs", "notifications"} <= covered


OBJECT_PAGES = [
    ("/orgs/{hengda}/", "outsider"),
    ("/members/org/{hengda}/", "outsider"),
    ("/api/v1/orgs/{hengda}", "outsider"),
    ("/api/v1/members/counts/{hengda}", "outsider"),
    ("/demands/?org={hengda}", "outsider"),
]


@pytest.mark.parametrize(("template", "who"), OBJECT_PAGES)
def test_cadres_get_404_outside_their_subtree(client, cast, template, who):
    client.force_login(getattr(cast, who))
    assert client.get(template.format(hengda=cast.hengda.code)).status_code == 404
