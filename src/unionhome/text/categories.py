"""The twelve demand categories (诉求分类) shared by intake, the classifier and reports.

Codes are stable identifiers for code and URLs; names are what the 12351 hotline and the union's
forms call them, and what the batch classifier prints.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemandCategory(models.TextChoices):
    WAGES = "wages", _("工资报酬")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    CONTRACT = "contract", _("劳动合同")
    HOURS_LEAVE = "hours_leave", _("工时与休假")
    SAFETY_INJURY = "safety_injury", _("安全卫生与工伤")
    HARDSHIP = "hardship", _("困难帮扶")
    LEGAL_DISPUTE = "legal_dispute", _("法律援助与争议")
    DEMOCRATIC = "democratic", _("民主管理")
    MEMBERSHIP = "membership", _("入会与会员服务")
    SKILLS = "skills", _("技能与发展")
    NEW_EMPLOYMENT = "new_employment", _("新就业形态")
    OTHER = "other", _("其他建议")


# The Simplified Chinese names, independent of the active UI language (the batch interface and
# the shipped corpus use these exact strings).
CATEGORY_NAMES: dict[str, str] = {
    "wages": "工资报酬",
    "social_insurance": "社会保险",
    "contract": "劳动合同",
    "hours_leave": "工时与休假",
    "safety_injury": "安全卫生与工伤",
    "hardship": "困难帮扶",
    "legal_dispute": "法律援助与争议",
    "democratic": "民主管理",
    "membership": "入会与会员服务",
    "skills": "技能与发展",
    "new_employment": "新就业形态",
    "other": "其他建议",
}
CODE_BY_NAME = {name: code for code, name in CATEGORY_NAMES.items()}
