from openpyxl import Workbook

from unionhome.core.models import Job
from unionhome.members import roster, services
from unionhome.members.models import JoinApplication, Membership
from unionhome.testing.personas import make_id_number


def test_worker_joins_online_and_gets_a_card_after_approval(
    client, cast, django_capture_on_commit_callbacks
):
    html = client.get("/m/join/unions/", {"q": "恆達"}).content.decode()
    assert cast.hengda.code in html
    response = client.post("/m/join/", {
        "org": cast.hengda.code, "name": "赵六", "id_number": make_id_number(seq=101),
        "phone": "13600000001", "consent": "on",
    })  # fmt: skip
    application = JoinApplication.objects.get()
    assert response["Location"] == f"/m/join/{application.code}/"
    assert "待审核" in client.get(response["Location"]).content.decode()
    client.force_login(cast.enterprise_cadre)
    assert application.code in client.get("/members/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/members/applications/{application.code}/approve/")
    client.logout()
    page = client.get(f"/m/join/{application.code}/").content.decode()
    assert "已批准" in page and "/m/card/" in page
    card = Membership.objects.get(person__name="赵六").person.card
    card_page = client.get(f"/m/card/{card.access_key}/").content.decode()
    assert "<svg" in card_page and cast.hengda.name in card_page and "赵*" in card_page
    assert "13600000001" not in card_page


def test_join_form_errors_are_specific_and_keep_input(client, cast):
    html = client.post("/m/join/", {"org": cast.hengda.code, "name": "赵六",
                                    "id_number": "110105194912310021", "phone": "1360000000",
                                    "consent": "on"}).content.decode()  # fmt: skip
    assert "校验位" in html and "11位" in html and "赵六" in html
    assert not JoinApplication.objects.exists()


def test_verification_page(client, cast):
    m = services.add_member(cast.street_cadre, cast.hengda, services.PersonData(
        name="赵六", id_number=make_id_number(seq=101), phone="13600000001"))  # fmt: skip
    token = services.card_token(services.issue_card(m.person))
    ok = client.get("/m/verify/", {"t": token}).content.decode()
    assert "有效会员" in ok and cast.hengda.name in ok and "赵" not in ok
    bad = client.get("/m/verify/", {"t": token[:-3] + "abc"}).content.decode()
    assert "二维码无效" in bad
    assert client.get("/api/v1/members/verify", {"token": token}).json()["valid"] is True


def test_import_runs_as_a_job_and_reports_on_its_page(
    client, cast, tmp_path, django_capture_on_commit_callbacks
):
    book = Workbook()
    ws = book.active
    ws.title = roster.SHEET
    ws.append(roster.COLUMNS)
    ws.append(["甲", "", make_id_number(seq=201), "13900000001", "", "", "", "", "", "", ""])
    ws.append(["乙", "", make_id_number(seq=203), "139", "", "", "", "", "", "", ""])
    path = tmp_path / "r.xlsx"
    book.save(path)
    client.force_login(cast.enterprise_cadre)
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as fh:
        response = client.post(f"/members/org/{cast.hengda.code}/import/", {"file": fh})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.code}/"
    assert job.status == "succeeded" and job.result["errors"] == 1 and job.result["saved"] == 0
    page = client.get(f"/jobs/{job.code}/").content.decode()
    assert "1 行有错误" in page and "下载结果文件" in page
    assert client.get(f"/jobs/{job.code}/download/").status_code == 200
    client.force_login(cast.other_street_cadre)
    assert client.get(f"/jobs/{job.code}/").status_code == 404


def test_roster_page_is_scoped_and_masked(client, cast):
    client.force_login(cast.street_cadre)
    html = client.get(f"/members/org/{cast.chonganssi.code}/").content.decode()
    assert "张*" in html and "3 名在册会员" in html
    client.force_login(cast.other_street_cadre)
    assert client.get(f"/members/org/{cast.chonganssi.code}/").status_code == 404


def test_counts_api(client, cast):
    client.force_login(cast.district_cadre)
    data = client.get(f"/api/v1/members/counts/{cast.liangxi.code}").json()
    assert data["members"] == 5 and data["new_employment"] == 0
    assert sum(m["joined"] for m in data["months"]) == 5


def test_member_asks_for_a_transfer_from_the_card_page(client, cast):
    from unionhome.members.models import Transfer

    m = services.add_member(cast.street_cadre, cast.hengda, services.PersonData(
        name="赵六", id_number=make_id_number(seq=101), phone="13600000001"))  # fmt: skip
    card = services.issue_card(m.person)
    response = client.post(
        f"/m/card/{card.access_key}/transfer/", {"org": cast.ruifeng.code, "reason": "换工作"}
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert transfer.to_org == cast.ruifeng and transfer.requested_by is None
    assert cast.ruifeng.name in client.get(f"/m/card/{card.access_key}/").content.decode()


def test_cadre_records_a_departure(client, cast):
    from unionhome.members.models import Person

    person = Person.objects.get(name="张伟")
    client.force_login(cast.enterprise_cadre)
    client.post(f"/members/person/{person.code}/leave/", {"reason": "离职"})
    assert person.memberships.get().status == "left"
