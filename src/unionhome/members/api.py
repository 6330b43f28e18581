"""Member endpoints: card verification (public: says only "valid member of X") and counts."""

from __future__ import annotations

from ninja import Router, Schema

from unionhome.orgs import services as org_services

from . import services

router = Router(tags=["members"])


class VerificationOut(Schema):
    valid: bool
    reason: str
    union: str


class CountsOut(Schema):
    org: str
    members: int
    new_employment: int
    months: list[dict]


@router.get("/verify", response=VerificationOut, auth=None, summary="Verify a member-card token")
def verify(request, token: str):
    result = services.verify_card_token(token)
    return {"valid": result.valid, "reason": str(result.reason), "union": result.org_name}


@router.get("/counts/{org_code}", response=CountsOut, summary="Members of an org's subtree")
def counts(request, org_code: str):
    org = org_services.get_org_for_user(request.auth, org_code)
    members = org_services.member_totals(org.path, len(org.path)).get(org.path, 0)
    new = services.new_employment_totals(org.path, len(org.path)).get(org.path, 0)
    months = [
        {"month": r["month"].isoformat(), "joined": r["joined"], "transferred": r["transferred"],
         "left": r["left"]}
        for r in services.monthly_movements(request.auth, org)
    ]  # fmt: skip
    return {"org": org.code, "members": members, "new_employment": new, "months": months}
