"""The committed translation catalogues are complete, compiled, and used by the pages.

Refresh them with `make messages` (manage.py translate_catalogs), translate what it lists for
English, and commit the .po and .mo files together.
"""

import re
from pathlib import Path

import opencc
import polib
import pytest
from django.conf import settings
from django.utils import translation

from unionhome.text.management.commands.translate_catalogs import (
    OPENCC_CONFIG,
    _fill,
    _trim_plural_slots,
)

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def catalog(locale: str, suffix: str = "po") -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"django.{suffix}"


def live_entries(locale: str) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(catalog(locale))) if not entry.obsolete]


def translation_of(locale: str, msgid: str) -> str:
    entry = polib.pofile(str(catalog(locale))).find(msgid)
    assert entry is not None and entry.msgstr, f"{msgid!r} is not in the {locale} catalogue"
    return entry.msgstr


def assert_complete(locale: str) -> None:
    entries = live_entries(locale)
    assert entries, f"the {locale} catalogue has no messages"
    untranslated = [e.msgid for e in entries if not e.translated() and not e.fuzzy]
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    assert not untranslated, f"{locale}: untranslated {untranslated}"
    assert not fuzzy, f"{locale}: fuzzy (check and clear the flag) {fuzzy}"
    for entry in entries:
        if "python-format" not in entry.flags:
            continue
        wanted = sorted(_PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        msgstrs = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for msgstr in msgstrs:
            assert sorted(_PLACEHOLDER.findall(msgstr)) == wanted, (
                f"{locale}: placeholders differ in {msgstr!r} for {entry.msgid!r}"
            )


def test_every_english_message_is_translated():
    assert_complete("en")


def test_every_traditional_message_is_translated():
    assert_complete("zh_Hant")


def _messages(entries) -> dict:
    return {
        (e.msgctxt, e.msgid): e.msgstr_plural if e.msgid_plural else e.msgstr
        for e in entries
        if e.msgid
    }


@pytest.mark.parametrize("locale", ["en", "zh_Hant"])
def test_compiled_catalogs_match_their_sources(locale):
    # Compares contents rather than mtimes, which a fresh clone does not preserve. msgfmt leaves
    # out untranslated and fuzzy entries, so only the translated ones are expected in the .mo.
    po = polib.pofile(str(catalog(locale)))
    mo = polib.mofile(str(catalog(locale, "mo")))
    expected = _messages(po.translated_entries())
    assert _messages(mo) == expected, f"{catalog(locale, 'mo')} is stale: run make messages"


def test_compiled_catalogs_load():
    with translation.override("en"):
        assert translation.gettext("登录") == translation_of("en", "登录")
    with translation.override("zh-hant"):
        assert translation.gettext("登录") == translation_of("zh_Hant", "登录")
    with translation.override("zh-hans"):
        assert translation.gettext("登录") == "登录"


def test_login_page_speaks_the_chosen_language(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans"' in page
    assert "登录" in page

    for language, locale in [("en", "en"), ("zh-hant", "zh_Hant")]:
        response = client.post("/i18n/setlang/", {"language": language, "next": "/accounts/login/"})
        assert response.status_code == 302
        page = client.get("/accounts/login/").content.decode()
        assert f'<html lang="{language}"' in page
        assert translation_of(locale, "登录") in page


def test_traditional_fill_keeps_hand_corrections_and_redoes_fuzzy_entries():
    converter = opencc.OpenCC(OPENCC_CONFIG)
    empty = polib.POEntry(msgid="退出登录", msgstr="")
    manual = polib.POEntry(msgid="登录", msgstr="登入")
    fuzzy = polib.POEntry(msgid="组织树", msgstr="舊譯", flags=["fuzzy"], previous_msgid="旧")
    plural = polib.POEntry(
        msgid="找到 %(n)s 个组织",
        msgid_plural="找到 %(n)s 个组织",
        msgstr_plural={0: "", 1: ""},
        flags=["python-format"],
    )

    assert [_fill(e, converter, 1) for e in (empty, manual, fuzzy)] == [True, False, True]
    assert (empty.msgstr, manual.msgstr, fuzzy.msgstr) == ("退出登錄", "登入", "組織樹")
    assert not fuzzy.fuzzy and fuzzy.previous_msgid is None

    _trim_plural_slots(plural, 1)
    assert _fill(plural, converter, 1)
    assert plural.msgstr_plural == {0: "找到 %(n)s 個組織"}
