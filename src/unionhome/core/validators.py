"""Validators for Chinese identifiers: each refuses bad input with a message a clerk can act on.

- GB/T 2260 administrative region codes (6 digits)
- GB 32100-2015 unified social credit codes (18 characters, mod-31 check character)
- GB 11643-1999 citizen identity numbers (18 characters, ISO 7064 MOD 11-2 check character)
- mainland mobile numbers (11 digits)
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB/T 2260 first two digits: provinces, autonomous regions, municipalities, SARs and Taiwan.
PROVINCE_CODES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省",
    "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip


def to_halfwidth(value: str) -> str:
    """Full-width digits and letters (０-９, Ａ-Ｚ) typed on Chinese keyboards become ASCII."""
    return unicodedata.normalize("NFKC", value).strip()


# --- Administrative region codes ------------------------------------------------------------
def normalise_region_code(value: str) -> str:
    return to_halfwidth(value).replace(" ", "")


def validate_region_code(value: str) -> None:
    code = normalise_region_code(value)
    if not re.fullmatch(r"\d{6}", code):
        raise ValidationError(
            _("行政区划代码应为6位数字（GB/T 2260），收到“%(value)s”。"),
            code="region_format",
            params={"value": value},
        )
    if code[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("行政区划代码“%(value)s”的前两位不是有效的省级代码。"),
            code="region_province",
            params={"value": value},
        )
    if code[2:4] == "00" and code[4:] != "00":
        raise ValidationError(
            _("行政区划代码“%(value)s”无效：地市位为00时区县位也必须为00。"),
            code="region_structure",
            params={"value": value},
        )


def region_level(code: str) -> str:
    """'province', 'city' or 'county' by which trailing digit pairs are zero."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def region_contains(outer: str, inner: str) -> bool:
    """True when region `inner` lies inside (or is) region `outer`."""
    prefix = outer.rstrip("0")
    # Keep whole digit pairs: "320200" → "3202", "320000" → "32", "320205" → "320205".
    if len(prefix) % 2:
        prefix += "0"
    return inner.startswith(prefix)


# --- Unified social credit code (GB 32100-2015) ---------------------------------------------
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalise_uscc(value: str) -> str:
    return to_halfwidth(value).replace(" ", "").upper()


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    code = normalise_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，收到%(length)d位。"),
            code="uscc_length",
            params={"length": len(code)},
        )
    bad = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用I、O、S、V、Z）。"),
            code="uscc_chars",
            params={"chars": "".join(bad)},
        )
    if not code[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第3至8位应为行政区划代码。"), code="uscc_region")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：按GB 32100应为“%(expected)s”，请核对是否输错。"),
            code="uscc_checksum",
            params={"expected": expected},
        )


def validate_union_uscc(value: str) -> None:
    """A union's own legal-person code is a USCC issued by the union registry (authority '8')."""
    validate_uscc(value)
    if normalise_uscc(value)[0] != "8":
        raise ValidationError(
            _("工会法人统一社会信用代码应以8开头（登记管理部门为工会）。"),
            code="union_uscc_authority",
        )


# --- Citizen identity number (GB 11643-1999) ------------------------------------------------
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def normalise_id_number(value: str) -> str:
    return to_halfwidth(value).replace(" ", "").upper()


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def validate_id_number(value: str) -> None:
    number = normalise_id_number(value)
    if len(number) == 15:
        raise ValidationError(_("这是旧版15位身份证号码，请填写现行的18位号码。"), code="id_legacy")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(
            _("身份证号码应为18位：17位数字加1位校验码（数字或X）。"), code="id_format"
        )
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(_("身份证号码前两位不是有效的省级行政区划代码。"), code="id_region")
    try:
        born = id_birth_date(number)
    except ValueError:
        raise ValidationError(
            _("身份证号码中的出生日期“%(date)s”不存在。"),
            code="id_birth_date",
            params={"date": number[6:14]},
        ) from None
    if born > timezone.localdate() or born.year < 1900:
        raise ValidationError(
            _("身份证号码中的出生日期“%(date)s”不合理。"),
            code="id_birth_range",
            params={"date": number[6:14]},
        )
    if number[17] != id_check_char(number[:17]):
        raise ValidationError(_("身份证号码校验位错误，请核对是否输错。"), code="id_checksum")


# --- Mainland mobile numbers ----------------------------------------------------------------
def normalise_phone(value: str) -> str:
    phone = re.sub(r"[\s\-()]", "", to_halfwidth(value))
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
    return phone


def validate_mobile(value: str) -> None:
    if not re.fullmatch(r"1[3-9]\d{9}", normalise_phone(value)):
        raise ValidationError(
            _("手机号码应为11位中国大陆手机号，以13至19开头。"), code="mobile_format"
        )


def looks_like_mobile(value: str) -> bool:
    return bool(re.fullmatch(r"1[3-9]\d{9}", normalise_phone(value)))
