"""Org-tree endpoints: reads are scoped by `visible_to`, writes go through `orgs.services`."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from . import services
from .models import Org

router = Router(tags=["orgs"])


class OrgOut(Schema):
    code: str
    name: str
    short_name: str
    level: str
    level_label: str = Field(..., alias="get_level_display")
    kind: str
    region_code: str
    employer_name: str
    employer_credit_code: str
    legal_person_code: str
    address: str
    founded_on: dt.date | None
    worker_count: int
    member_count: int
    is_active: bool
    depth: int
    child_count: int = Field(..., alias="numchild")


class OrgIn(Schema):
    parent: str = Field(..., description="上级组织编号")
    name: str
    short_name: str = ""
    level: str
    kind: str = "local"
    region_code: str = ""
    legal_person_code: str = ""
    employer_name: str = ""
    employer_credit_code: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    founded_on: dt.date | None = None
    worker_count: int = 0


class OrgPatch(Schema):
    name: str | None = None
    short_name: str | None = None
    level: str | None = None
    kind: str | None = None
    region_code: str | None = None
    legal_person_code: str | None = None
    employer_name: str | None = None
    employer_credit_code: str | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    founded_on: dt.date | None = None
    worker_count: int | None = None
    is_active: bool | None = None


class MoveIn(Schema):
    parent: str = Field(..., description="新的上级组织编号")


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("", response=list[OrgOut], summary="List visible orgs (search by name)")
def list_orgs(request, q: str = "", level: str = "", limit: int = 100, offset: int = 0):
    limit = max(1, min(limit, 500))
    if q:
        return services.search_orgs(request.auth, q, limit=limit)
    orgs = Org.objects.visible_to(request.auth)
    if level:
        orgs = orgs.filter(level=level)
    return list(orgs[offset : offset + limit])


@router.get("/{code}", response={200: OrgOut, **ERRORS}, summary="One org")
def get_org(request, code: str):
    return services.get_org_for_user(request.auth, code)


@router.get("/{code}/children", response={200: list[OrgOut], **ERRORS}, summary="Children")
def org_children(request, code: str):
    org = services.get_org_for_user(request.auth, code)
    return [node.org for node in services.tree_children(request.auth, org)]


@router.post("", response={201: OrgOut, **ERRORS}, summary="Create an org below a parent")
def create_org(request, payload: OrgIn):
    data = payload.dict()
    parent = services.get_org_for_user(request.auth, data.pop("parent"))
    return Status(201, services.create_org(request.auth, parent=parent, **data))


@router.patch("/{code}", response={200: OrgOut, **ERRORS}, summary="Change an org's data")
def update_org(request, code: str, payload: OrgPatch):
    org = services.get_org_for_user(request.auth, code)
    return services.update_org(request.auth, org, **payload.dict(exclude_unset=True))


@router.post("/{code}/move", response={200: OrgOut, **ERRORS}, summary="Move with its subtree")
def move_org(request, code: str, payload: MoveIn):
    org = services.get_org_for_user(request.auth, code)
    try:
        target = services.get_org_for_user(request.auth, payload.parent)
    except Http404:
        raise Http404(_("没有找到目标上级组织。")) from None
    return services.move_org(request.auth, org, target)
