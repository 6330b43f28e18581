"""Word segmentation of demand text: jieba with a domain dictionary.

jieba's dictionary costs about 70 MB and a second or more to load, so nothing happens at import
time: a private `jieba.Tokenizer` (not jieba's global one, which other code may configure) is
built on first use, under a lock, and kept for the life of the process. Web workers that never
tokenise never pay for it (the classifier uses character n-grams and does not need jieba).

Text is normalised first (`normalise_for_matching`: width, Traditional → Simplified, lower case),
so "工傷認定" and "工伤认定" give the same tokens. The domain words live in
`data/domain_dict.txt`.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from unionhome.text.normalise import normalise_for_matching

if TYPE_CHECKING:
    import jieba

DOMAIN_DICTIONARY = Path(__file__).resolve().parent / "data" / "domain_dict.txt"

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def domain_words() -> list[str]:
    """The words of the domain dictionary, in file order."""
    words = []
    for line in DOMAIN_DICTIONARY.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(word)
    return words


def _build() -> jieba.Tokenizer:
    import jieba  # deliberately lazy: ~70 MB once the dictionary loads

    # jieba logs "Building prefix dict..." at DEBUG to stderr; keep command output clean.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in domain_words():
        tokenizer.add_word(word)
    return tokenizer


def get_tokenizer() -> jieba.Tokenizer:
    """The process-wide tokenizer, built on first call (thread-safe)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _build()
    return _tokenizer


def is_loaded() -> bool:
    """Whether the dictionary has been loaded in this process (for tests and diagnostics)."""
    return _tokenizer is not None


def _is_word(token: str) -> bool:
    # Drop whitespace and pure punctuation/symbol tokens; keep words, numbers and latin runs.
    return any(unicodedata.category(char)[0] in "LN" for char in token)


def tokenise(text: str | None) -> list[str]:
    """Words of `text` (normalised to Simplified lower case), punctuation and spaces dropped:
    "老闆拖欠工資，想申請工傷認定" → ['老板', '拖欠工资', '想', '申请', '工伤认定']."""
    normalised = normalise_for_matching(text)
    if not normalised:
        return []
    return [token for token in get_tokenizer().lcut(normalised) if _is_word(token)]


def search_tokens(text: str | None) -> list[str]:
    """Tokens for a full-text index: jieba's search mode also emits the shorter words inside long
    ones (外卖骑手 → 外卖, 骑手, 外卖骑手), so a search for 骑手 finds 外卖骑手."""
    normalised = normalise_for_matching(text)
    if not normalised:
        return []
    return [token for token in get_tokenizer().lcut_for_search(normalised) if _is_word(token)]
