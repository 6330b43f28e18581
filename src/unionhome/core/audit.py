"""Writing audit events: one call, so that every service records the same shape."""

from __future__ import annotations

from typing import Any

from .models import AuditEvent


def record(
    actor,
    action: str,
    target,
    *,
    org_path: str = "",
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event; `target` is a model instance (its `code`, else its pk, identifies it)."""
    code = getattr(target, "code", None) or str(target.pk)
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_code=code,
        org_path=org_path or getattr(target, "org_path", "") or getattr(target, "path", ""),
        ip_address=ip_address,
        detail=detail or {},
    )
