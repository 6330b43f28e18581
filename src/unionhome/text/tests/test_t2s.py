"""The Traditional → Simplified table converts exactly as OpenCC's t2s does."""

import json
import random

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unionhome.text import t2s
from unionhome.text.cluster import to_simplified as bulk_to_simplified
from unionhome.text.normalise import normalise_for_search
from unionhome.text.t2s import CHARACTER, NORMALISE, PHRASE, converter, read_table

OPENCC = opencc.OpenCC("t2s")
_HEAD, ROWS = read_table()
PHRASES = [key for kind, key, _value in ROWS if kind == PHRASE]
CHARACTERS = [key for kind, key, _value in ROWS if kind in (CHARACTER, NORMALISE)]


def test_the_table_was_exported_from_the_installed_opencc():
    assert _HEAD["opencc"] == opencc.__version__, "rerun `manage.py export_t2s`"
    assert len(PHRASES) > 400 and len(CHARACTERS) > 4000


def test_every_phrase_and_character_converts_as_opencc_does_alone_and_in_context():
    convert = converter().convert
    for phrase in PHRASES:
        for text in (phrase, f"前{phrase}後", phrase + phrase, phrase[:-1], phrase[1:]):
            assert convert(text) == OPENCC.convert(text), text
    for char in CHARACTERS:
        assert convert(char) == OPENCC.convert(char), char


def test_phrases_win_over_characters_and_keep_what_they_must():
    assert t2s.to_simplified("乾隆皇帝在乾燥的天氣裡") == OPENCC.convert("乾隆皇帝在乾燥的天氣裡")
    assert t2s.to_simplified("乾隆").startswith("乾")
    assert t2s.to_simplified("無錫恆達精密機械有限公司") == "无锡恒达精密机械有限公司"


def test_the_corpus_in_traditional_characters_converts_as_opencc_does():
    to_traditional = opencc.OpenCC("s2t")
    path = t2s.TABLE_PATH.parent / "demand_corpus.jsonl"
    with path.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines if line.strip()]
    for text in texts:
        traditional = to_traditional.convert(text)
        assert t2s.to_simplified(traditional) == OPENCC.convert(traditional)
    joined = "\n".join(to_traditional.convert(text) for text in texts)
    assert t2s.to_simplified(joined) == bulk_to_simplified(joined)


def test_overlapping_phrases_are_matched_left_to_right_like_opencc():
    rng = random.Random(20261128)
    for _ in range(3000):
        text = "".join(rng.choice(PHRASES) for _ in range(3))[rng.randint(0, 3) :]
        assert t2s.to_simplified(text) == OPENCC.convert(text), text


_ALPHABET = sorted({char for phrase in PHRASES for char in phrase}) + CHARACTERS[:300]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_ALPHABET + list("工资ab1 ，\n")), max_size=40))
def test_any_mix_of_dictionary_characters_converts_as_opencc_does(text):
    assert t2s.to_simplified(text) == OPENCC.convert(text)


def test_search_form_is_unchanged():
    assert normalise_for_search("無錫 恆達ＡＢＣ") == "无锡 恒达abc"


def test_the_export_reproduces_the_shipped_table(tmp_path):
    pytest.importorskip("marisa_trie", reason="the export reads OpenCC's keys with marisa-trie")
    t2s.export_table(tmp_path / "t2s.tsv")
    assert (tmp_path / "t2s.tsv").read_text(encoding="utf-8") == t2s.TABLE_PATH.read_text(
        encoding="utf-8"
    )
