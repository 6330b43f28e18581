"""Signal handlers keeping the roll-ups in step with demand and membership rows."""

from __future__ import annotations

from . import rollups


def _reader(sender):
    if sender._meta.label_lower == "demands.demand":
        return rollups.demand_row, rollups.demand_contribution
    return rollups.membership_row, rollups.membership_contribution


def before_save(sender, instance, **kwargs) -> None:
    # The row as stored (locked by the service), not the instance: fields not in update_fields
    # may hold unsaved values.
    read, _contribute = _reader(sender)
    instance._rollup_before = read(instance.pk) if instance.pk is not None else None


def _fields(sender) -> tuple[str, ...]:
    if sender._meta.label_lower == "demands.demand":
        return rollups.DEMAND_FIELDS
    return rollups.MEMBERSHIP_FIELDS


def after_save(sender, instance, created: bool = False, raw: bool = False, **kwargs) -> None:
    read, contribute = _reader(sender)
    before = instance.__dict__.pop("_rollup_before", None)
    if created and not raw:
        # Just inserted whole: the instance holds what is stored (no re-read per submission).
        after = {name: getattr(instance, name) for name in _fields(sender)}
        if before is None and rollups.defer(contribute(after)):
            return
    else:
        after = read(instance.pk)
    rollups.apply_change(contribute(before), contribute(after))


def on_delete(sender, instance, **kwargs) -> None:
    read, contribute = _reader(sender)
    rollups.apply_change(contribute(read(instance.pk)), None)


def on_rows_inserted(sender, queryset, **kwargs) -> None:
    rollups.rows_inserted(sender, queryset)


def on_subtree_moved(sender, org, old_path, new_path, **kwargs) -> None:
    rollups.subtree_moved(org, old_path, new_path)
