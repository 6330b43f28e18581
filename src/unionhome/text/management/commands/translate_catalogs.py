"""Refresh the translation catalogues: extract, derive Traditional Chinese, compile.

Source strings (msgids) are Simplified Chinese. Two catalogues are kept in LOCALE_PATHS[0]:

* ``zh_Hant``: derived from the msgids with OpenCC. Only empty or fuzzy entries are (re)filled,
  so a Traditional wording someone corrected by hand in the .po file survives later runs.
* ``en``: written by hand. This command never touches an English msgstr; it only reports how many
  still need a translator.

Run it as ``make messages`` after changing any translatable string, then translate what it lists
for English and commit both .po and .mo files.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import opencc
import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

DOMAIN = "django"
TRADITIONAL = "zh_Hant"
ENGLISH = "en"
LOCALES = (TRADITIONAL, ENGLISH)
HEADERS = {
    TRADITIONAL: (
        "unionhome: Traditional Chinese.\n"
        "Derived from the Simplified msgids by `manage.py translate_catalogs` (OpenCC); a msgstr\n"
        "corrected here by hand is kept by later runs."
    ),
    ENGLISH: (
        "unionhome: English.\n"
        "Written by hand; `manage.py translate_catalogs` adds new msgids with an empty msgstr."
    ),
}

# "s2tw" (characters, Taiwan standard glyphs), not "s2twp" (which also swaps in Taiwan phrasing):
# this is a mainland institution's vocabulary and s2twp's phrase tables change its meaning, e.g.
# 行政区划代码 → 行政區劃程式碼 ("program code"), 权限 → 許可權, 社区工联会 → 社群工聯會 ("online
# community"), 组织类型 → 組織型別 ("data type"). A phrase that reads better otherwise (登錄 → 登入)
# can be corrected by hand in the .po file, which this command then keeps.
OPENCC_CONFIG = "s2tw"

# makemessages walks the working directory, which is BASE_DIR. Directory patterns are given both
# bare (so the walk prunes the directory) and with "/*" (so nothing below it is read either way).
IGNORE_PATTERNS = [
    ".venv",
    ".venv/*",
    "venv",
    "venv/*",
    "var",
    "var/*",
    "bench",
    "bench/*",
    "staticfiles",
    "staticfiles/*",
    "node_modules",
    "tests",
    "*/tests/*",
    "test_*.py",
    "conftest.py",
]


class Command(BaseCommand):
    help = (
        "Extract translatable strings into the zh_Hant and en catalogues, fill zh_Hant from the "
        "Simplified msgids with OpenCC, keep hand-written translations, and compile .mo files."
    )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        locale_dir = Path(settings.LOCALE_PATHS[0])
        base_dir = Path(settings.BASE_DIR)
        po_paths = {loc: locale_dir / loc / "LC_MESSAGES" / f"{DOMAIN}.po" for loc in LOCALES}

        # From BASE_DIR, makemessages sends every file under src/unionhome/ to the catalogue in
        # LOCALE_PATHS[0] (its default and the locale directory it finds nearest those files).
        # Running from a fixed directory keeps location comments the same whoever runs it.
        with contextlib.chdir(base_dir):
            call_command(
                "makemessages",
                locale=list(LOCALES),
                domain=DOMAIN,
                ignore_patterns=list(IGNORE_PATTERNS),
                no_obsolete=True,
                no_wrap=True,
                # File names without line numbers: an edit elsewhere in a file doesn't churn them.
                add_location="file",
                verbosity=verbosity,
            )

        missing = [str(path) for path in po_paths.values() if not path.exists()]
        if missing:
            raise CommandError(f"makemessages did not write {', '.join(missing)}")

        converter = opencc.OpenCC(OPENCC_CONFIG)
        filled = self._update(po_paths[TRADITIONAL], TRADITIONAL, converter)
        self._update(po_paths[ENGLISH], ENGLISH, None)

        with contextlib.chdir(locale_dir.parent):
            call_command("compilemessages", locale=list(LOCALES), verbosity=verbosity)

        english = polib.pofile(str(po_paths[ENGLISH]))
        untranslated = [e for e in english.untranslated_entries() if not e.obsolete]
        fuzzy = [e for e in english.fuzzy_entries() if not e.obsolete]
        self.stdout.write(f"{TRADITIONAL}: {filled} message(s) filled from the Simplified source.")
        if untranslated or fuzzy:
            self.stdout.write(
                self.style.WARNING(
                    f"{ENGLISH}: {len(untranslated)} untranslated and {len(fuzzy)} fuzzy "
                    f"message(s) need a translator in {po_paths[ENGLISH]}; run this command "
                    "again afterwards to compile them."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{ENGLISH}: every message is translated."))

    def _update(self, path: Path, locale: str, converter: opencc.OpenCC | None) -> int:
        """Tidy the header; with a converter, fill empty or fuzzy msgstrs. Returns how many."""
        # Unwrapped, like makemessages --no-wrap: polib's own wrapping counts characters, not
        # display columns, and would rewrap Chinese lines differently from gettext's tools.
        po = polib.pofile(str(path), wrapwidth=0)
        # A new catalogue starts with a fuzzy template header that names no language.
        po.metadata_is_fuzzy = False
        if not po.header or po.header.startswith("SOME DESCRIPTIVE TITLE"):
            po.header = HEADERS[locale]
        if po.metadata.get("Project-Id-Version", "PACKAGE VERSION") == "PACKAGE VERSION":
            po.metadata["Project-Id-Version"] = "unionhome"
        po.metadata["Language"] = locale
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        nplurals = _nplurals(po, path)

        filled = 0
        for entry in po:
            if entry.obsolete:
                continue
            _trim_plural_slots(entry, nplurals)
            if converter is not None and _fill(entry, converter, nplurals):
                filled += 1
        po.save(str(path))
        return filled


def _nplurals(po: polib.POFile, path: Path) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    if not match:
        raise CommandError(f"{path} has no usable Plural-Forms header")
    return int(match.group(1))


def _trim_plural_slots(entry: polib.POEntry, nplurals: int) -> None:
    """A catalogue created from the template has two plural slots whatever its language, and
    msgfmt --check rejects slots beyond the header's nplurals (Chinese has one)."""
    for index in [i for i in entry.msgstr_plural if i >= nplurals]:
        del entry.msgstr_plural[index]


def _fill(entry: polib.POEntry, converter: opencc.OpenCC, nplurals: int) -> bool:
    """Fill an entry's empty msgstr(s) from its msgid; a fuzzy entry is converted afresh."""
    fuzzy = entry.fuzzy
    changed = False
    if entry.msgid_plural:
        for index in range(nplurals):
            if fuzzy or not entry.msgstr_plural.get(index):
                # With one form (Chinese) form 0 covers every count, so it follows the plural
                # msgid; with more forms, form 0 is the singular.
                source = entry.msgid if index == 0 and nplurals > 1 else entry.msgid_plural
                entry.msgstr_plural[index] = converter.convert(source)
                changed = True
    elif fuzzy or not entry.msgstr:
        entry.msgstr = converter.convert(entry.msgid)
        changed = True
    if fuzzy:
        entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
        entry.previous_msgctxt = None
    return changed
