from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from unionhome.core.validators import looks_like_mobile


class PhoneOrUsernameBackend(ModelBackend):
    """What a cadre types in the login box may be a mobile number or a username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user_model = get_user_model()
        user = None
        if looks_like_mobile(username):
            user = user_model.objects.filter(phone_index=_index(username)).first()
        if user is None:
            user = user_model.objects.filter(username=username).first()
        if user is None:
            # Spend the same time as a real check so timing does not reveal which accounts exist.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def _index(raw: str) -> str:
    from .models import phone_index_for

    return phone_index_for(raw)
