"""Signals for writes that Django's model signals do not see.

Bulk writes (multi-row INSERT, COPY, `bulk_create`) and `QuerySet.update` fire no `post_save`;
code that writes rows that way sends one of these so that derived data (the dashboards'
roll-ups) can follow in the same transaction.
"""

from django.dispatch import Signal

# sender: the model class; queryset: exactly the rows just inserted.
rows_inserted = Signal()

# sender: Org; org: the moved subtree's root (re-fetched), old_path, new_path.
subtree_moved = Signal()
