"""Grouping demands: near-duplicates (one concrete problem) and topics (one kind of problem).

The digest and ``manage.py cluster_demands`` both call `cluster_items`. Steps:

1. Texts are normalised in batches (width, Traditional → Simplified, lower case, domain synonyms
   of ``data/cluster_synonyms.txt``), and identical (text, declared employer) pairs collapse
   into one *unit*: everything below works on units, so a complaint pasted 500 times costs one.
2. Employers are recognised (`EmployerMatcher`): the declared name, or a name in the text —
   in full, without the city, a short form ("恒达精密"), the brand before a trade word or 厂/公司,
   or the brand with one wrong character before its own trade word ("衡达精密") — matched to
   ``known_employers`` and to full company names seen in the batch. Its words are then taken
   out of the text the topics see, with the hotline's boilerplate ("来电人反映").
3. Near-duplicates by text: MinHash (datasketch's scheme, computed in NumPy for the batch) over
   character 2-grams, LSH banding, estimated Jaccard ≥ 0.5, joined as connected components
   that never join two employers.
4. Topics: TF-IDF of character 2-grams plus TF-IDF of domain concepts
   (``data/cluster_concepts.txt``), average-linkage (cosine) clustering of the provisional
   duplicate groups — all of them for batches up to a few thousand, else a seeded sample, every
   other group then assigned to the nearest sample topic.
5. Near-duplicates by employer: groups about the same employer in the same topic, or with the
   same main concept, are one problem (workers describe one case in very different words, so
   text similarity alone misses them). Two groups with different employers are never merged,
   and a group split over topics moves whole into the topic most of it is in.

Steps 1–3's per-text work runs on ``workers`` forked processes for large batches. Nothing here
touches Django; callers pass employer names in. Deterministic for a fixed seed and input.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from unionhome.text.employers import core_of_key, key_of_normalised
from unionhome.text.employers import employer_key as _employer_key_uncached

DATA = Path(__file__).resolve().parent / "data"


@cache
def _opencc_t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """OpenCC itself over batches of a million texts: its C++ is ≈ 2.5× faster than the table
    web workers use (`text.t2s`, the same conversion, compared in its tests), and clustering
    runs in task workers, which load numpy anyway."""
    return _opencc_t2s().convert(text)


SYNONYMS_PATH = DATA / "cluster_synonyms.txt"


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    employer: str = ""  # declared employer name, if the worker gave one


@dataclass
class Topic:
    id: int  # deterministic: clusters ordered by size desc, then smallest member id
    member_ids: list[str]
    representative_id: str  # the most central member
    keywords: list[str]  # top 5–8 keywords (Simplified)
    employers: list[str]  # employer names recognised in the members, most frequent first


@dataclass
class Clustering:
    duplicate_group: dict[str, str | None]  # item id -> near-duplicate group id (shared), or None
    cluster: dict[str, int]  # item id -> Topic.id
    employer: dict[str, str | None]  # item id -> recognised canonical employer name, or None
    topics: list[Topic]


@dataclass(frozen=True)
class Settings:
    """Thresholds, tuned on ``data/cluster_eval.jsonl`` (``manage.py evaluate_clustering``)."""

    num_perm: int = 64
    bands: int = 16  # 16 bands of 4 rows: pairs from Jaccard ≈ 0.5 up become candidates
    min_jaccard: float = 0.5  # estimated Jaccard of character 2-grams for a textual duplicate
    topic_distance: float = 0.65  # average-linkage cosine distance at which topics stop merging
    exact_sample: int = 3000  # units clustered exactly; above this, a sample of this size
    min_topic_cosine: float = 0.15  # below this a unit outside the sample starts its own topic
    hash_features: int = 2**18
    concept_weight: float = 0.7  # share of a row's squared norm that its concepts carry
    keyword_sample: int = 30  # members per topic whose words are counted for keywords
    # Topics (the largest) whose keywords come from jieba's words; smaller ones get their
    # concepts: jieba costs about 0.25 ms a text, too much for 100,000 topics of one demand.
    keyword_topics: int = 2000


# -- normalisation ------------------------------------------------------------------------------

_NON_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff]+")


@cache
def _synonyms() -> list[tuple[str, str]]:
    """(variant, canonical) pairs, longest variant first so 没发工资 wins over 工资."""
    pairs = []
    for line in SYNONYMS_PATH.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        canonical, *variants = line.split()
        pairs.extend((variant, canonical) for variant in variants)
    return sorted(pairs, key=lambda pair: -len(pair[0]))


@cache
def _synonym_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    pairs = _synonyms()
    mapping = dict(pairs)
    return re.compile("|".join(re.escape(variant) for variant, _ in pairs)), mapping


# Control and format characters (zero-width spaces, BOM, bidi marks) but the newline that
# separates texts here; clean_text drops the same.
_INVISIBLE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)
_BLANKS = re.compile(r"[ \t\r\f\v\u3000]+")
# Runs of characters NFKC may change, with the character before them (a combining mark joins
# it: "e\u0301" → "é"). Everything else — printable ASCII, CJK ideographs, 、。《》「」『』 and
# curly quotes — NFKC leaves as it is, and no composition has one of them second. Most of a
# Chinese text is such characters, so normalising only the runs is three times faster.
_NFKC_RUN = re.compile(
    ".?[^\n\x20-\x7e\u4e00-\u9fff\u3001\u3002\u300a-\u300f\u2018\u2019\u201c\u201d]+"
)


# The full-width characters of most Chinese texts, replaced by plain str.replace first (a fast
# scan each) so that few runs are left for NFKC; each is a starter that composes with nothing.
_COMMON_WIDE = [
    (wide, unicodedata.normalize("NFKC", wide)) for wide in "，：！？（）；０１２３４５６７８９"
]


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, normalising only the runs that need it."""
    for wide, narrow in _COMMON_WIDE:
        if wide in text:
            text = text.replace(wide, narrow)
    return _NFKC_RUN.sub(lambda match: unicodedata.normalize("NFKC", match.group(0)), text)


def normalise_many(texts: Sequence[str], chunk: int = 20000) -> list[str]:
    """Matching form of many texts: NFKC, invisible characters dropped, Simplified, lower case,
    domain synonyms folded, spaces collapsed (what `normalise_for_matching` gives, synonyms
    aside). Each step runs once over a chunk of texts joined by newlines, not once per text:
    at a million texts that is the difference between seconds and a minute."""
    out: list[str] = []
    for begin in range(0, len(texts), chunk):
        part = [text.replace("\n", " ") if text else "" for text in texts[begin : begin + chunk]]
        joined = nfkc("\n".join(part))
        joined = to_simplified(_INVISIBLE.sub("", joined))
        joined = _BLANKS.sub(" ", fold_synonyms(joined.lower()))
        lines = joined.split("\n")
        if len(lines) != len(part):  # NFKC or OpenCC never add lines; be safe anyway
            lines = [normalise_many([text])[0] for text in part]
        out.extend(line.strip() for line in lines)
    return out


def fold_synonyms(text: str) -> str:
    pattern, mapping = _synonym_pattern()
    return pattern.sub(lambda match: mapping[match.group(0)], text)


_NON_WORD_OR_NEWLINE = re.compile(r"[^0-9a-z\u3400-\u9fff\n]+")


def compact(text: str) -> str:
    """Letters and digits only: what shingles and features are made of."""
    return _NON_WORD.sub("", text)


# -- employers ----------------------------------------------------------------------------------


_SPACE_RUNS = re.compile(r"\s+")
_KEYS: dict[str, str] = {}  # name -> employer_key, filled by `employer_key` and `_learn_keys`


def employer_key(name: str) -> str:
    """`unionhome.text.employers.employer_key`, remembered: batches repeat names a lot."""
    key = _KEYS.get(name)
    if key is None:
        key = _KEYS[name] = _employer_key_uncached(name)
    return key


def _learn_keys(names: Iterable[str]) -> None:
    """Remember `employer_key` of many names, normalised in one batch: NFKC and OpenCC once
    over the names joined by newlines instead of once per name (the same result: neither
    changes a newline or works across one)."""
    todo = [name for name in dict.fromkeys(names) if name not in _KEYS and "\n" not in name]
    step = 20000
    for begin in range(0, len(todo), step):
        part = todo[begin : begin + step]
        lines = to_simplified(nfkc("\n".join(part))).split("\n")
        if len(lines) != len(part):
            continue  # left to `employer_key`, name by name
        for name, line in zip(part, lines, strict=True):
            # the rest of normalise_for_search: single spaces, trimmed, lower case
            _KEYS[name] = key_of_normalised(_SPACE_RUNS.sub(" ", line).strip().lower())


@cache
def employer_core(name: str) -> str:
    return core_of_key(employer_key(name))


# Words a company name ends in that workers drop: "恒达精密机械" is called "恒达精密" or "恒达".
_TRADE_WORD_LIST = (
    "机械 制造 精密 科技 电子 信息 技术 网络 物流 快递 建筑 工程 建设 食品 纺织 服饰 服装 餐饮 管理 "
    "物业 服务 实业 贸易 商贸 劳务 派遣 人力资源 汽车 零部件 配件 汽配 材料 新材料 化工 印染 家具 "
    "模具 包装 塑业 塑料 五金 环保 医药 生物 光电 半导体 智能 设备 装备 酒店 超市 百货 运输 外卖 "
    "配送 发展 控股 集团 制品"
)
_TRADE_WORDS = _TRADE_WORD_LIST.split()
_TRADE_WORD_SET = frozenset(_TRADE_WORDS)
# After a brand typed with a wrong character, only these say "a firm" clearly enough.
_CJK = re.compile(r"[\u3400-\u9fff]+")
_GENERIC_STEM = re.compile(r"[我你他她们这那该本某家个的在是了给被让把]")
_TYPO_ANCHORS = frozenset((*_TRADE_WORDS, "公司", "厂", "集团"))
# A bare two-character brand ("速达") is also part of ordinary words ("快速达到"); followed by
# one of these it is a firm.
_BRAND_FOLLOWERS = (
    "公司",
    "厂",
    "集团",
    "的",
    "老板",
    "平台",
    "站点",
    "这边",
    "那边",
    "上班",
    "干活",
    "打工",
)
_INDUSTRY = re.compile("(" + "|".join(_TRADE_WORDS) + ")$")
_FULL_NAME = re.compile(
    r"([\u4e00-\u9fff]{2,16}?)(股份有限公司|有限责任公司|有限公司|集团公司|股份公司)"
)
# Characters that end the words before a company name: "我在无锡市宏达电子有限公司上班".
_NAME_LEAD = re.compile(r".*[在是到给和跟与被对向从于我你他她们家了的去说位映称系其为]")
# Place names workers leave out: "无锡鑫源电子科技" is "鑫源电子科技" (employer_core only drops
# names ending in 省/市).
_PLACE = re.compile(
    r"^(北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    r"广东|海南|四川|贵州|云南|陕西|甘肃|青海|内蒙古|广西|西藏|宁夏|新疆|南京|无锡|徐州|常州|苏州|"
    r"南通|连云港|淮安|盐城|扬州|镇江|泰州|宿迁|江阴|宜兴|昆山|张家港|常熟|杭州|宁波|温州|合肥|广州|"
    r"深圳|东莞|佛山|武汉|成都|西安|郑州|济南|青岛|长沙|厦门|福州)(市|省)?"
)


@cache
def _core(name: str) -> str:
    """employer_core without a leading place name, if something of two characters is left."""
    core = employer_core(name)
    stripped = _PLACE.sub("", core, count=1)
    return stripped if len(stripped) >= 2 else core


@cache
def _brand(name: str) -> tuple[str, tuple[str, ...]]:
    """(brand, the trade words after it): "无锡市恒达精密机械有限公司" → ("恒达", ("精密", "机械"))."""
    brand, trades = _core(name), []
    for _ in range(3):  # "恒达精密机械" → "恒达精密" → "恒达"
        match = _INDUSTRY.search(brand)
        if match is None or match.start() < 2:
            break
        trades.insert(0, match.group(0))
        brand = brand[: match.start()]
    return brand, tuple(trades)


def _aliases(name: str) -> set[str]:
    """Ways workers write the employer ``name`` in full: key, without the place, without some
    trade words ("恒达精密"). The bare brand ("恒达") is matched only before a trade word or
    "厂", "公司" and the like (`EmployerMatcher.locate`)."""
    key, core = employer_key(name), _core(name)
    aliases = {key, core, employer_core(name)}
    brand, trades = _brand(name)
    for cut in range(1, len(trades)):
        aliases.add(brand + "".join(trades[:cut]))
    return {fold_synonyms(alias) for alias in aliases if len(alias) >= 3}


def discover_employers(texts: Iterable[str]) -> Counter[str]:
    """Full legal names ("……有限公司") written in normalised texts, counted."""
    found: Counter[str] = Counter()
    for text in texts:
        if "司" not in text:  # every legal form below ends in 公司; cheaper than compacting
            continue
        text = compact(text)
        if "限公司" not in text and "股份公司" not in text and "集团公司" not in text:
            continue
        _count_full_names(text, found)
    return found


def _count_full_names(text: str, found: Counter[str]) -> None:
    """Add the full legal names in compact ``text`` to ``found``."""
    for match in _FULL_NAME.finditer(text):
        stem = _NAME_LEAD.sub("", match.group(1))
        if len(stem) >= 2 and not stem.startswith(("某", "一家", "这家", "该", "本")):
            found[stem + match.group(2)] += 1


class EmployerMatcher:
    """Finds employers in normalised text: exact aliases by Aho-Corasick, then one wrong,
    missing or extra character in an alias of four or more characters."""

    def __init__(self, known: Iterable[str], others: Iterable[str] = ()):
        """``known``: employers as the union knows them, each distinct ``employer_key`` its own
        employer. ``others`` (declared by workers, seen in texts): a name that is a known or
        earlier one written differently (no city, a short form, one wrong character) joins it;
        the rest are employers of their own."""
        import ahocorasick

        known, others = list(known), list(others)
        _learn_keys([*known, *others])
        owners: dict[str, set[str]] = defaultdict(set)
        self.canonical: dict[str, str] = {}  # employer_key -> first name given for it
        self.same_as: dict[str, str] = {}  # another name's key -> the key it was folded into
        self._names: dict[str, str] = {}  # another name's key -> that name
        # core with one character replaced by "?" -> keys of employers with such a core
        cores: dict[str, set[str]] = defaultdict(set)
        names = [(name, True) for name in known] + [(name, False) for name in others]
        for name, is_known in names:
            key = employer_key(name)
            if not key or key in self.canonical or key in self.same_as:
                continue
            brand = _brand(name)[0]
            if len(brand) < 2 or brand in _TRADE_WORD_SET:
                continue  # "酒店管理有限公司": trade words only, no firm in particular
            core, aliases = _core(name), _aliases(name)
            owner = None if is_known else self._owner_of(key, core, aliases, owners, cores)
            if owner is None:
                owner = key
                self.canonical[key] = name
                if len(core) >= 4:
                    for wild in _wildcards(core):
                        cores[wild].add(key)
            else:
                self.same_as[key] = owner
                self._names[key] = name
            for alias in aliases:
                owners[alias].add(owner)
        # An alias two employers share identifies neither of them.
        self.alias_key = {
            alias: next(iter(keys)) for alias, keys in owners.items() if len(keys) == 1
        }
        self.exact = ahocorasick.Automaton()
        for alias, key in self.alias_key.items():
            self.exact.add_word(alias, (alias, key))
        # Brands, exact and with one wrong character ("衡达" for 恒达, as pinyin input types it),
        # each found only just before a trade word or a word like 厂/公司: a two-character brand
        # with a wrong character only before one of its own trade words ("衡达精密").
        brand_owners: dict[str, set[str]] = defaultdict(set)
        wildcard_owners: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.brand_trades: set[tuple[str, str]] = set()  # (brand, one of its own trade words)
        for key, owner in [*((k, k) for k in self.canonical), *self.same_as.items()]:
            name = self.canonical[key] if key in self.canonical else self._names[key]
            brand, trades = _brand(name)
            if len(brand) < 2:
                continue
            brand_owners[brand].add(owner)
            self.brand_trades.update((brand, word) for word in trades)
            for wild in _wildcards(brand):
                for word in trades:
                    wildcard_owners[(wild, word)].add(owner)
                if len(brand) >= 3:
                    wildcard_owners[(wild, "*")].add(owner)
        self.brand_owner = {b: next(iter(o)) for b, o in brand_owners.items() if len(o) == 1}
        self.ambiguous_brands = {b for b, o in brand_owners.items() if len(o) > 1}
        self.wildcard_owner = {k: next(iter(o)) for k, o in wildcard_owners.items() if len(o) == 1}
        self.brand_lengths = sorted({len(b) for b in brand_owners}, reverse=True)
        self.anchors = ahocorasick.Automaton()
        for word in {*_TRADE_WORDS, *_BRAND_FOLLOWERS}:
            self.anchors.add_word(word, word)
        self.anchors.make_automaton()
        self.empty = not self.alias_key and not brand_owners
        if self.alias_key:
            self.exact.make_automaton()

    @staticmethod
    def _owner_of(key, core, aliases, owners, cores) -> str | None:
        """The one employer this other name is a way of writing, if there is exactly one."""
        for probe in (key, core, *sorted(aliases)):
            if len(owners.get(probe, ())) == 1:
                return next(iter(owners[probe]))
        if len(core) >= 4:
            close = {k for wild in _wildcards(core) for k in cores.get(wild, ())}
            if len(close) == 1:
                return close.pop()
        return None

    def name_for(self, key: str) -> str:
        return self.canonical[key]

    def find(self, text: str) -> str | None:
        """employer_key of the employer named in ``text`` (normalised, compact), or None."""
        found = self.locate(text)
        return found[0] if found else None

    def locate(self, text: str) -> tuple[str, int, int] | None:
        """(employer_key, start, end) of the employer named in ``text``: the longest alias
        (the first of equals); else a brand before a trade word, exact before mistyped."""
        if self.empty or not text:
            return None
        best: tuple[int, int, str] | None = None  # (-length, start, key)
        if self.alias_key:
            for last, (alias, key) in self.exact.iter(text):
                candidate = (-len(alias), last + 1 - len(alias), key)
                if best is None or candidate < best:
                    best = candidate
        if best is not None:
            return best[2], best[1], best[1] - best[0]
        return self._locate_brand(text)

    def _locate_brand(self, text: str) -> tuple[str, int, int] | None:
        """A brand before 厂/公司/… or before one of its own trade words ("恒达精密"); else a
        brand with one wrong character before its own trade word ("衡达精密"); else a brand
        before another trade word ("恒达光电"). With tens of thousands of firms a mistyped
        brand is often another firm's exact brand ("大诚远光电" holds 诚远, a 塑业 firm): the
        trade word then decides between them."""
        exact: list[tuple[int, int, int, str]] = []  # (-brand length, start, end, key)
        typed: list[tuple[int, int, int, str]] = []
        loose: list[tuple[int, int, int, str]] = []  # exact brand, another firm's trade word
        for last, word in self.anchors.iter(text):
            at = last + 1 - len(word)
            for length in self.brand_lengths:
                if at < length:
                    continue
                brand = text[at - length : at]
                owner = self.brand_owner.get(brand)
                if owner is not None:
                    hit = (-length, at - length, last + 1, owner)
                    if word in _TRADE_WORD_SET and (brand, word) not in self.brand_trades:
                        loose.append(hit)
                    else:
                        exact.append(hit)
                    continue
                if brand in self.ambiguous_brands or exact:
                    continue
                if word not in _TYPO_ANCHORS:
                    continue
                for wild in _wildcards(brand):
                    owner = self.wildcard_owner.get((wild, word))
                    if owner is None and length >= 3:
                        owner = self.wildcard_owner.get((wild, "*"))
                    if owner is not None:
                        typed.append((-length, at - length, last + 1, owner))
                        break
        for hits in (exact, typed, loose):
            if hits:
                hits.sort()
                best = hits[0]
                if len({hit[3] for hit in hits if hit[0] == best[0]}) > 1:
                    return None  # two employers as likely: neither for sure
                return best[3], best[1], best[2]
        return None

    def unresolved(self, text: str) -> str | None:
        """A firm named but not recognised ("?衡达精密" when two firms are one typo away):
        "?" and the two characters before its first trade word, with that word. Such keys
        keep demands about different unknown firms apart; they are never reported."""
        for last, word in self.anchors.iter(text):
            at = last + 1 - len(word)
            if word in _TRADE_WORD_SET and at >= 2:
                stem = text[at - 2 : at]
                if _CJK.fullmatch(stem) and not _GENERIC_STEM.search(stem):
                    return "?" + stem + word
        return None

    def match_declared(self, name: str) -> str | None:
        """employer_key for a declared employer name: a known one if it is one, else its own."""
        key = employer_key(name)
        if not key:
            return None
        if key in self.canonical:
            return key
        if key in self.same_as:
            return self.same_as[key]
        core = _core(name)
        for probe in (key, core):
            if probe in self.alias_key:
                return self.alias_key[probe]
        found = self.find(key)
        return found


def _wildcards(word: str) -> list[str]:
    """``word`` with each character in turn replaced by "?": two words one wrong character
    apart share one of these."""
    return [word[:i] + "?" + word[i + 1 :] for i in range(len(word))]


# -- near-duplicates by text --------------------------------------------------------------------

_MIX = np.uint64(0x9E3779B97F4A7C15)


def shingle_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(32-bit hashes of each text's character 2-grams, start offset of each text).

    Vectorised over the whole batch: code points of the concatenated texts, pairs that do not
    cross a text boundary, a multiply-shift hash. A text of one character is its own shingle.
    """
    padded = [text if len(text) >= 2 else (text + "\0" if text else "\0\0") for text in texts]
    lengths = np.fromiter((len(text) for text in padded), dtype=np.int64, count=len(padded))
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    ends = np.cumsum(lengths)
    valid = np.ones(max(len(codes) - 1, 0), dtype=bool)
    valid[ends[:-1] - 1] = False  # the pair (last char of text i, first of text i + 1)
    pairs = (codes[:-1] << np.uint64(21)) | codes[1:]
    hashes = ((pairs * _MIX) >> np.uint64(32)).astype(np.uint32)[valid]
    starts = np.concatenate(([0], np.cumsum(lengths - 1)[:-1]))
    return hashes, starts


def _fmix32(values: np.ndarray) -> np.ndarray:
    # MurmurHash3's finaliser, which datasketch's default "affine32" scheme applies first.
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


@cache
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def minhash_signatures(
    texts: Sequence[str], *, num_perm: int = 64, seed: int = 0, chunk: int = 20000
) -> np.ndarray:
    """MinHash signatures (len(texts) × num_perm, uint32) of the texts' character 2-grams,
    equal to datasketch's ``MinHash(num_perm, seed).update_batch`` with the same 32-bit hashes
    (its default "affine32" scheme: a*h+b modulo 2^32 after a MurmurHash3 pre-mix), computed for
    a whole batch at once in NumPy instead of one Python call per text."""
    a, b = _permutations(num_perm, seed)
    out = np.empty((len(texts), num_perm), dtype=np.uint32)
    with np.errstate(over="ignore"):
        for begin in range(0, len(texts), chunk):
            hashes, starts = shingle_hashes(texts[begin : begin + chunk])
            mixed = _fmix32(hashes)
            for column in range(num_perm):
                values = mixed * a[column] + b[column]
                out[begin : begin + len(starts), column] = np.minimum.reduceat(values, starts)
    return out


def lsh_candidate_pairs(signatures: np.ndarray, bands: int) -> np.ndarray:
    """Pairs (i, j), i < j, sharing a band bucket (a band's rows hashed to one 64-bit key),
    without repeats, ordered by j then i. Within a bucket each member is paired with the
    bucket's first member only (a star), so a bucket of 10,000 copies costs 9,999 pairs, not 50
    million; buckets are found by hashing (pandas ``factorize``), not sorting, and a member's
    leaders in all bands are deduplicated in one row-wise sort."""
    import pandas as pd

    n, num_perm = signatures.shape
    rows = num_perm // bands
    multipliers = (np.arange(1, rows + 1, dtype=np.uint64) * _MIX) | np.uint64(1)
    index = np.arange(n, dtype=np.int64)
    leaders = np.empty((n, bands), dtype=np.int64)  # first member of each unit's bucket
    with np.errstate(over="ignore"):
        for band in range(bands):
            block = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
            keys = (block * multipliers).sum(axis=1, dtype=np.uint64) ^ np.uint64(band)
            codes, _ = pd.factorize(keys, sort=False)  # numbered by first occurrence
            is_first = np.zeros(n, dtype=bool)
            is_first[np.r_[0, np.flatnonzero(np.diff(np.maximum.accumulate(codes))) + 1]] = True
            leaders[:, band] = index[is_first][codes]
    leaders.sort(axis=1)
    keep = leaders != index[:, None]
    keep[:, 1:] &= leaders[:, 1:] != leaders[:, :-1]
    members = np.broadcast_to(index[:, None], leaders.shape)[keep]
    return np.stack([leaders[keep], members], axis=1)


def similar_pairs(signatures: np.ndarray, pairs: np.ndarray, threshold: float) -> np.ndarray:
    """The pairs whose estimated Jaccard (share of equal MinHash values) is at least
    ``threshold``, compared in chunks so the temporary rows stay small."""
    keep = np.zeros(len(pairs), dtype=bool)
    step = 200_000
    for begin in range(0, len(pairs), step):
        part = pairs[begin : begin + step]
        equal = (signatures[part[:, 0]] == signatures[part[:, 1]]).sum(axis=1)
        keep[begin : begin + step] = equal >= threshold * signatures.shape[1]
    return pairs[keep]


# -- union-find that keeps employers apart ------------------------------------------------------


class _Groups:
    def __init__(self, employers: Sequence[str | None]):
        self.parent = list(range(len(employers)))
        self.employer = list(employers)

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def roots(self) -> np.ndarray:
        """`find` of every element, by pointer jumping in NumPy (no path compression)."""
        parent = np.asarray(self.parent, dtype=np.int64)
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                return parent
            parent = grand

    def union_pairs(self, pairs: np.ndarray) -> None:
        """Join every pair as `union` one by one in order would, on a fresh structure, but in
        SciPy: pairs of one employer (or of none) make components; a component without an
        employer then joins the employer of its first pair with one, and only that employer's
        components; pairs of two different employers never join."""
        from scipy import sparse
        from scipy.sparse.csgraph import connected_components

        n = len(self.parent)
        if not len(pairs):
            return
        names = sorted({e for e in self.employer if e})
        code = {name: index for index, name in enumerate(names)}
        codes = np.array([code[e] if e else -1 for e in self.employer], dtype=np.int64)

        def components(edges: np.ndarray) -> np.ndarray:
            graph = sparse.coo_matrix(
                (np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])), shape=(n, n)
            )
            return connected_components(graph, directed=False)[1]

        agree = codes[pairs[:, 0]] == codes[pairs[:, 1]]
        labels = components(pairs[agree])
        left, right = pairs[:, 0], pairs[:, 1]
        mixed = np.flatnonzero((codes[left] == -1) != (codes[right] == -1))
        bare = np.where(codes[left[mixed]] == -1, left[mixed], right[mixed])
        named = np.where(codes[left[mixed]] == -1, right[mixed], left[mixed])
        bare_component = labels[bare]
        _, first_pair = np.unique(bare_component, return_index=True)
        chosen = np.full(labels.max() + 1, -2, dtype=np.int64)
        chosen[bare_component[first_pair]] = codes[named[first_pair]]
        keep = codes[named] == chosen[bare_component]
        edges = np.concatenate([pairs[agree], np.stack([bare[keep], named[keep]], axis=1)])
        labels = components(edges)
        first = np.full(labels.max() + 1, n, dtype=np.int64)
        np.minimum.at(first, labels, np.arange(n))
        employer_code = np.full(labels.max() + 1, -1, dtype=np.int64)
        np.maximum.at(employer_code, labels, codes)
        self.parent = first[labels].tolist()
        for root, value in zip(first.tolist(), employer_code.tolist(), strict=True):
            self.employer[root] = names[value] if value >= 0 else None

    def union(self, i: int, j: int) -> bool:
        """Join the groups of i and j unless they name different employers."""
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return True
        ei, ej = self.employer[ri], self.employer[rj]
        if ei and ej and ei != ej:
            return False
        if rj < ri:
            ri, rj = rj, ri
        self.parent[rj] = ri
        self.employer[ri] = ei or ej
        return True


# -- features and topics ------------------------------------------------------------------------


CONCEPTS_PATH = DATA / "cluster_concepts.txt"


@cache
def _concept_rules():
    """(Aho-Corasick automaton: signal word -> concepts, [(pattern, concept)]) from the file;
    a signal written "re:…" is a regular expression, for phrasings with words in between
    ("工资到现在还没发")."""
    import ahocorasick

    signals: dict[str, set[str]] = defaultdict(set)
    patterns: list[tuple[re.Pattern[str], str]] = []
    for line in CONCEPTS_PATH.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        concept, *words = line.split()
        expressions = [word[3:] for word in words if word.startswith("re:")]
        if expressions:  # one search per concept, not per expression
            patterns.append((re.compile("|".join(f"(?:{e})" for e in expressions)), concept))
        for word in words:
            if not word.startswith("re:"):
                signals[compact(fold_synonyms(word))].add(concept)
    automaton = ahocorasick.Automaton()
    for word, concepts in signals.items():
        automaton.add_word(word, tuple(sorted(concepts)))
    automaton.make_automaton()
    return automaton, patterns


def concepts_of(text: str) -> list[str]:
    """Concepts a compact, normalised text signals, sorted."""
    automaton, patterns = _concept_rules()
    found: set[str] = set()
    for _, concepts in automaton.iter(text):
        found.update(concepts)
    found.update(concept for pattern, concept in patterns if pattern.search(text))
    return sorted(found)


def concept_matrix(texts: Sequence[str]):
    """`concept_counts` of `concepts_of` each text, found in one pass over the texts joined by
    newlines (the signal words never hold one) instead of one call per text."""
    from scipy import sparse

    automaton, patterns = _concept_rules()
    names = _concept_names()
    column = {name: index for index, name in enumerate(names)}
    joined = "\n".join(texts)
    lengths = np.fromiter((len(text) + 1 for text in texts), dtype=np.int64, count=len(texts))
    starts = np.cumsum(lengths) - lengths
    ends, values = [], []
    for end, concepts in automaton.iter(joined):
        ends.append(end)
        values.append(concepts)
    columns_of = {value: [column[name] for name in value] for value in set(values)}
    per_hit = np.fromiter((len(columns_of[v]) for v in values), dtype=np.int64, count=len(values))
    rows = [
        np.repeat(np.searchsorted(starts, np.asarray(ends, dtype=np.int64), "right") - 1, per_hit)
    ]
    columns = [
        np.fromiter(
            (c for v in values for c in columns_of[v]), dtype=np.int64, count=int(per_hit.sum())
        )
    ]
    for pattern, concept in patterns:
        hit = _pattern_rows(pattern, texts, joined, starts)
        rows.append(hit)
        columns.append(np.full(len(hit), column[concept], dtype=np.int64))
    row, col = np.concatenate(rows), np.concatenate(columns)
    matrix = sparse.csr_matrix(
        (np.ones(len(row), dtype=np.int32), (row, col)), shape=(len(texts), len(names))
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1
    return matrix


def _pattern_rows(pattern: re.Pattern[str], texts, joined: str, starts: np.ndarray) -> np.ndarray:
    """Indices of the texts ``pattern`` is found in, by one scan of the joined texts. A match
    that runs over a newline ("[^不]" matches one) has each text it touches searched alone;
    anchors or lookbehinds would see the neighbours, so such a pattern searches text by text."""
    if re.search(r"\^|\$|\\[AbBZ]|\(\?<", pattern.pattern.replace("[^", "[")):
        return np.fromiter((i for i, t in enumerate(texts) if pattern.search(t)), dtype=np.int64)
    found: set[int] = set()
    for match in pattern.finditer(joined):
        first = int(np.searchsorted(starts, match.start(), "right")) - 1
        if "\n" in match.group(0):
            last = int(np.searchsorted(starts, match.end() - 1, "right")) - 1
            found.update(i for i in range(first, last + 1) if pattern.search(texts[i]))
        else:
            found.add(first)
    return np.fromiter(sorted(found), dtype=np.int64, count=len(found))


_DIGITS = re.compile(r"[0-9]+")
# Words of the hotline's transcripts and of politeness, not of the problem: without them a
# transcript and a worker's own words about one topic look alike.
_BOILERPLATE = re.compile(
    r"来电人|来电者|来电|反映|请求|要求|希望|协助|帮忙|帮助|请问|你好|您好|工会|怎么办|合法吗|其在|其系|"
    r"有限公司|公司"
)


@cache
def _concept_names() -> tuple[str, ...]:
    _, _ = _concept_rules()
    lines = CONCEPTS_PATH.read_text(encoding="utf-8").splitlines()
    names = [line.split()[0] for line in lines if line.strip() and not line.startswith("#")]
    return tuple(sorted(set(names)))


def _counts_matrix(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]):
    from scipy import sparse

    data = np.ones(len(rows), dtype=np.int32)  # half the bytes of float64 between processes
    matrix = sparse.csr_matrix((data, (rows, columns)), shape=shape)
    matrix.sum_duplicates()
    return matrix


def word_counts(texts: Sequence[str], settings: Settings):
    """Counts of hashed character 2-grams per text (digits dropped: "3月" says nothing about
    the topic), hashed in NumPy over the whole batch like the MinHash shingles."""
    n = len(texts)
    hashes, starts = shingle_hashes([_DIGITS.sub("", text) for text in texts])
    rows = np.repeat(np.arange(n), np.diff(np.append(starts, len(hashes))))
    return _counts_matrix(
        rows, hashes % np.uint32(settings.hash_features), (n, settings.hash_features)
    )


def concept_counts(concepts: Sequence[Sequence[str]]):
    """Rows of concepts (a 1 per concept a text signals), columns in `_concept_names` order."""
    vocabulary = {name: index for index, name in enumerate(_concept_names())}
    n = len(concepts)
    concept_rows = np.repeat(np.arange(n), [len(found) for found in concepts])
    concept_columns = np.fromiter(
        (vocabulary[name] for found in concepts for name in found), dtype=np.int64,
        count=len(concept_rows),
    )  # fmt: skip
    return _counts_matrix(concept_rows, concept_columns, (n, len(vocabulary)))


def feature_matrix(words, ideas, settings: Settings):
    """(rows for topic clustering, rows of concepts only) from `word_counts` and
    `concept_counts`.

    Rows for topic clustering: TF-IDF (sublinear) of the hashed character 2-grams and TF-IDF of
    concepts, each L2-normalised, joined with the concepts' share of the weight
    ``settings.concept_weight``, L2-normalised again.
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.preprocessing import normalize

    words = TfidfTransformer(sublinear_tf=True).fit_transform(words)
    ideas = TfidfTransformer(sublinear_tf=True).fit_transform(ideas)
    weight = settings.concept_weight
    joined = sparse.hstack([words * np.sqrt(1 - weight), ideas * np.sqrt(weight)]).tocsr()
    return normalize(joined), ideas.tocsr()


def _agglomerate(matrix, threshold: float) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    n = matrix.shape[0]
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    similarity = (matrix @ matrix.T).toarray() if hasattr(matrix, "toarray") else matrix @ matrix.T
    distance = np.clip(1.0 - np.asarray(similarity), 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=threshold
    )
    return model.fit_predict(distance)


def _normalise_rows(matrix):
    from sklearn.preprocessing import normalize

    return normalize(matrix)


def topic_labels(matrix, settings: Settings, seed: int) -> np.ndarray:
    """A topic label per row: average-linkage clusters of all rows, or of a seeded sample with
    every other row assigned to the nearest sample topic (or its own if nothing is near)."""
    n = matrix.shape[0]
    if n <= settings.exact_sample:
        return _agglomerate(matrix, settings.topic_distance)
    generator = np.random.default_rng(seed)
    sample = np.sort(generator.choice(n, size=settings.exact_sample, replace=False))
    sample_labels = _agglomerate(matrix[sample], settings.topic_distance)
    from scipy import sparse

    count = int(sample_labels.max()) + 1
    membership = sparse.csr_matrix(
        (np.ones(len(sample)), (sample_labels, np.arange(len(sample)))), shape=(count, len(sample))
    )
    centroids = _normalise_rows(membership @ matrix[sample])
    labels = np.empty(n, dtype=np.int64)
    next_label = count
    step = 50000
    for begin in range(0, n, step):
        similarity = (matrix[begin : begin + step] @ centroids.T).toarray()
        best = similarity.argmax(axis=1)
        score = similarity[np.arange(len(best)), best]
        for offset in np.flatnonzero(score < settings.min_topic_cosine):
            best[offset] = next_label
            next_label += 1
        labels[begin : begin + step] = best
    labels[sample] = sample_labels
    return labels


_STOPWORD_LIST = (
    "我们 你们 他们 我 你 他 她 的 了 是 在 有 和 就 都 也 还 又 要 会 能 说 到 给 把 被 让 这 那 个 一 "
    "没有 什么 怎么 现在 已经 一个 这个 那个 还是 但是 可是 因为 所以 如果 请问 希望 请 帮忙 帮助 "
    "问题 反映 来电 来电人 其 其在 称 表示 诉求 情况 一直 今天 昨天 去年 今年 上个月 这样 可以 "
    "不 没 吗 呢 啊 吧 嘛 哦 呀 几 多 很 太 再 去 来 想 看 做 找 上 下 里 后 前 等 与 对 向 从 "
    "公司 单位 厂里 老板"
)
_STOPWORDS = frozenset(_STOPWORD_LIST.split())


def _concept_keywords(topic_concepts: np.ndarray, names: Sequence[str]) -> list[str]:
    """Up to 8 concepts from a row of per-concept counts: most units first, then by name."""
    order = np.argsort(-topic_concepts, kind="stable")[:8]
    return [names[c] for c in order.tolist() if topic_concepts[c] > 0]


def _keywords(member_texts: Sequence[Sequence[str]], limit: int = 8) -> list[list[str]]:
    """Top words per topic: frequent in the topic, rare across topics (TF-IDF over topics)."""
    from unionhome.text.tokenise import get_tokenizer

    tokenizer = get_tokenizer()
    counts = []
    document_frequency: Counter[str] = Counter()
    for texts in member_texts:
        counter: Counter[str] = Counter()
        for text in texts:
            words = {
                word
                for word in tokenizer.lcut(text, HMM=False)
                if len(word) >= 2
                and word not in _STOPWORDS
                and not word.isdigit()
                and any("\u4e00" <= char <= "\u9fff" or char.isalpha() for char in word)
            }
            counter.update(words)
        counts.append(counter)
        document_frequency.update(counter.keys())
    total = len(member_texts)
    result = []
    for counter in counts:
        scored = sorted(
            counter.items(),
            key=lambda pair: (
                -pair[1] * np.log((1 + total) / (1 + document_frequency[pair[0]])),
                pair[0],
            ),
        )
        result.append([word for word, _ in scored[:limit]])
    return result


# -- the whole ----------------------------------------------------------------------------------


@dataclass
class _Units:
    """Distinct (compact normalised text, declared employer) pairs and which items each stands
    for: ``order[bounds[u]:bounds[u + 1]]`` are unit u's items (ascending)."""

    texts: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)
    order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    bounds: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.bounds)


def _collapse(texts: Sequence[str], declared: Sequence[str]) -> tuple[_Units, np.ndarray]:
    """Units of identical (text, declared employer), numbered by first occurrence, and the unit
    of each item. Texts are compact: two texts differing only in spaces or punctuation have
    the same shingles, employer and features anyway."""
    import pandas as pd

    text_codes, _ = pd.factorize(np.asarray(texts, dtype=object), sort=False)
    declared_codes, _ = pd.factorize(np.asarray(declared, dtype=object), sort=False)
    pair = text_codes.astype(np.int64) * (int(declared_codes.max()) + 1) + declared_codes
    codes, _ = pd.factorize(pair, sort=False)  # numbered by first occurrence
    codes = codes.astype(np.int64)
    count = int(codes.max()) + 1 if len(codes) else 0
    order = np.argsort(codes, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(codes, minlength=count))].astype(np.int64)
    first = order[bounds[:-1]].tolist()
    units = _Units(
        texts=[texts[i] for i in first],
        declared=[declared[i] for i in first],
        order=order,
        bounds=bounds,
    )
    return units, codes


def _id_order(ids: Sequence[str]) -> np.ndarray:
    """Indices of ``ids`` sorted by `_id_key` (stable): in NumPy when all are numbers of up to
    18 digits, the usual case."""
    if all(map(str.isdigit, ids)) and max(map(len, ids), default=0) <= 18:
        try:
            numbers = np.fromiter(map(int, ids), dtype=np.int64, count=len(ids))
        except ValueError:  # digits int() does not read ("²")
            pass
        else:
            return np.argsort(numbers, kind="stable")
    return np.array(sorted(range(len(ids)), key=lambda i: _id_key(ids[i])), dtype=np.int64)


def _id_key(identifier: str) -> tuple[int, int | str]:
    # Numeric ids order as numbers ("9" before "10"); others as text, after them.
    return (0, int(identifier)) if identifier.isdigit() else (1, identifier)


def _prepare(texts: Sequence[str]) -> tuple[list[str], Counter[str]]:
    """Compact normalised texts and the full company names in them (run in a worker)."""
    normalised = normalise_many(texts)
    compacted: list[str] = []
    found: Counter[str] = Counter()
    step = 20000
    for begin in range(0, len(normalised), step):  # one regex pass per chunk, not per text
        lines = _NON_WORD_OR_NEWLINE.sub("", "\n".join(normalised[begin : begin + step]))
        lines = lines.split("\n")
        compacted.extend(lines)
        for line in lines:
            if "公司" in line:  # every legal form ends in it; the name pattern is slow to scan
                _count_full_names(line, found)
    return compacted, found


def _analyse(texts: Sequence[str], offset: int, shared) -> tuple:
    """Per unit: employer key, text for topics (employer and hotline words taken out), concepts
    (`concept_counts`), MinHash signature and word counts of the topic text (`word_counts`)
    (run in a worker, on a slice of the units starting at ``offset``)."""
    matcher, settings, seed, declared, out = shared
    employers, topic_texts = [], []
    for position, text in enumerate(texts, offset):
        declared_key = declared[position]
        key = matcher.match_declared(declared_key) if declared_key else None
        found = matcher.locate(text)
        if found is not None:
            key = key or found[0]
            text = text[: found[1]] + text[found[2] :]
        employers.append(key or matcher.unresolved(text))
        topic_texts.append(_BOILERPLATE.sub("", text))
    ideas = concept_matrix(topic_texts)
    words = word_counts(topic_texts, settings)
    signatures = minhash_signatures(texts, num_perm=settings.num_perm, seed=seed)
    if out is not None:  # memory shared with the parent: written there, not pickled back
        out[offset : offset + len(texts)] = signatures
        signatures = None
    return employers, topic_texts, ideas, signatures, words


_SHARED = None  # (texts, shared): what forked workers inherit instead of receiving it pickled


def _run_shared(task):
    function, begin, end = task
    texts, shared = _SHARED
    if function is _analyse:
        return function(texts[begin:end], begin, shared)
    return function(texts[begin:end])


def _shared_array(shape: tuple[int, int], dtype) -> np.ndarray:
    """A zeroed array in an anonymous shared mapping: forked workers' writes are seen here."""
    import mmap

    size = max(1, int(np.prod(shape)) * np.dtype(dtype).itemsize)
    return np.frombuffer(mmap.mmap(-1, size), dtype=dtype, count=int(np.prod(shape))).reshape(shape)


class _Pool:
    """Maps a function over slices of a list on ``workers`` forked processes (in order), or in
    this process when there is one worker or the batch is small. Forked workers inherit the
    texts, the employer matcher and the dictionaries instead of having them pickled; only
    results travel."""

    min_per_worker = 20000

    def __init__(self, workers: int):
        self.workers, self.pool = max(1, workers), None

    def map(self, function, texts: Sequence[str], shared=None) -> list:
        global _SHARED
        if self.workers == 1 or len(texts) < 2 * self.min_per_worker:
            if function is _analyse:
                return [function(texts, 0, shared)]
            return [function(texts)]
        import multiprocessing

        _SHARED = (texts, shared)
        step = -(-len(texts) // (self.workers * 4))
        tasks = [(function, i, min(i + step, len(texts))) for i in range(0, len(texts), step)]
        try:
            with multiprocessing.get_context("fork").Pool(self.workers) as pool:
                return pool.map(_run_shared, tasks, chunksize=1)
        finally:
            _SHARED = None

    def close(self) -> None:
        pass


def cluster_items(
    items: Iterable[Item],
    *,
    known_employers: Sequence[str] = (),
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    settings: Settings | None = None,
    workers: int = 1,
) -> Clustering:
    """Near-duplicate groups and topics of ``items``; never one duplicate group across two
    employers; the same complaint in Traditional and Simplified lands in one group and topic.

    The cyclic garbage collector is paused meanwhile: the millions of strings, tuples and lists
    of a big batch hold no cycles, and its full passes over them cost seconds per million."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return _cluster_items(
            items,
            known_employers=known_employers,
            seed=seed,
            progress=progress,
            settings=settings,
            workers=workers,
        )
    finally:
        if enabled:
            gc.enable()


def _cluster_items(
    items: Iterable[Item],
    *,
    known_employers: Sequence[str],
    seed: int,
    progress: Callable[[int, int], None] | None,
    settings: Settings | None,
    workers: int,
) -> Clustering:
    settings = settings or Settings()
    items = list(items)
    total_steps = 6
    step = 0

    def advance() -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(step, total_steps)

    if not items:
        advance()
        return Clustering({}, {}, {}, [])
    ids = [str(item.id) for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("item ids must be unique")

    pool = _Pool(workers)
    try:
        texts = [item.text or "" for item in items]
        _synonym_pattern()
        prepared = pool.map(_prepare, texts)
        del texts
        compacted = [text for part in prepared for text in part[0]]
        discovered: Counter[str] = Counter()
        for part in prepared:
            discovered.update(part[1])
        del prepared
        written = [item.employer for item in items]
        distinct = set(written)
        _learn_keys(name for name in distinct if name)
        key_of = {name: employer_key(name) if name else "" for name in distinct}
        declared = [key_of[name] for name in written]
        del written
        units, unit_of_item = _collapse(compacted, declared)
        del compacted
        compact_texts = units.texts
        advance()

        # Known names first; then the longest (most complete) of the others, so "无锡市恒达精密
        # 机械有限公司" seen in a transcript names the employer, not a worker's "恒达精密".
        others = {item.employer.strip() for item in items if item.employer.strip()}
        others = sorted(others | set(discovered), key=lambda name: (-len(name), name))
        matcher = EmployerMatcher(known_employers, others)
        # Imports and dictionaries the workers need, made once here and inherited by them.
        from scipy import sparse

        _permutations(settings.num_perm, seed)
        _concept_rules()
        _concept_names()
        # Signatures (a quarter of a gigabyte at a million texts) go to shared memory.
        out = _shared_array((len(compact_texts), settings.num_perm), np.uint32)
        analysed = pool.map(
            _analyse, compact_texts, shared=(matcher, settings, seed, units.declared, out)
        )
    finally:
        pool.close()
    unit_employer = [key for part in analysed for key in part[0]]
    topic_texts = [text for part in analysed for text in part[1]]
    from scipy import sparse

    unit_ideas = sparse.vstack([part[2] for part in analysed]).tocsr()
    signatures = out if analysed[0][3] is None else np.concatenate([p[3] for p in analysed])
    unit_words = sparse.vstack([part[4] for part in analysed]).tocsr()
    del analysed
    advance()

    groups = _Groups(unit_employer)
    pairs = lsh_candidate_pairs(signatures, settings.bands)
    groups.union_pairs(similar_pairs(signatures, pairs, settings.min_jaccard))
    advance()

    # Topics over the provisional groups, so near-duplicates always share a topic.
    unit_root = groups.roots()
    roots, unit_group = np.unique(unit_root, return_inverse=True)
    matrix, ideas = feature_matrix(unit_words, unit_ideas, settings)
    del unit_words

    weights = units.sizes.astype(float)
    membership = sparse.csr_matrix(
        (weights, (unit_group, np.arange(len(unit_group)))), shape=(len(roots), len(unit_group))
    )
    group_matrix = _normalise_rows(membership @ matrix)
    group_ideas = _normalise_rows(membership @ ideas)
    group_topic = topic_labels(group_matrix, settings, seed)
    advance()

    # One employer and one kind of problem (the same topic, or the same main concept): one
    # concrete problem, however differently the workers put it. Blocks are sorted runs, each
    # member joined to the next, so a block of any size costs its length.
    group_employer = [groups.employer[groups.find(int(root))] for root in roots]
    primary_concept = group_ideas.toarray().argmax(axis=1)  # few columns: dense is faster
    has_concept = np.asarray(group_ideas.getnnz(axis=1)).ravel() > 0
    employer_code = {
        name: code
        for code, name in enumerate(sorted({e for e in group_employer if e and e[0] != "?"}))
    }
    codes = np.array([employer_code.get(e, -1) for e in group_employer], dtype=np.int64)
    for labels, usable in (
        (group_topic, codes >= 0),
        (primary_concept, (codes >= 0) & has_concept),
    ):
        members = np.flatnonzero(usable)
        order = members[np.lexsort((members, labels[members], codes[members]))]
        same = (codes[order[1:]] == codes[order[:-1]]) & (labels[order[1:]] == labels[order[:-1]])
        for a, b in zip(order[:-1][same].tolist(), order[1:][same].tolist(), strict=True):
            groups.union(int(roots[a]), int(roots[b]))
    advance()

    # Results per item, in NumPy: ids ranked once ("9" before "10"), groups and topics as
    # arrays of indices.
    n = len(items)
    rank = np.empty(n, dtype=np.int64)
    rank[_id_order(ids)] = np.arange(n)
    unit_of = unit_of_item
    final_root = groups.roots()
    _, item_group = np.unique(final_root[unit_of], return_inverse=True)
    group_count = int(item_group.max()) + 1
    group_size = np.bincount(item_group, minlength=group_count)
    group_first = np.full(group_count, n, dtype=np.int64)
    np.minimum.at(group_first, item_group, rank)
    by_rank = np.empty(n, dtype=np.int64)
    by_rank[rank] = np.arange(n)
    group_id = [ids[i] for i in by_rank[group_first].tolist()]
    duplicate_group = {
        identifier: (group_id[g] if group_size[g] > 1 else None)
        for identifier, g in zip(ids, item_group.tolist(), strict=True)
    }

    # A duplicate group joined across topics goes whole to the topic most of its demands are in
    # (the smaller topic number on a tie).
    group_of_root = np.searchsorted(roots, unit_root)
    raw_topic = np.asarray(group_topic, dtype=np.int64)[group_of_root][unit_of]
    topic_span = int(raw_topic.max()) + 1
    combined, votes = np.unique(item_group * topic_span + raw_topic, return_counts=True)
    voter_group, voted_topic = combined // topic_span, combined % topic_span
    best = np.lexsort((voted_topic, -votes, voter_group))
    leading = best[np.r_[True, voter_group[best][1:] != voter_group[best][:-1]]]
    winner = np.empty(group_count, dtype=np.int64)
    winner[voter_group[leading]] = voted_topic[leading]
    item_topic = winner[item_group]

    # Topic ids: by size, then by smallest member id.
    _, item_topic = np.unique(item_topic, return_inverse=True)
    topic_count = int(item_topic.max()) + 1
    topic_size = np.bincount(item_topic, minlength=topic_count)
    topic_first = np.full(topic_count, n, dtype=np.int64)
    np.minimum.at(topic_first, item_topic, rank)
    topic_order = np.lexsort((topic_first, -topic_size))
    topic_id = np.empty(topic_count, dtype=np.int64)
    topic_id[topic_order] = np.arange(topic_count)
    item_topic = topic_id[item_topic]
    cluster = dict(zip(ids, item_topic.tolist(), strict=True))
    members_sorted = np.lexsort((rank, item_topic))
    unit_first = np.full(len(units.texts), n, dtype=np.int64)  # item of smallest id per unit
    np.minimum.at(unit_first, unit_of, rank)
    unit_first = by_rank[unit_first]
    bounds = np.r_[0, np.cumsum(np.bincount(item_topic, minlength=topic_count))]

    unit_names = [matcher.name_for(key) if key and key[0] != "?" else None for key in unit_employer]
    employer_name = {
        identifier: unit_names[u] for identifier, u in zip(ids, unit_of_item.tolist(), strict=True)
    }
    # Units with a concept, counted per topic (each unit once), for the keywords of topics
    # that jieba does not get to.
    topic_unit = np.unique(item_topic.astype(np.int64) * len(units.texts) + unit_of)
    in_topic = sparse.csr_matrix(
        (np.ones(len(topic_unit)), (topic_unit // len(units.texts), topic_unit % len(units.texts))),
        shape=(topic_count, len(units.texts)),
    )
    topic_concepts = np.asarray((in_topic @ unit_ideas).todense())
    concept_names = _concept_names()
    topics, keyword_texts = [], []
    for topic in range(topic_count):
        members = members_sorted[bounds[topic] : bounds[topic + 1]]
        member_units = np.unique(unit_of[members])
        if len(member_units) > 1:
            sub = matrix[member_units]
            centroid = np.asarray(sub.T @ weights[member_units]).ravel()
            order = np.argsort(-(sub @ centroid), kind="stable")
        else:
            order = np.zeros(1, dtype=np.int64)
        representative = ids[int(unit_first[member_units[order[0]]])]
        if topic < settings.keyword_topics:
            keyword_texts.append(
                [topic_texts[member_units[k]] for k in order[: settings.keyword_sample]]
            )
        employers = Counter(unit_names[u] for u in unit_of[members].tolist() if unit_names[u])
        topics.append(
            Topic(
                id=topic,
                member_ids=[ids[m] for m in members.tolist()],
                representative_id=representative,
                keywords=_concept_keywords(topic_concepts[topic], concept_names),
                employers=[
                    name for name, _ in sorted(employers.items(), key=lambda p: (-p[1], p[0]))
                ],
            )
        )
    for topic, words in zip(topics, _keywords(keyword_texts), strict=False):
        topic.keywords = words or topic.keywords
    advance()
    return Clustering(
        duplicate_group=duplicate_group, cluster=cluster, employer=employer_name, topics=topics
    )
