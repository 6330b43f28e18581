"""Notifications through a pluggable sender.

In-app notifications are rows (always written). Text messages go through the sender named by
``UNIONHOME_SMS_BACKEND``; the default writes them to the log, so nothing leaves the machine
until an operator configures a real gateway. Text messages are sent after the transaction commits:
a rolled-back action notifies nobody.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from .masking import mask_phone
from .models import Notification

logger = logging.getLogger("unionhome.notify")


class SmsSender(ABC):
    """Send one text message. Implementations must not raise on delivery failure; they log and
    return False."""

    @abstractmethod
    def send(self, phone: str, text: str) -> bool: ...


class LoggingSmsSender(SmsSender):
    def send(self, phone: str, text: str) -> bool:
        logger.info("SMS to %s: %s", mask_phone(phone), text)
        return True


@cache
def _sms_sender(path: str) -> SmsSender:
    return import_string(path)()


def sms_sender() -> SmsSender:
    return _sms_sender(settings.UNIONHOME_SMS_BACKEND)


def notify_users(users: Iterable, title: str, body: str = "", url: str = "") -> None:
    """In-app notifications are rows written with the action's own transaction: a rolled-back
    action leaves none, and the action pays no second commit for them."""
    recipients = list({u.pk: u for u in users if u is not None}.values())
    if recipients:
        Notification.objects.bulk_create(
            [Notification(recipient=u, title=title[:120], body=body, url=url) for u in recipients]
        )


def send_sms(phone: str, text: str) -> None:
    if phone:
        transaction.on_commit(lambda: sms_sender().send(phone, text))
