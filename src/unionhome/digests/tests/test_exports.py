"""PDF and Excel exports: they open, carry the figures and titles, and no personal data."""

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from unionhome.digests import exports, services

from .conftest import HENGDA, at
from .pdftext import extract_text

ID = "320213199001011237"
SECRETS = ("13812345678", "13812345679", ID, "王建国", "李秀英")


@pytest.fixture
def digest_with_pii(cast, make_demand, period, fake_clustering):
    first, _ = period
    texts = [
        "恒达精密拖欠工资两个月，我叫王建国，电话13812345678，请帮忙。",
        f"恒达精密欠薪两个月，身份证号{ID}，联系电话138-1234-5679。",
        "热线来电：来电人李秀英反映恒达精密拖欠工资两个月。",
    ]
    for i, text in enumerate(texts):
        make_demand(text, employer=HENGDA, category="wages", when=at(first + dt.timedelta(days=i)))
    make_demand("会员卡丢了怎么补办？", category="membership", when=at(first))
    digest, _job = services.create_digest(cast.city_cadre, org=cast.wuxi, period_start=first,
                                          period_end=period[1])  # fmt: skip
    cluster = digest.clusters.get(rank=1)
    services.attach_cases(cast.city_cadre, cluster, cluster.candidate_ids[:3])
    services.update_cluster(cast.city_cadre, cluster, title="恒达精密集中欠薪",
                            summary="涉及多个车间，职工王建国等反映。")  # fmt: skip
    services.update_digest(cast.city_cadre, digest, title=digest.title,
                           narrative="本月欠薪问题突出。\n请市人社局关注。")  # fmt: skip
    digest.refresh_from_db()
    return digest


def test_pdf_opens_and_holds_titles_figures_and_no_personal_data(digest_with_pii):
    pdf = exports.digest_pdf(digest_with_pii)
    if os.environ.get("UNIONHOME_KEEP_PDF"):
        Path(os.environ["UNIONHOME_KEEP_PDF"]).write_bytes(pdf)
    text = extract_text(pdf)
    assert digest_with_pii.title in text
    assert "恒达精密集中欠薪" in text
    assert "请市人社局关注。" in text
    assert "138****5678" in text
    for secret in SECRETS:
        assert secret not in text, secret


def test_pdf_extractor_fails_on_text_that_is_not_there(digest_with_pii):
    # The check above would be worthless if the extractor returned everything or nothing.
    text = extract_text(exports.digest_pdf(digest_with_pii))
    assert "不在文件里的一句话" not in text
    assert len(text) > 100


def test_workbook_holds_clusters_cases_and_no_personal_data(digest_with_pii):
    book = load_workbook(io.BytesIO(exports.digest_workbook(digest_with_pii)))
    assert book.sheetnames == ["概况", "问题排行", "典型案例"]
    cells = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row
                     if c.value is not None)  # fmt: skip
    ranked = book["问题排行"]
    assert ranked["B2"].value == "恒达精密集中欠薪"
    assert ranked["D2"].value == 3
    assert book["典型案例"].max_row == 4
    for secret in SECRETS:
        assert secret not in cells, secret


def test_download_views_are_scoped_and_audited(client, cast, digest_with_pii):
    from unionhome.core.models import AuditEvent

    client.force_login(cast.city_cadre)
    response = client.get(f"/digests/{digest_with_pii.code}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    response = client.get(f"/digests/{digest_with_pii.code}/xlsx/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="digest.export").count() == 2
    client.force_login(cast.outsider)
    assert client.get(f"/digests/{digest_with_pii.code}/pdf/").status_code == 404
