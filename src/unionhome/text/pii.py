"""Personal data inside free text: find it and mask it before text leaves its case (digests,
exports, anonymised examples).

Detected: citizen ID numbers (18 digits with a valid GB 11643 check character, and the old
15-digit form), mainland mobiles (also spaced, dashed or +86), landlines with an area code, bank
card numbers (Luhn-valid 16–19 digits), e-mail addresses, and personal names where the text
introduces them ("我叫张伟", "姓名：李娜", "联系人王强") or addresses someone ("王师傅", "刘女士").
Names without such a cue are not guessed: a false mask of a company or place name would make a
digest unreadable, so the cue list is the contract (tests pin it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unionhome.core.validators import id_check_char

_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<!\d)(\d{15})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d(?:[\s-]?\d{4}){2})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}[\s-]\d{7,8})(?!\d)")
_CARD = re.compile(r"(?<!\d)((?:\d[\s-]?){15,18}\d)(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常"
    "武乔贺赖龚文"
)
# Characters that end a name rather than continue it ("联系人李娜说" is 李娜, not 李娜说).
_STOP = "[说讲在是的和与跟同等称反了也都就还来去到被把向对给让]"
_CUE_NAME = re.compile(
    r"(我叫|本人叫|名叫|姓名[:：]?\s*|联系人[:：]?\s*|职工\s*|来电人\s*|当事人\s*)"
    rf"([{_SURNAMES}][\u4e00-\u9fff](?:(?!{_STOP})[\u4e00-\u9fff])?)"
)
_ADDRESSED = re.compile(rf"([{_SURNAMES}])([\u4e00-\u9fff]?)(师傅|女士|先生|阿姨|大姐|大哥)")


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _ascii_digits(text: str) -> str:
    """Full-width digits, letters and the signs used in numbers/addresses as ASCII, one character
    for one, so spans found in the result are spans of the original; CJK punctuation stays."""
    return "".join(
        chr(ord(c) - 0xFEE0) if ("０" <= c <= "９" or "Ａ" <= c <= "ｚ" or c in "＋－＠．＿") else c
        for c in text
    )


def find(text: str) -> list[Finding]:
    """Spans of personal data, longest first where they overlap."""
    text = _ascii_digits(text)
    found: list[Finding] = []
    for m in _ID18.finditer(text):
        value = m.group(1).upper()
        if id_check_char(value[:17]) == value[17]:
            found.append(Finding("id_number", *m.span(1)))
    for m in _ID15.finditer(text):
        found.append(Finding("id_number", *m.span(1)))
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(1))
        if 16 <= len(digits) <= 19 and _luhn_ok(digits):
            found.append(Finding("bank_card", *m.span(1)))
    for m in _MOBILE.finditer(text):
        found.append(Finding("phone", *m.span(1)))
    for m in _LANDLINE.finditer(text):
        found.append(Finding("phone", *m.span(1)))
    for m in _EMAIL.finditer(text):
        found.append(Finding("email", *m.span()))
    for m in _CUE_NAME.finditer(text):
        found.append(Finding("name", m.start(2) + 1, m.end(2)))  # keep the surname
    for m in _ADDRESSED.finditer(text):
        if m.group(2):
            found.append(Finding("name", *m.span(2)))
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    merged: list[Finding] = []
    for f in found:
        if merged and f.start < merged[-1].end:
            continue
        merged.append(f)
    return merged


def mask(text: str) -> str:
    """The text with every finding replaced by asterisks of the same length (surnames stay);
    11-digit mobiles keep their first three and last four digits."""
    text = _ascii_digits(text)
    out, last = [], 0
    for f in find(text):
        out.append(text[last : f.start])
        value = text[f.start : f.end]
        if f.kind == "phone" and len(re.sub(r"\D", "", value)) == 11:
            digits = re.sub(r"\D", "", value)
            out.append(f"{digits[:3]}****{digits[-4:]}")
        else:
            out.append("*" * len(value))
        last = f.end
    out.append(text[last:])
    return "".join(out)
