from unionhome.core.models import Notification


def test_cadre_sees_and_clears_notifications(client, cast, django_capture_on_commit_callbacks):
    from unionhome.demands import intake

    with django_capture_on_commit_callbacks(execute=True):
        intake.submit_demand(
            intake.Intake(description="恒达精密拖欠工资两个月，请工会帮忙。",
                          employer_name="无锡恒达精密机械有限公司", anonymous=True),
            channel="web",
        )  # fmt: skip
    assert Notification.objects.filter(recipient=cast.enterprise_cadre).count() == 1
    client.force_login(cast.enterprise_cadre)
    html = client.get("/notifications/").content.decode()
    assert "新诉求" in html and '<span class="count">1</span>' in html
    client.post("/notifications/")
    assert not Notification.objects.filter(
        recipient=cast.enterprise_cadre, read_at__isnull=True
    ).exists()
    # nobody else's notifications are shown
    client.force_login(cast.other_street_cadre)
    assert "新诉求" not in client.get("/notifications/").content.decode()
