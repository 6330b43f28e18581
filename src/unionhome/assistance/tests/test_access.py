"""Who sees a file: scoped lists, 404 for outsiders, masking, audited views and reveals."""

import io

import pytest
from django.urls import reverse

from unionhome.assistance import services
from unionhome.assistance.models import HardshipCase
from unionhome.core.models import AuditEvent


def login(client, user):
    client.force_login(user)
    return client


def test_outsider_gets_404_and_cannot_tell_a_file_exists(client, cast, propose):
    case = propose()
    login(client, cast.outsider)
    missing = client.get(reverse("assistance:detail", args=["ZZZZ-ZZZZ"]))
    theirs = client.get(reverse("assistance:detail", args=[case.code]))
    assert missing.status_code == theirs.status_code == 404
    assert case.code not in client.get(reverse("assistance:list")).content.decode()
    for action in ("approve", "exit", "grant"):
        assert client.post(reverse("assistance:act", args=[case.code, action])).status_code == 404
    assert client.post(reverse("assistance:reveal", args=[case.code])).status_code == 404
    assert not AuditEvent.objects.filter(action="hardship.view").exists()


def test_cadre_cannot_see_a_file_outside_their_subtree(cast, propose):
    case = propose()
    assert not HardshipCase.objects.visible_to(cast.other_street_cadre).filter(pk=case.pk).exists()
    assert HardshipCase.objects.visible_to(cast.street_cadre).filter(pk=case.pk).exists()
    assert not HardshipCase.objects.visible_to(cast.member).exists()


def test_list_shows_masked_names_only(client, cast, propose):
    case = propose()
    login(client, cast.street_cadre)
    page = client.get(reverse("assistance:list")).content.decode()
    assert case.code in page and "周**" in page and "周建国" not in page


def test_every_view_of_a_file_is_audited_and_the_page_is_masked(client, cast, propose):
    case = propose()
    login(client, cast.enterprise_cadre)
    page = client.get(reverse("assistance:detail", args=[case.code])).content.decode()
    assert "周**" in page and "周建国" not in page
    assert case.masked_id_number in page and case.id_number not in page
    assert "139****5678" in page and "13912345678" not in page
    assert "3000.00" not in page and "1500.00" not in page  # income, per capita, in reasons
    assert "中山路88号" not in page
    assert "慢性病" not in page  # health
    assert "查看完整信息" not in page  # a plain cadre may not reveal
    client.get(reverse("assistance:detail", args=[case.code]))
    views = AuditEvent.objects.filter(action="hardship.view", target_code=case.code)
    assert views.count() == 2
    assert {e.actor for e in views} == {cast.enterprise_cadre}
    assert views.first().org_path == case.org_path


def test_plain_cadre_cannot_reveal(client, cast, propose):
    case = propose()
    login(client, cast.enterprise_cadre)
    assert client.post(reverse("assistance:reveal", args=[case.code])).status_code == 403
    assert not AuditEvent.objects.filter(action="hardship.reveal").exists()


def test_leader_reveal_shows_everything_once_and_is_audited(client, cast, propose):
    case = propose()
    login(client, cast.province_leader)
    detail = reverse("assistance:detail", args=[case.code])
    assert "查看完整信息" in client.get(detail).content.decode()
    response = client.post(reverse("assistance:reveal", args=[case.code]))
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    for plain in ("周建国", case.id_number, "13912345678", "3000.00", "1500.00", "中山路88号",
                  "慢性病"):  # fmt: skip
        assert plain in page, plain
    assert AuditEvent.objects.filter(action="hardship.reveal", actor=cast.province_leader,
                                     target_code=case.code).count() == 1  # fmt: skip
    assert AuditEvent.objects.filter(action="hardship.view", detail__via="reveal").count() == 1
    # The reveal is for one page view only.
    assert "周建国" not in client.get(detail).content.decode()


def test_documents_are_scoped_and_every_opening_is_audited(client, cast, propose):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = propose()
    pdf = SimpleUploadedFile("收入证明-周建国.pdf", b"%PDF-1.4\n%test\n", "application/pdf")
    doc = services.add_document(cast.enterprise_cadre, case, "income", pdf)
    assert "周建国" not in doc.file.name
    login(client, cast.outsider)
    assert client.get(reverse("assistance:document", args=[doc.code])).status_code == 404
    client.logout()
    login(client, cast.enterprise_cadre)
    response = client.get(reverse("assistance:document", args=[doc.code]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="hardship.document", target_code=case.code).count() == 1


def test_a_document_that_is_neither_pdf_nor_image_is_refused(cast, propose):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = propose()
    with pytest.raises(ValidationError, match="PDF"):
        services.add_document(cast.enterprise_cadre, case, "income",
                              SimpleUploadedFile("x.pdf", b"MZ\x90\x00evil", "application/pdf"))  # fmt: skip
    assert not case.documents.exists()


def test_api_lists_masked_and_audits_the_detail(client, cast, propose):
    case = propose()
    login(client, cast.street_cadre)
    rows = client.get("/api/v1/assistance/cases").json()
    assert [r["code"] for r in rows] == [case.code]
    assert rows[0]["name"] == "周**" and rows[0]["id_number"] == case.masked_id_number
    detail = client.get(f"/api/v1/assistance/cases/{case.code}").json()
    assert all("3000.00" not in r for r in detail["reasons"])
    assert AuditEvent.objects.filter(action="hardship.view", detail__via="api").count() == 1
    client.logout()
    login(client, cast.outsider)
    assert client.get(f"/api/v1/assistance/cases/{case.code}").status_code == 404
    assert client.get("/api/v1/assistance/cases").json() == []


def test_excel_export_is_audited_and_opens(client, cast, approved, fund):
    from openpyxl import load_workbook

    approved()
    fund()
    login(client, cast.district_cadre)
    response = client.get(reverse("assistance:report_export") + f"?org={cast.liangxi.code}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["概况", "致困原因", "资金使用", "下级汇总"]
    assert AuditEvent.objects.filter(action="hardship.export").count() == 1
    client.logout()
    login(client, cast.outsider)
    assert client.get(reverse("assistance:report_export")
                      + f"?org={cast.liangxi.code}").status_code == 404  # fmt: skip
