import pytest
from django.urls import reverse

from unionhome.accounts.models import User
from unionhome.testing.personas import PASSWORD


@pytest.fixture
def cadre(db):
    user = User(username="chen", display_name="陈静", phone="13900000002")
    user.set_password(PASSWORD)
    user.save()
    return user


def login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_page_is_in_simplified_chinese_by_default(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="zh-hans"' in html
    assert "手机号或用户名" in html


def test_cadre_logs_in_by_username(client, cadre):
    response = login(client, "chen")
    assert response.status_code == 302
    assert client.get(reverse("orgs:tree")).status_code == 200


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "typed",
    ["13900000002", "139 0000 0002", "+86-139-0000-0002", "13900000002".translate(FULLWIDTH)],
)
def test_cadre_logs_in_by_mobile_number_however_typed(client, cadre, typed):
    assert login(client, typed).status_code == 302
    assert int(client.session["_auth_user_id"]) == cadre.pk


def test_wrong_password_gives_a_clear_message(client, cadre):
    response = login(client, "chen", "wrong")
    assert response.status_code == 200
    assert "手机号/用户名或密码不正确" in response.content.decode()


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, cadre, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "chen", "wrong")
    response = login(client, "chen")
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_resets_after_the_cool_off(client, cadre, settings):
    import time_machine

    with time_machine.travel("2026-11-28 10:00 +0800", tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            login(client, "chen", "wrong")
        assert login(client, "chen").status_code == 429
    with time_machine.travel("2026-11-28 10:16 +0800", tick=False):
        assert login(client, "chen").status_code == 302


def test_logout_is_a_post_and_ends_the_session(client, cadre):
    login(client, "chen")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("orgs:tree")).status_code == 302


def test_password_change(client, cadre):
    login(client, "chen")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Gonghui!2026x",
            "new_password2": "Gonghui!2026x",
        },
    )
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))
    assert login(client, "chen", "Gonghui!2026x").status_code == 302


def test_password_change_refuses_a_weak_password(client, cadre):
    login(client, "chen")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    cadre.refresh_from_db()
    assert cadre.check_password(PASSWORD)


def test_phone_is_unique_across_accounts(cadre):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="other", phone="139-0000-0002")


def test_admin_is_in_chinese(client, db):
    admin = User.objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    html = client.get("/admin/").content.decode()
    assert "职工之家 · 后台管理" in html
    assert "工会组织" in html
