"""Model fields for sensitive personal data: encrypted at rest, never queryable by value."""

from __future__ import annotations

from django.db import models
from django.db.models.lookups import Exact

from . import crypto


class EncryptedTextField(models.TextField):
    """Stores a Fernet token; Python code sees plaintext.

    Only ``isnull`` lookups make sense on ciphertext, so every other lookup is refused loudly:
    exact matching goes through a blind-index column instead.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name != "isnull":
            raise TypeError(
                f"'{lookup_name}' lookups on an encrypted field cannot work: use its blind index"
            )
        return super().get_lookup(lookup_name)


class EmptyOnlyExact(Exact):
    """`field=""` is meaningful on ciphertext (empty is stored as empty); any other value is not."""

    def get_prep_lookup(self):
        if self.rhs != "":
            raise TypeError(
                "'exact' lookups on an encrypted field cannot work: use its blind index"
            )
        return super().get_prep_lookup()
