"""A digest as a Chinese PDF (reportlab, built-in CID font STSong-Light: no font files) and as
an Excel workbook (openpyxl). Both render only what the digest stores, which is masked text."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Digest

FONT = "STSong-Light"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.0f}%"


def _names(entries: list[dict]) -> str:
    return "、".join(f"{e['name']}（{e['count']}）" for e in entries) or "—"


def _period(digest: Digest) -> str:
    return _("%(start)s 至 %(end)s") % {
        "start": digest.period_start.isoformat(),
        "end": digest.period_end.isoformat(),
    }


def _status(digest: Digest) -> str:
    status = digest.get_status_display()
    if digest.published_at:
        published = timezone.localtime(digest.published_at).strftime("%Y-%m-%d")
        status = f"{status}（{published}）"
    return f"{status}　v{digest.version}"


def digest_pdf(digest: Digest) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    if FONT not in pdfmetrics.getRegisteredFontNames():  # parsing its CMap costs a second
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = {"fontName": FONT, "wordWrap": "CJK"}
    title_style = ParagraphStyle("title", fontSize=18, leading=26, alignment=TA_CENTER, **base)
    sub_style = ParagraphStyle("sub", fontSize=10, leading=15, alignment=TA_CENTER,
                               textColor=colors.HexColor("#555555"), **base)  # fmt: skip
    h2 = ParagraphStyle("h2", fontSize=13.5, leading=20, spaceBefore=10, spaceAfter=4,
                        textColor=colors.HexColor("#9b1c1c"), **base)  # fmt: skip
    body = ParagraphStyle("body", fontSize=10.5, leading=17, firstLineIndent=21, **base)
    cell = ParagraphStyle("cell", fontSize=9, leading=13, **base)
    quote = ParagraphStyle("quote", fontSize=9.5, leading=15, leftIndent=8, borderPadding=4,
                           backColor=colors.HexColor("#f6f3ee"), spaceAfter=4, **base)  # fmt: skip

    def para(text: str, style) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm, title=digest.title,
                            author=digest.org.name, subject=_("打包反映"))  # fmt: skip

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawCentredString(A4[0] / 2, 10 * mm, _("%(org)s　第 %(page)d 页　已脱敏") % {
            "org": digest.org.name, "page": document.page})  # fmt: skip
        canvas.restoreState()

    story = [
        para(digest.title, title_style),
        Spacer(1, 3 * mm),
        para(f"{digest.org.name}　{_period(digest)}　{_status(digest)}", sub_style),
        Spacer(1, 5 * mm),
    ]
    summary = [
        [para(_("本期诉求"), cell), para(str(digest.demand_count), cell),
         para(_("上期诉求"), cell), para(str(digest.previous_count), cell),
         para(_("环比"), cell), para(_pct(digest.growth), cell)],
    ]  # fmt: skip
    table = Table(summary, colWidths=[24 * mm, 34 * mm] * 3)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
        ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f0f0f0")),
        ("BACKGROUND", (4, 0), (4, -1), colors.HexColor("#f0f0f0")),
    ]))  # fmt: skip
    story += [table, Spacer(1, 4 * mm)]
    if digest.narrative:
        story += [para(_("综述"), h2)] + [para(p, body) for p in digest.narrative.split("\n") if p]
    story.append(para(_("主要问题（按规模、紧急程度和增长排序）"), h2))
    for cluster in digest.clusters.prefetch_related("cases"):
        figures = [
            [para(_("诉求数"), cell), para(str(cluster.size), cell),
             para(_("上期"), cell), para(str(cluster.previous_size), cell),
             para(_("环比"), cell), para(_pct(cluster.growth), cell)],
            [para(_("涉及职工（估）"), cell), para(str(cluster.distinct_workers), cell),
             para(_("不重复问题"), cell), para(str(cluster.duplicate_groups), cell),
             para(_("办结率"), cell), para(f"{cluster.share_resolved * 100:.0f}%", cell)],
            [para(_("紧急度"), cell), para(f"{cluster.urgency:.2f}", cell),
             para(_("类别"), cell),
             para("、".join(f"{label}（{n}）" for label, n in cluster.category_labels()) or "—",
                  cell), "", ""],
            [para(_("涉及单位"), cell), para(_names(cluster.employers), cell), "", "", "", ""],
            [para(_("涉及地区"), cell), para(_names(cluster.regions), cell), "", "", "", ""],
            [para(_("关键词"), cell), para("、".join(cluster.keywords) or "—", cell), "", "", "",
             ""],
        ]  # fmt: skip
        grid = Table(figures, colWidths=[26 * mm, 30 * mm, 22 * mm, 24 * mm, 20 * mm, 52 * mm])
        grid.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
            ("SPAN", (3, 2), (5, 2)), ("SPAN", (1, 3), (5, 3)), ("SPAN", (1, 4), (5, 4)),
            ("SPAN", (1, 5), (5, 5)), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))  # fmt: skip
        block = [para(f"{cluster.rank}. {cluster.title}", h2), grid, Spacer(1, 2 * mm)]
        if cluster.summary:
            block.append(para(cluster.summary, body))
        if cluster.representative_text:
            block += [para(_("代表性诉求："), cell), para(cluster.representative_text, quote)]
        story.append(KeepTogether(block))
        cases = list(cluster.cases.all())
        if cases:
            story.append(para(_("典型案例："), cell))
            story += [para(f"（{n}）{case.text}", quote) for n, case in enumerate(cases, 1)]
    if not digest.clusters.exists():
        story.append(para(_("本期没有诉求。"), body))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def digest_workbook(digest: Digest) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "概况"
    bold = Font(bold=True)
    rows = [
        ("标题", digest.title), ("组织", digest.org.name), ("期间", _period(digest)),
        ("状态", _status(digest)), ("本期诉求数", digest.demand_count),
        ("上期诉求数", digest.previous_count), ("综述", digest.narrative),
    ]  # fmt: skip
    for label, value in rows:
        sheet.append([label, value])
        sheet.cell(sheet.max_row, 1).font = bold
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 80

    ranked = book.create_sheet("问题排行")
    header = ["排名", "标题", "说明", "诉求数", "上期诉求数", "环比", "涉及职工（估）",
              "不重复问题数", "紧急度", "排序分", "办结率", "类别", "涉及单位", "涉及地区",
              "关键词", "代表性诉求（已脱敏）"]  # fmt: skip
    ranked.append(header)
    cases = book.create_sheet("典型案例")
    cases.append(["排名", "问题", "序号", "案例（已脱敏）"])
    for cluster in digest.clusters.prefetch_related("cases"):
        ranked.append([
            cluster.rank, cluster.title, cluster.summary, cluster.size, cluster.previous_size,
            _pct(cluster.growth), cluster.distinct_workers, cluster.duplicate_groups,
            round(cluster.urgency, 3), round(cluster.score, 2),
            f"{cluster.share_resolved * 100:.0f}%",
            "、".join(f"{label}（{n}）" for label, n in cluster.category_labels()),
            _names(cluster.employers), _names(cluster.regions), "、".join(cluster.keywords),
            cluster.representative_text,
        ])  # fmt: skip
        for n, case in enumerate(cluster.cases.all(), 1):
            cases.append([cluster.rank, cluster.title, n, case.text])
    for ws in (ranked, cases):
        for c in ws[1]:
            c.font = bold
    for col, width in zip("ABCDEFGHIJKLMNOP", [6, 30, 30, 8, 8, 8, 10, 10, 8, 8, 8, 24, 30, 24,
                                                 24, 60], strict=True):  # fmt: skip
        ranked.column_dimensions[col].width = width
    cases.column_dimensions["B"].width = 30
    cases.column_dimensions["D"].width = 80
    for ws in (sheet, ranked, cases):
        for row in ws.iter_rows():
            for c in row:
                c.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
