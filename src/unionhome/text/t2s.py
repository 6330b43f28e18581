"""Traditional → Simplified conversion, OpenCC's `t2s` in a few lines of Python and a table.

OpenCC itself costs a web worker ≈ 5 MiB (its C++ library, then the converter's dictionaries in
memory; `bench/README.md`), for what every submission and search does once. Its `t2s`
configuration is small: a normalisation pass over CJK compatibility ideographs, then, left to
right, the longest key of `TSPhrases` (477 phrases) that starts at the position, else the
character's entry in `TSCharactersExt` then `TSCharacters`, else the character as it is. This
module does the same with the table `manage.py export_t2s` writes from the installed OpenCC
(`data/t2s.tsv`: the phrases, and every character whose conversion changes it), ≈ 0.5 MiB loaded
on first use. A test compares it with OpenCC on every phrase in context, every character and
the shipped corpus in Traditional form; rerun the export after upgrading OpenCC.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE_PATH = Path(__file__).resolve().parent / "data" / "t2s.tsv"
TABLE_FORMAT = 1
# One letter a row: normalisation (compatibility ideograph), character, phrase.
NORMALISE, CHARACTER, PHRASE = "n", "c", "p"


@dataclass(frozen=True)
class Converter:
    normalise: dict[int, str]
    characters: dict[int, str]
    phrases: dict[str, str]
    prefixes: frozenset[str]  # every beginning of a phrase, two characters or more
    phrase_start: re.Pattern[str]

    @classmethod
    def from_rows(cls, rows) -> Converter:
        normalise: dict[int, str] = {}
        characters: dict[int, str] = {}
        phrases: dict[str, str] = {}
        for kind, key, value in rows:
            if kind == PHRASE:
                if len(key) < 2:
                    raise ValueError(f"t2s table: phrase {key!r} is shorter than two characters")
                phrases[key] = value
            elif kind in (NORMALISE, CHARACTER) and len(key) == 1:
                (normalise if kind == NORMALISE else characters)[ord(key)] = value
            else:
                raise ValueError(f"t2s table: bad row {kind!r} {key!r}")
        starts = "".join(sorted({re.escape(key[0]) for key in phrases}))
        return cls(
            normalise, characters, phrases,
            prefixes=frozenset(key[:n] for key in phrases for n in range(2, len(key) + 1)),
            phrase_start=re.compile(f"[{starts}]" if starts else "(?!)"),
        )  # fmt: skip

    def convert(self, text: str) -> str:
        text = text.translate(self.normalise)
        phrases, prefixes, length = self.phrases, self.prefixes, len(text)
        out: list[str] = []
        done = position = 0  # text[:done] is converted; phrases are looked for from `position`
        while (match := self.phrase_start.search(text, position)) is not None:
            start = match.start()
            longest = 0  # the longest phrase starting here, grown while it is still a prefix
            size = 2
            while start + size <= length and (piece := text[start : start + size]) in prefixes:
                if piece in phrases:
                    longest = size
                size += 1
            if longest:
                out.append(text[done:start].translate(self.characters))
                out.append(phrases[text[start : start + longest]])
                done = position = start + longest
            else:
                position = start + 1
        out.append(text[done:].translate(self.characters))
        return "".join(out)


def read_table(path: Path = TABLE_PATH) -> tuple[dict, list[tuple[str, str, str]]]:
    with path.open(encoding="utf-8") as lines:
        head = json.loads(next(lines))
        if head.get("format") != TABLE_FORMAT:
            raise ValueError(f"unknown t2s table format {head.get('format')!r}")
        return head, [tuple(line.rstrip("\n").split("\t")) for line in lines if line.strip()]


@cache
def converter() -> Converter:
    return Converter.from_rows(read_table()[1])


def to_simplified(text: str) -> str:
    return converter().convert(text)


# --- export (needs OpenCC and marisa-trie, which reads the keys of OpenCC's dictionaries) ------
def _dictionary_keys(name: str) -> list[str]:
    import marisa_trie
    import opencc

    data = (
        Path(opencc.__file__).parent / "clib" / "share" / "opencc" / f"{name}.ocd2"
    ).read_bytes()
    header = b"OPENCC_MARISA_0.2.5"
    if not data.startswith(header):
        raise ValueError(f"{name}.ocd2: not an OpenCC marisa dictionary")
    trie = marisa_trie.Trie()
    trie.frombytes(data[len(header) :])
    return sorted(trie.keys())


def export_table(path: Path = TABLE_PATH) -> dict[str, int]:
    """Write the table from the installed OpenCC: its `t2s` configuration must still be the
    one described above, and each value is what OpenCC itself makes of the key."""
    import unicodedata

    import opencc

    config = json.loads(
        (Path(opencc.__file__).parent / "clib" / "share" / "opencc" / "t2s.json").read_text()
    )
    group = config["conversion_chain"][0]["dict"]
    expected = ["TSPhrases.ocd2", "TSCharactersExt.ocd2", "TSCharacters.ocd2"]
    if (
        [d["dict"]["file"] for d in config.get("normalization", [])]
        != ["CJK_Compatibility_Ideographs.ocd2"]
        or len(config["conversion_chain"]) != 1
        or group.get("match_policy") != "short_circuit"
        or [d["file"] for d in group["dicts"]] != expected
        or "segmentation" in config
    ):
        raise ValueError("OpenCC's t2s configuration changed: update unionhome.text.t2s")
    t2s = opencc.OpenCC("t2s")
    rows: list[tuple[str, str, str]] = []
    for key in _dictionary_keys("CJK_Compatibility_Ideographs"):
        unified = unicodedata.normalize("NFC", key)
        if t2s.convert(key) != t2s.convert(unified):
            raise ValueError(f"OpenCC normalises {key!r} other than to NFC {unified!r}")
        if unified != key:
            rows.append((NORMALISE, key, unified))
    characters = set(_dictionary_keys("TSCharactersExt")) | set(_dictionary_keys("TSCharacters"))
    for key in sorted(characters):
        value = t2s.convert(key)
        if value != key:
            rows.append((CHARACTER, key, value))
    # Every phrase, also those that convert to themselves: they keep their characters from
    # the character table (乾隆 stays 乾隆 though 乾 alone becomes 干).
    rows.extend((PHRASE, key, t2s.convert(key)) for key in _dictionary_keys("TSPhrases"))
    head = {"format": TABLE_FORMAT, "opencc": opencc.__version__, "config": "t2s"}
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(head, ensure_ascii=False) + "\n")
        out.writelines(f"{kind}\t{key}\t{value}\n" for kind, key, value in rows)
    return {
        kind: sum(1 for row in rows if row[0] == kind) for kind in (NORMALISE, CHARACTER, PHRASE)
    }
