"""Accounts: cadres and staff log in by username or mobile number."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unionhome.core import crypto
from unionhome.core.fields import EncryptedTextField
from unionhome.core.masking import mask_phone
from unionhome.core.validators import normalise_phone, validate_mobile

PHONE_INDEX_PURPOSE = "user-phone"


def phone_index_for(raw_phone: str) -> str:
    return crypto.blind_index(PHONE_INDEX_PURPOSE, normalise_phone(raw_phone))


class UnionUserManager(UserManager):
    def get_by_phone(self, raw_phone: str):
        return self.get(phone_index=phone_index_for(raw_phone))


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    # A cadre's mobile is personal data: encrypted at rest, found by its blind index.
    phone = EncryptedTextField(_("手机号"), blank=True, validators=[validate_mobile])
    phone_index = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    objects = UnionUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # One phone number logs in to one account at most.
            models.UniqueConstraint(
                fields=["phone_index"], condition=~Q(phone_index=""), name="user_phone_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def save(self, *args, **kwargs):
        self.phone = normalise_phone(self.phone) if self.phone else ""
        self.phone_index = phone_index_for(self.phone) if self.phone else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_index"}
        super().save(*args, **kwargs)
