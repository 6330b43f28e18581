"""Import from Excel/CSV: all or nothing, every problem named by row and column; export, edit,
import again changes exactly what was edited."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from unionhome.stations import transfer
from unionhome.stations.models import Station

HEAD = ["名称", "类型", "所属工会", "地址", "纬度", "经度", "开放时间", "服务设施", "联系电话"]


def xlsx(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def good_rows(cast):
    return [
        HEAD,
        ["三阳广场户外劳动者服务站", "户外劳动者服务站点", cast.chonganssi.name, "中山路1号", 31.5770,
         120.2995, "24小时", "热水、微波炉、充电", "0510-82701234"],
        ["崇安寺职工书屋", "职工书屋", cast.chonganssi.code, "崇安寺2号", "31.5812", "120.2985",
         "周二至周日 09:00-17:00", "图书,休息座椅", 12351],
    ]  # fmt: skip


def test_a_good_file_creates_every_station(cast):
    result = transfer.import_stations(cast.street_cadre, xlsx(good_rows(cast)), filename="a.xlsx")
    assert (result.created, result.updated) == (2, 0)
    book = Station.objects.get(name="崇安寺职工书屋")
    assert book.kind == "library" and book.amenities == ["seating", "books"]
    assert book.phone == "12351" and book.hours["days"].keys() == {"1", "2", "3", "4", "5", "6"}


def test_one_bad_row_and_nothing_is_saved_with_every_problem_named(cast):
    rows = good_rows(cast)
    rows.append(["", "驿站", cast.chonganssi.name, "x", 120.3, 31.57, "", "热水、桑拿", ""])
    rows.append(["南京站", "职工之家", cast.nanjing.name, "y", 32.05, 118.78, "24小时", "", ""])
    rows.append(["三阳广场户外劳动者服务站", "职工之家", cast.chonganssi.name, "z", 31.57, 120.3,
                 "24小时", "", ""])  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        transfer.import_stations(cast.street_cadre, xlsx(rows), filename="b.xlsx")
    messages = caught.value.messages
    assert not Station.objects.exists()
    assert any(m.startswith("第4行“名称”") for m in messages), messages
    assert any(m.startswith("第4行“类型”") and "驿站" in m for m in messages), messages
    assert any(m.startswith("第4行“纬度”") and "填反" in m for m in messages), messages
    assert any(m.startswith("第4行“开放时间”") for m in messages), messages
    assert any(m.startswith("第4行“服务设施”") and "桑拿" in m for m in messages), messages
    assert any(m.startswith("第5行“所属工会”") for m in messages), messages  # not theirs
    assert any(m.startswith("第6行“名称”") and "第2行" in m for m in messages), messages


def test_missing_required_columns_are_named(cast):
    with pytest.raises(ValidationError) as caught:
        transfer.import_stations(cast.street_cadre, xlsx([["名称", "地址"], ["a", "b"]]),
                                 filename="c.xlsx")  # fmt: skip
    assert "纬度" in caught.value.messages[0] and "开放时间" in caught.value.messages[0]


def test_default_org_fills_an_absent_org_column(cast):
    rows = [[c for c in r if c != "所属工会"] for r in [HEAD]]
    rows.append(["一号站", "职工之家", "地址", 31.57, 120.30, "24小时", "", ""])
    result = transfer.import_stations(cast.street_cadre, xlsx(rows), filename="d.xlsx",
                                      default_org=cast.chonganssi)  # fmt: skip
    assert result.created == 1 and Station.objects.get().org == cast.chonganssi


def test_gbk_csv_from_excel_is_read(cast):
    out = io.StringIO()
    csv.writer(out).writerows(good_rows(cast))
    upload = SimpleUploadedFile("e.csv", out.getvalue().encode("gb18030"))
    assert transfer.import_stations(cast.street_cadre, upload, filename="e.csv").created == 2


def test_export_edit_import_changes_only_the_edits(cast):
    transfer.import_stations(cast.street_cadre, xlsx(good_rows(cast)), filename="a.xlsx")
    exported = transfer.to_xlsx(
        transfer.export_rows(transfer.stations_for_export(cast.street_cadre)), "服务站点"
    )
    rows = [list(r) for r in load_workbook(io.BytesIO(exported)).active.iter_rows(values_only=True)]
    assert rows[0][:3] == ["编号", "名称", "类型"]
    rows[1][1] = "崇安寺职工书屋（新馆）"  # rename by code
    result = transfer.import_stations(cast.street_cadre, xlsx(rows), filename="f.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Station.objects.filter(name="崇安寺职工书屋（新馆）").exists()
    assert Station.objects.count() == 2


def test_csv_export_opens_in_excel_as_utf8(cast):
    transfer.import_stations(cast.street_cadre, xlsx(good_rows(cast)), filename="a.xlsx")
    data = transfer.to_csv(transfer.export_rows(transfer.stations_for_export(cast.street_cadre)))
    assert data.startswith(b"\xef\xbb\xbf")
    assert "三阳广场户外劳动者服务站" in data.decode("utf-8-sig")


def test_import_page_shows_row_errors_and_saves_nothing(client, cast):
    client.force_login(cast.street_cadre)
    rows = good_rows(cast)
    rows[2][4] = "北纬"
    upload = SimpleUploadedFile("g.xlsx", xlsx(rows).getvalue())
    response = client.post("/stations/import/", {"file": upload, "datum": "wgs84"})
    assert response.status_code == 400
    assert "第3行“纬度”" in response.content.decode()
    assert not Station.objects.exists()
    upload = SimpleUploadedFile("h.xlsx", xlsx(good_rows(cast)).getvalue())
    response = client.post("/stations/import/", {"file": upload, "datum": "wgs84"})
    assert response.status_code == 302 and Station.objects.count() == 2


def test_export_downloads_the_visible_stations(client, cast):
    transfer.import_stations(cast.street_cadre, xlsx(good_rows(cast)), filename="a.xlsx")
    client.force_login(cast.other_street_cadre)
    response = client.get("/stations/export/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1  # headings only: the other street sees none of these


def test_command_imports_as_a_user_or_reports_rows(cast, tmp_path):
    from django.core.management import CommandError, call_command

    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(good_rows(cast)).getvalue())
    call_command("import_stations", str(good), "--user", "street_cadre")
    assert Station.objects.count() == 2
    rows = good_rows(cast)
    rows[1][0], rows[1][6] = "新的站点", ""  # a new station needs its hours
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(rows).getvalue())
    with pytest.raises(CommandError):
        call_command("import_stations", str(bad), "--user", "street_cadre")
    assert Station.objects.count() == 2


def test_blank_cells_leave_an_existing_station_unchanged(cast):
    transfer.import_stations(cast.street_cadre, xlsx(good_rows(cast)), filename="a.xlsx")
    rows = good_rows(cast)
    rows[1][6] = rows[1][7] = ""
    result = transfer.import_stations(cast.street_cadre, xlsx(rows), filename="b.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert Station.objects.get(name="三阳广场户外劳动者服务站").hours == {"always": True}
