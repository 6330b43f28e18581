import base64

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
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


@pytest.fixture
def write_raw_phone():
    def write(user, token):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE accounts_user SET phone = %s WHERE id = %s", [token, user.pk])

    return write


def test_round_trip_writes_versioned_tokens_that_differ_each_time():
    token = crypto.encrypt("李四 13900001234")
    assert token.startswith("v2:")
    assert "13900001234" not in token
    assert crypto.encrypt("李四 13900001234") != token
    assert crypto.decrypt(token) == "李四 13900001234"


def test_fernet_tokens_written_before_v2_still_decrypt(db, settings, write_raw_phone):
    user = User.objects.create(username="a")
    old_token = Fernet(settings.UNIONHOME_FIELD_KEYS[0].encode()).encrypt(b"13900001234")
    write_raw_phone(user, old_token.decode())
    assert User.objects.get(pk=user.pk).phone == "13900001234"


def test_any_key_in_the_list_decrypts_like_multifernet(settings):
    old_key = settings.UNIONHOME_FIELD_KEYS[0]
    token = crypto.encrypt("13900001234")
    old_fernet = Fernet(old_key.encode()).encrypt(b"13900001234").decode()
    settings.UNIONHOME_FIELD_KEYS = [Fernet.generate_key().decode(), old_key]
    assert crypto.decrypt(token) == crypto.decrypt(old_fernet) == "13900001234"
    assert crypto.decrypt(crypto.encrypt("x")) == "x"


def test_rotation_re_encrypts_under_the_new_key_and_old_key_can_go(
    db, settings, raw_phone, write_raw_phone
):
    user = User.objects.create(username="a", phone="13900001234")
    fernet_user = User.objects.create(username="b")
    old_key = settings.UNIONHOME_FIELD_KEYS[0]
    write_raw_phone(fernet_user, Fernet(old_key.encode()).encrypt(b"13900001235").decode())
    new_key = Fernet.generate_key().decode()
    settings.UNIONHOME_FIELD_KEYS = [new_key, old_key]
    call_command("rotate_field_keys", verbosity=0)
    settings.UNIONHOME_FIELD_KEYS = [new_key]
    assert raw_phone(user).startswith("v2:")
    assert raw_phone(fernet_user).startswith("v2:"), "old Fernet tokens become v2 tokens"
    assert User.objects.get(pk=user.pk).phone == "13900001234"
    assert User.objects.get(pk=fernet_user.pk).phone == "13900001235"


def test_a_removed_key_gives_the_same_configuration_error_for_both_kinds_of_token(settings):
    old_key = settings.UNIONHOME_FIELD_KEYS[0]
    tokens = [crypto.encrypt("13900001234"), Fernet(old_key.encode()).encrypt(b"1").decode()]
    settings.UNIONHOME_FIELD_KEYS = [Fernet.generate_key().decode()]
    for token in tokens:
        with pytest.raises(ImproperlyConfigured, match="was a key removed before"):
            crypto.decrypt(token)


def test_tampered_tokens_are_refused():
    token = crypto.encrypt("13900001234")
    sealed = bytearray(base64.urlsafe_b64decode(token[3:]))
    for position in (0, 30, len(sealed) - 1):  # nonce, MAC, ciphertext
        changed = sealed.copy()
        changed[position] ^= 1
        with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
            crypto.decrypt("v2:" + base64.urlsafe_b64encode(bytes(changed)).decode())
    for broken in (token[:-4], "v2:not base64!", "v2:"):
        with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
            crypto.decrypt(broken)


@pytest.mark.parametrize(
    ("keys", "message"),
    [([], "is empty"), (["not-a-key"], "invalid Fernet key"), (["c2hvcnQ="], "invalid Fernet key")],
)
def test_bad_keys_are_refused_loudly(settings, keys, message):
    settings.UNIONHOME_FIELD_KEYS = keys
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.encrypt("x")


def test_masks_show_only_what_serves():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_name("张三丰") == "张**"
    assert mask_phone("") == ""
