"""jieba with the domain dictionary, loaded lazily into a private tokenizer."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import unionhome
from unionhome.text import tokenise as tokenise_module
from unionhome.text.tokenise import domain_words, search_tokens, tokenise


@pytest.mark.parametrize(
    "word",
    ["拖欠工资", "五险一金", "工伤认定", "劳务派遣", "外卖骑手", "职代会", "厂务公开", "金秋助学",
     "12351", "职工之家", "网约车", "经济补偿"],
)  # fmt: skip
def test_domain_words_stay_whole(word):
    assert word in tokenise(f"我想问一下{word}的事情")


def test_dictionary_is_big_enough_and_normalised():
    words = domain_words()
    assert len(words) >= 60
    assert len(set(words)) == len(words)
    # The tokeniser sees normalised text, so the dictionary must be in that form too.
    from unionhome.text.normalise import normalise_for_matching

    assert [w for w in words if normalise_for_matching(w) != w] == []


def test_traditional_and_full_width_give_the_simplified_tokens():
    assert tokenise("老闆拖欠工資，想申請工傷認定") == tokenise("老板拖欠工资，想申请工伤认定")
    assert tokenise("拨打１２３５１") == tokenise("拨打12351")


def test_punctuation_and_spaces_are_dropped():
    tokens = tokenise("  欠薪！！！  社保？？ ……")
    assert tokens == ["欠薪", "社保"]
    assert tokenise("") == []
    assert tokenise(None) == []


def test_search_mode_also_emits_the_shorter_words():
    tokens = search_tokens("外卖骑手申请工伤认定")
    assert {"外卖", "骑手", "外卖骑手", "工伤", "工伤认定"} <= set(tokens)


def test_the_tokenizer_is_private_and_built_once():
    first = tokenise_module.get_tokenizer()
    assert tokenise_module.get_tokenizer() is first
    import jieba

    assert first is not jieba.dt


def test_importing_the_text_modules_loads_neither_jieba_nor_sklearn():
    code = (
        "import sys\n"
        "import unionhome.text.tokenise, unionhome.text.classify, unionhome.text.spam\n"
        "assert 'jieba' not in sys.modules, 'jieba imported'\n"
        "assert 'sklearn' not in sys.modules, 'sklearn imported'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(unionhome.__file__).resolve().parent.parent)}
    result = subprocess.run(  # noqa: S603 - our own interpreter running fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env
    )
    assert result.returncode == 0, result.stderr
