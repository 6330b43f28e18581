import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from unionhome.accounts.models import User
from unionhome.core import crypto
from unionhome.core.masking import mask_id_number, mask_name, mask_phone


@pytest.fixture
def raw_phone():
    def read(user):
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
            return cursor.fetchone()[0]

    return read


def test_phone_is_encrypted_at_rest_and_readable_in_python(db, raw_phone):
    user = User.objects.create(username="a", phone="+86 139-0000-1234")
    stored = raw_phone(user)
    assert "13900001234" not in stored
    assert User.objects.get(pk=user.pk).phone == "13900001234"


def test_same_phone_encrypts_differently_but_indexes_the_same(db, raw_phone):
    a = User.objects.create(username="a", phone="13900001234")
    b = User(username="b", phone="13900001235")
    b.save()
    assert raw_phone(a) != raw_phone(b)
    assert User.objects.get_by_phone("139 0000 1234") == a


def test_lookups_by_value_on_encrypted_fields_are_refused(db):
    with pytest.raises(TypeError, match="blind index"):
        list(User.objects.filter(phone="13900001234"))


def test_blind_index_separates_purposes(settings):
    assert crypto.blind_index("phone", "1") != crypto.blind_index("id", "1")


def test_rotation_re_encrypts_under_the_new_key_and_old_key_can_go(db, settings, raw_phone):
    user = User.objects.create(username="a", phone="13900001234")
    old_key = settings.UNIONHOME_FIELD_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.UNIONHOME_FIELD_KEYS = [new_key, old_key]
    call_command("rotate_field_keys", verbosity=0)
    settings.UNIONHOME_FIELD_KEYS = [new_key]
    assert Fernet(new_key.encode()).decrypt(raw_phone(user).encode()) == b"13900001234"
    assert User.objects.get(pk=user.pk).phone == "13900001234"


def test_masks_show_only_what_serves():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_name("张三丰") == "张**"
    assert mask_phone("") == ""
