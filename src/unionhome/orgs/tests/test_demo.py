from django.core.management import CommandError, call_command

from unionhome.accounts.models import User
from unionhome.core.models import Role
from unionhome.orgs.demo import DEMO_PASSWORD, seed_demo
from unionhome.orgs.models import Org


def test_demo_province_is_believable_and_idempotent(db):
    builder, _logins = seed_demo()
    grassroots = Org.objects.filter(level="grassroots").count()
    assert 180 <= grassroots <= 260
    assert builder.created == Org.objects.count()
    assert Org.objects.filter(kind="industry").exists()
    assert Org.objects.filter(level="branch").exists()
    assert Org.objects.find_problems() == ([], [], [], [], [])
    roles = Role.objects.count()
    again, _ = seed_demo()
    assert again.created == 0
    assert Role.objects.count() == roles
    street_cadre = User.objects.get(username="street_cadre")
    assert street_cadre.check_password(DEMO_PASSWORD)
    visible = Org.objects.visible_to(street_cadre)
    assert visible.count() < 30
    assert all(o.name.startswith(("梁溪区崇安寺", "无锡")) for o in visible)


def test_demo_dashboards_equal_a_full_recount(db):
    from unionhome.dashboards import rollups

    seed_demo()
    assert rollups.check() == []


def test_demo_refuses_to_run_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False
    try:
        call_command("seed_demo", "--no-progress")
    except CommandError as exc:
        assert "DEBUG is off" in str(exc)
    else:
        raise AssertionError("seed_demo ran with DEBUG off")
    assert not Org.objects.exists()


def test_scale_multiplies_the_grassroots_unions(db):
    call_command("seed_demo", "--force", "--no-progress", "--scale", "2")
    assert Org.objects.filter(level="grassroots").count() >= 2 * 180
