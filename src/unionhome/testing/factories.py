"""factory_boy factories. Orgs are created through `orgs.services` so tests exercise the rules."""

from __future__ import annotations

import factory

from unionhome.accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password("pw-for-tests")
