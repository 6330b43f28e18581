"""Roster import: every row checked, all or nothing, errors named by row and column."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from unionhome.members import roster, services
from unionhome.members.models import Membership, Person
from unionhome.orgs.models import Org
from unionhome.testing.personas import make_id_number


def workbook(tmp_path, rows, *, header=None, sheet=roster.SHEET, name="r.xlsx"):
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header or roster.COLUMNS)
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    book.save(path)
    return str(path)


def row(name, seq, phone="13900000001", **kw):
    values = {"姓名": name, "性别": "", "身份证号": make_id_number(seq=seq), "手机号": phone, "出生日期": "",
              "工作单位": "无锡恒达精密机械有限公司", "岗位": "操作工", "户籍类型": "城镇", "新就业形态": "否",
              "入会日期": "2024-05-01", "会费缴至": ""}  # fmt: skip
    values.update(kw)
    return [values[c] for c in roster.COLUMNS]


def test_a_clean_roster_imports_fully_and_counts(cast, tmp_path):
    path = workbook(
        tmp_path, [row("甲", 201), row("乙", 203), row("丙", 205, 新就业形态="外卖骑手")]
    )
    before = Org.objects.get(pk=cast.hengda.pk).member_count
    result, _rows = roster.import_roster(cast.hengda, path)
    assert (result.rows, result.errors, result.saved) == (3, 0, 3)
    assert Org.objects.get(pk=cast.hengda.pk).member_count == before + 3
    assert Membership.objects.filter(org=cast.hengda, person__new_employment="rider").count() == 1
    assert services.recount_members() == {"corrected": 0}


def test_bad_rows_are_named_and_nothing_is_saved(cast, tmp_path):
    path = workbook(tmp_path, [
        row("甲", 201),
        row("", 203),                                   # empty name
        row("丙", 205, 身份证号="110105194912310021"),  # wrong checksum
        row("丁", 207, 手机号="1390000000"),            # 10-digit phone
        row("戊", 209, 入会日期="2024-13-01"),          # not a date
        row("己", 201),                                 # same ID as row 2
        row("庚", 3),                                   # already active in 恒达 (cast member)
        row("辛", 211, 出生日期=dt.date(1991, 1, 1)),   # birth date contradicts the ID
    ])  # fmt: skip
    people, memberships = Person.objects.count(), Membership.objects.count()
    result, rows = roster.import_roster(cast.hengda, path)
    bad = {r.number: "；".join(r.errors) for r in rows if r.errors}
    assert result.saved == 0 and result.errors == 7
    assert set(bad) == {3, 4, 5, 6, 7, 8, 9}
    assert "姓名" in bad[3] and "身份证号" in bad[4] and "手机号" in bad[5] and "入会日期" in bad[6]
    assert "第2行重复" in bad[7] and "本会在册会员" in bad[8] and "出生日期" in bad[9]
    assert (Person.objects.count(), Membership.objects.count()) == (people, memberships)


def test_the_returned_workbook_marks_each_bad_row(cast, tmp_path):
    path = workbook(tmp_path, [row("甲", 201), row("乙", 203, 手机号="123")])
    _result, rows = roster.import_roster(cast.hengda, path)
    out = tmp_path / "out.xlsx"
    roster.write_result({r.number: r for r in rows}, path, str(out))
    ws = load_workbook(out)[roster.SHEET]
    header = [c.value for c in ws[1]]
    assert header[-2:] == ["错误", "提示"]
    assert ws.cell(row=2, column=len(header) - 1).value in (None, "")
    assert "手机号" in ws.cell(row=3, column=len(header) - 1).value


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"sheet": "Sheet1"}, "会员名册"),
        ({"header": [c for c in roster.COLUMNS if c != "手机号"]}, "缺少列：手机号"),
        ({"header": [*roster.COLUMNS, "备注"]}, "多出列：备注"),
    ],
)
def test_wrong_sheet_or_columns_are_refused_whole(cast, tmp_path, kwargs, text):
    path = workbook(tmp_path, [row("甲", 201)], **kwargs)
    with pytest.raises(ValidationError) as info:
        roster.import_roster(cast.hengda, path)
    assert text in info.value.messages[0]
    assert not Person.objects.filter(name="甲").exists()


def test_oversize_and_non_excel_files_are_refused(cast, tmp_path, settings):
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"0" * (roster.MAX_BYTES + 1))
    with pytest.raises(ValidationError) as info:
        roster.import_roster(cast.hengda, str(big))
    assert "MB" in info.value.messages[0]
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    with pytest.raises(ValidationError):
        roster.import_roster(cast.hengda, str(junk))


def test_likely_duplicates_are_flagged_not_refused(cast, tmp_path):
    # same name sound and birth date, different ID numbers: 张伟 is already in 恒达 (seq 3)
    path = workbook(tmp_path, [row("张伟", 213), row("章伟", 215)])
    result, rows = roster.import_roster(cast.ruifeng, path)
    assert result.errors == 0 and result.saved == 2 and result.flagged == 2
    assert any("系统中已有同音同生日" in note for r in rows for note in r.notes)


def test_template_is_what_the_importer_expects(cast, tmp_path):
    out = io.BytesIO()
    roster.write_template(out)
    path = tmp_path / "t.xlsx"
    path.write_bytes(out.getvalue())
    result, _rows = roster.import_roster(cast.ruifeng, str(path))
    assert result.errors == 0 and result.saved == 1  # the sample row is a valid person


def test_export_is_masked_unless_revealed_by_a_leader(cast, tmp_path):
    path = tmp_path / "e.xlsx"
    assert roster.export_roster(cast.street_cadre, cast.chonganssi, str(path)) == 3
    values = [c.value for c in load_workbook(path)[roster.SHEET][2]]
    assert any(isinstance(v, str) and "********" in v for v in values)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        roster.export_roster(cast.enterprise_cadre, cast.hengda, str(path), reveal=True)
    roster.export_roster(cast.street_cadre, cast.chonganssi, str(path), reveal=True)
    values = [c.value for c in load_workbook(path)[roster.SHEET][2]]
    assert any(isinstance(v, str) and len(v) == 18 and "*" not in v for v in values)
