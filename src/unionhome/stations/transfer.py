"""Import and export of stations as Excel (.xlsx) or CSV, in the columns union offices use.

Import is all or nothing: every row is read and checked first; one bad row and nothing is saved,
and every problem is reported as "第N行“列名”：…". A row with a 编号 updates that station; else a
row whose 所属工会 already runs a station of that 名称 updates it; else a station is created. In an
update a blank cell leaves that field as it is. So an exported file, edited and imported again,
changes exactly what was edited. `manage.py import_stations FILE --user NAME` runs the same.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionhome.core import audit

from . import services
from .models import Amenity, Station, StationKind, StationStatus

# (field, column heading); the heading is what the file carries (Chinese, as offices exchange it).
COLUMNS = [
    ("code", gettext_lazy("编号")),
    ("name", gettext_lazy("名称")),
    ("kind", gettext_lazy("类型")),
    ("org", gettext_lazy("所属工会")),
    ("address", gettext_lazy("地址")),
    ("latitude", gettext_lazy("纬度")),
    ("longitude", gettext_lazy("经度")),
    ("hours", gettext_lazy("开放时间")),
    ("amenities", gettext_lazy("服务设施")),
    ("phone", gettext_lazy("联系电话")),
    ("status", gettext_lazy("状态")),
    ("description", gettext_lazy("简介")),
]
# The file's headings are Chinese whatever the reader's language.
HEADINGS = {"code": "编号", "name": "名称", "kind": "类型", "org": "所属工会", "address": "地址",
            "latitude": "纬度", "longitude": "经度", "hours": "开放时间",
            "amenities": "服务设施", "phone": "联系电话", "status": "状态",
            "description": "简介"}  # fmt: skip
REQUIRED = ("name", "kind", "address", "latitude", "longitude", "hours")
MAX_ROWS = 20_000
MAX_ERRORS = 200


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _heading_to_field(heading) -> str | None:
    text = services._text(heading).strip("*＊ ")
    for field, label in HEADINGS.items():
        if text in (label, field, str(dict(COLUMNS)[field])):
            return field
    return None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) > 1000:
        return str(int(value))  # phone numbers Excel turned into numbers
    return str(value).strip()


def read_table(upload, filename: str) -> Iterator[tuple[int, list[str]]]:
    """(row number as the office sees it, cells) for every non-empty row, headings first."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(upload, read_only=True, data_only=True)
        except Exception:  # a broken or mislabelled file
            raise ValidationError(_("无法读取该Excel文件，请另存为.xlsx后再试。")) from None
        try:
            sheet = book.worksheets[0]
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell(v) for v in row]
                if any(cells):
                    yield number, cells
        finally:
            book.close()
    elif name.endswith(".csv"):
        raw = upload.read()
        # Excel in China saves CSV as GB18030 unless told otherwise; try UTF-8 (with BOM) first.
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError(_("无法识别CSV文件的编码，请用UTF-8或GBK保存。"))
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            cells = [c.strip() for c in row]
            if any(cells):
                yield number, cells
    else:
        raise ValidationError(_("请上传.xlsx或.csv文件。"))


def _common_path(paths: list[str]) -> str:
    """The deepest org path above all of `paths` (whole 4-character steps)."""
    if not paths:
        return ""
    low, high = min(paths), max(paths)
    size = 0
    while size < min(len(low), len(high)) and low[size] == high[size]:
        size += 1
    return low[: size - size % 4]


def _resolve_org(text: str, orgs_by_key: dict):
    return orgs_by_key.get(text.strip()) if text else None


def import_stations(actor, upload, *, filename: str, datum: str = services.WGS84,
                    default_org=None) -> ImportResult:  # fmt: skip
    rows = read_table(upload, filename)
    try:
        _number, headings = next(rows)
    except StopIteration:
        raise ValidationError(_("文件是空的。")) from None
    fields = [_heading_to_field(h) for h in headings]
    missing = [HEADINGS[f] for f in REQUIRED if f not in fields]
    if "org" not in fields and default_org is None:
        missing.append(HEADINGS["org"])
    if missing:
        raise ValidationError(
            _("缺少必填列：%(columns)s。第一行应为列名：%(all)s。")
            % {"columns": "、".join(missing), "all": "、".join(HEADINGS.values())}
        )
    manageable = list(services.manageable_orgs(actor))
    orgs_by_key: dict = {}
    for org in manageable:
        for key in (org.name, org.short_name, org.code):
            if key:
                orgs_by_key.setdefault(key, org)
    visible = Station.objects.visible_to(actor, services.MANAGE_ROLES)

    errors: list[str] = []
    plan: list[tuple[int, Station | None, object, dict, str]] = []  # row, existing, org, values
    seen: dict[tuple[int, str], int] = {}

    def add(number: int, field: str | None, message: str) -> None:
        if field:
            errors.append(_("第%(row)d行“%(column)s”：%(message)s")
                          % {"row": number, "column": HEADINGS.get(field, field),
                             "message": message})  # fmt: skip
        else:
            errors.append(_("第%(row)d行：%(message)s") % {"row": number, "message": message})

    count = 0
    for number, cells in rows:
        count += 1
        if count > MAX_ROWS:
            raise ValidationError(_("一次最多导入%(n)d行，请分批导入。") % {"n": MAX_ROWS})
        if len(errors) >= MAX_ERRORS:
            break
        record = {f: (cells[i] if i < len(cells) else "") for i, f in enumerate(fields) if f}
        code = record.pop("code", "").strip().upper()
        org_text = record.pop("org", "")
        org = _resolve_org(org_text, orgs_by_key) if org_text else default_org
        existing = None
        if code:
            existing = visible.filter(code=code).select_related("org").first()
            if existing is None:
                add(number, "code", _("没有找到编号为“%(code)s”的站点，或您无权管理。")
                    % {"code": code})  # fmt: skip
                continue
            org = org or existing.org
        if org is None:
            add(number, "org", _("没有找到“%(org)s”，或您无权管理该组织。") % {"org": org_text}
                if org_text else _("请填写站点所属的工会组织。"))  # fmt: skip
            continue
        if existing is None and record.get("name"):
            name = services._plain(record["name"])
            existing = visible.filter(org=org, name=name).first()
        data = {k: v for k, v in record.items() if k in services.EDITABLE_FIELDS}
        if existing is not None:
            data = {k: v for k, v in data.items() if v != ""}
        try:
            values = services.clean_station_fields(data, current=existing, datum=datum)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    add(number, field if field in HEADINGS else None, message)
            continue
        name = values.get("name") or (existing.name if existing else "")
        key = (org.pk, name)
        if key in seen:
            add(number, "name", _("与第%(other)d行重复（同一工会的同名站点）。")
                % {"other": seen[key]})  # fmt: skip
            continue
        seen[key] = number
        clash = Station.objects.filter(org=org, name=name)
        if existing is not None:
            clash = clash.exclude(pk=existing.pk)
        if clash.exists():
            add(number, "name", _("“%(org)s”已有名为“%(name)s”的站点。")
                % {"org": org.name, "name": name})  # fmt: skip
            continue
        plan.append((number, existing, org, values, name))
    if count == 0:
        raise ValidationError(_("文件里只有列名，没有数据行。"))
    if errors:
        raise ValidationError(errors)

    created = updated = unchanged = 0
    with transaction.atomic():
        for _number, existing, org, values, _name in plan:
            if existing is None:
                station = Station(org=org, created_by=actor, **values)
                station.save()
                created += 1
                continue
            if org != existing.org:
                values["org"] = org
            changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
            if not changed:
                unchanged += 1
                continue
            for k, v in changed.items():
                setattr(existing, k, v)
            existing.save(update_fields=[*changed, "updated_at"])
            updated += 1
        common = _common_path([org.path for _n, _e, org, _v, _name in plan])
        audit.record(actor, "station.imported", actor, org_path=common,
                     detail={"file": filename[:100], "created": created, "updated": updated})  # fmt: skip
    return ImportResult(created, updated, unchanged)


# --- Export ----------------------------------------------------------------------------------------
def export_rows(stations) -> Iterator[list]:
    kinds = dict(StationKind.choices)
    statuses = dict(StationStatus.choices)
    amenity_labels = dict(Amenity.choices)
    yield list(HEADINGS.values())
    for s in stations.select_related("org").order_by("org_path", "name"):
        yield [
            s.code, s.name, str(kinds.get(s.kind, s.kind)), s.org.name, s.address,
            s.latitude, s.longitude, s.hours_canonical,
            "、".join(str(amenity_labels[a]) for a in s.amenities if a in amenity_labels),
            s.phone, str(statuses.get(s.status, s.status)), s.description,
        ]  # fmt: skip


def to_xlsx(rows: Iterator[list], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(rows: Iterator[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read it as UTF-8


def coverage_workbook(result) -> bytes:
    """The coverage report: summary, uncovered hexagons, suggested sites."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    summary = book.create_sheet(title="概况")
    summary.append(["组织", result.org.name])
    summary.append(["步行速度（公里/小时）", result.walk.speed_kmh])
    summary.append(["步行时间（分钟）", result.walk.minutes])
    summary.append(["绕行系数", result.walk.detour])
    summary.append(["直线覆盖半径（米）", round(result.walk.reach_m)])
    summary.append(["职工位置数", result.total])
    summary.append(["已覆盖", result.covered])
    summary.append(["覆盖率", round(result.share, 4) if result.share is not None else ""])
    summary.append(["跳过的无效坐标", result.skipped])
    for source in result.sources:
        summary.append([f"来源：{source.label}", source.total, source.covered])
    gaps = book.create_sheet(title="未覆盖热点")
    gaps.append(["H3单元", "未覆盖人数", "中心纬度", "中心经度"])
    for hexagon in result.hexagons:
        gaps.append([hexagon.cell, hexagon.uncovered, round(hexagon.latitude, 6),
                     round(hexagon.longitude, 6)])  # fmt: skip
    sites = book.create_sheet(title="建议选址")
    sites.append(["排名", "H3单元", "纬度", "经度", "附近", "新增覆盖人数", "建成后覆盖率"])
    for s in result.suggestions:
        sites.append([s.rank, s.cell, round(s.latitude, 6), round(s.longitude, 6), s.near, s.gain,
                      round(s.share_after, 4) if s.share_after is not None else ""])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stations_for_export(user, *, org=None):
    stations = Station.objects.visible_to(user)
    if org is not None:
        stations = stations.in_subtree(org.path)
    return stations
