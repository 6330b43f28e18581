"""Rule-based spam detection for demand text: explainable, cheap, no model.

Public complaint forms attract ads (invoices, click-farming, loans, gambling, fake certificates),
phishing links, keyboard mashing, flooding and "测试". Each rule that fires adds a weight and a
reason in Chinese that a cadre can read; weights combine as a noisy-OR,
``score = 1 - Π(1 - weight)``, so the score stays in 0..1 and no single weak signal decides.
``is_spam`` means ``score >= SPAM_THRESHOLD``.

Signals a real worker's complaint also carries (a phone number, a company name, a WeChat group,
"加他微信", a loan for hospital bills) are weak on purpose; they count only together with
advertising vocabulary. The shipped corpus checks both sides: every line of
``data/spam_corpus.jsonl`` is flagged, no line of ``data/demand_corpus.jsonl`` is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from unionhome.text.normalise import clean_text, normalise_for_matching

SPAM_THRESHOLD = 0.5


@dataclass(frozen=True)
class SpamVerdict:
    score: float
    reasons: list[str]

    @property
    def is_spam(self) -> bool:
        return self.score >= SPAM_THRESHOLD


# --- advertising vocabulary, matched on normalised text (Simplified, lower case, NFKC) ---------
# (pattern, weight, reason). Terms no worker's complaint uses (百家乐, 全城可约) decide alone
# (weight >= 0.5). Terms a complaint might mention (代开发票, 刷单, 讨债, 批发) stay below 0.5: they
# need a second term or a contact channel (an ad without a way to reach the seller is useless).
_AD_TERMS: list[tuple[re.Pattern[str], float, str]] = [
    (re.compile(p), w, r)
    for p, w, r in [
        (r"代开.{0,6}发票|发票代开|(增值税|专用|普通)发票.{0,12}(点数|税点)", 0.45, "代开发票广告"),
        (r"刷单.{0,8}(兼职|日结|佣金|返利|一单一结)|(兼职|日结|佣金).{0,8}刷单", 0.45, "刷单兼职广告"),
        (r"无抵押|无担保|当天放款|低息秒批|秒批|秒下款|下款|黑户|征信花|征信修复|套现|提额|身份证(即可|就能)(贷|办)", 0.5, "贷款/套现广告"),
        (r"网贷逾期", 0.25, "贷款广告用语"),
        (r"娱乐城|百家乐|博彩|首充|真人视讯|彩金|注册即送|彩票.{0,4}计划|棋牌.{0,12}提现|提现秒到", 0.6, "赌博广告"),
        (r"稳赚不赔|包回本|躺赚|月入过万|日赚|网赚|稳定收益|带你赚钱|动动手指", 0.5, "虚假致富宣传"),
        (r"牛股|涨停|股票.{0,4}内幕|vip群", 0.5, "荐股广告"),
        (r"代考|包过|稳过|代写论文|代发期刊|代做毕业设计|包教包会", 0.45, "代考代写广告"),
        (r"出售.{0,6}证件|办证|全国联网可查|高仿|一比一|复刻", 0.5, "假证/假货广告"),
        (r"外围|全城可约|高端服务", 0.6, "色情广告"),
        (r"出租银行卡|收购.{0,6}(微信号|支付宝|银行卡)|高价回收", 0.5, "收购账户广告"),
        (r"usdt|虚拟币|搬砖", 0.4, "虚拟币广告"),
        (r"恭喜您?获得|点击(链接|领取)|限时领取|免费领取|转发到.{0,6}群", 0.45, "诱导点击/领奖"),
        (r"专业讨债|不成功不收费", 0.45, "讨债广告"),
        (r"内部渠道|内部计划|内部消息", 0.4, "虚假渠道宣传"),
        (r"代办|代理记账|注销公司|带资质", 0.35, "代办广告"),
        (r"价格(优惠|面议)|量大从优|全网最低|厂家直销|工厂直销|基地直销|批发", 0.35, "商品推销"),
        (r"免费量房|全包半包", 0.4, "装修推销"),
        (r"手工活外发|在家就能做|打字员|宝妈学生均可|高薪招聘", 0.4, "兼职诈骗常见用语"),
        (r"减肥|瘦.{0,3}斤|不反弹", 0.35, "保健品推销"),
        (r"领红包|推广码|有好东西分享", 0.35, "推广引流"),
        (r"微信同号|详聊|私聊|扫码进群|二维码见图|扫描下方二维码|进群", 0.3, "引流到私聊"),
    ]
]  # fmt: skip

# "加微信", "加v", "添加客服微信", "加qq群" — soliciting contact. Not "加他微信" (a worker telling
# what the foreman asked).
_SOLICIT = re.compile(r"(?<![他她])(加|添加)(我|本人|客服)?(的)?(微信|v信|vx|wx|v|qq|q群|好友|tg)")
# A handle after a contact keyword: "微信：fp8866888", "v信 abc_123", "qq 2938475610", "tg @x".
_HANDLE = re.compile(
    r"(微信|weixin|wx|v信|vx|加v|威信|薇信|qq群?|q群|tg|telegram)\s*(号|id)?\s*[:：]?\s*@?"
    r"[a-z][a-z0-9_-]{4,}|(微信|wx|vx|qq群?|q群)\s*(号)?\s*[:：]?\s*\d{5,}"
)
_URL = re.compile(
    r"https?://|www\.|\b[a-z0-9-]+\.(com|cn|net|org|top|vip|xyz|cc|me|ly|co|info|shop|site)\b"
)
# Mainland mobile numbers (spaces or dashes allowed) and landlines with an area code.
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}-?\d{7,8})(?!\d)")

_PHONE_LABELS = re.compile(r"电话|手机|联系|tel|号码|号|微信同号")

# --- shape of the text ---------------------------------------------------------------------------
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A unit of 1-20 characters repeated back to back ("啊啊啊", "投诉投诉", "sdfsdf").
_REPEAT = re.compile(r"(.{1,20}?)\1+")
_KEYBOARD = re.compile(r"qwer|wert|asdf|sdfg|zxcv|xcvb|uiop|hjkl|jkl|1q2w|2w3e|qaz|wsx")
# A few common words of an English complaint: Latin text using them is a sentence, not mashing.
_ENGLISH_WORDS = frozenset(
    {
        "i", "my", "me", "we", "our", "you", "the", "a", "an", "and", "or", "but", "to", "of",
        "for", "in", "on", "at", "is", "are", "was", "were", "have", "has", "had", "not", "no",
        "do", "does", "did", "boss", "company", "salary", "pay", "paid", "wage", "wages", "work",
        "worked", "job", "contract", "hours", "union", "help", "please", "months", "days",
        "overtime", "insurance",
    }
)  # fmt: skip
_MEANINGLESS = frozenset(
    {
        "测试", "测试一下", "测一下", "试试", "试一下", "test", "testing", "你好", "您好", "在吗",
        "在不在", "有人吗", "hello", "hi", "ok", "abc", "嗯", "哦", "啊", "无", "没有", "1", "11",
        "111", "123", "1234", "12345", "aaa", "asd", "qwe", "xxx", "顶", "沙发",
    }
)  # fmt: skip


def _strip_punctuation(text: str) -> str:
    return "".join(char for char in text if char.isalnum())


def check(text: str | None) -> SpamVerdict:
    """Score `text` and say why. Empty text is not spam here: callers reject it as missing."""
    cleaned = clean_text(text)
    norm = normalise_for_matching(cleaned)
    if not norm:
        return SpamVerdict(0.0, [])
    hits: list[tuple[float, str]] = []

    # Advertising vocabulary and contact solicitation.
    for pattern, weight, reason in _AD_TERMS:
        # Each different term counts ("批发" and "量大从优" and "基地直销"), up to three.
        terms = {match.group(0) for match in pattern.finditer(norm)}
        hits.extend((weight, reason) for _term in sorted(terms)[:3])
    if _SOLICIT.search(norm):
        hits.append((0.3, "要求加微信/QQ等联系方式"))
    if _HANDLE.search(norm):
        hits.append((0.35, "含微信号/QQ号等联系账号"))
    if _URL.search(norm):
        hits.append((0.45, "含网址链接"))
    compact = re.sub(r"\s+", "", norm)
    phones = {re.sub(r"\D", "", match) for match in _PHONE.findall(norm)}
    # A complaint may give the worker's, the boss's and the foreman's numbers, with a story round
    # them; a flood is numbers and little else. One number is just a contact channel: it matters
    # only next to advertising terms.
    story = _strip_punctuation(_PHONE_LABELS.sub("", _PHONE.sub("", norm)))
    if len(phones) >= 8 or (len(phones) >= 3 and len(story) < 8):
        hits.append((0.8, f"含大量电话号码（{len(phones)}个）"))
    elif phones:
        hits.append((0.2, "含电话号码"))

    # Flooding: little content left once repeats collapse ("啊啊啊啊" → "啊"). Repeats inside a real
    # complaint ("工伤！！！！！！没人管吗", "为什么为什么为什么") leave most of its content standing.
    core = _strip_punctuation(norm)
    essence = _REPEAT.sub(r"\1", core)
    if len(core) >= 6 and len(essence) <= max(3, 0.3 * len(core)):
        hits.append((0.85, "同一内容大量重复"))
    lines = [line.strip() for line in cleaned.splitlines() if line.strip()]
    if len(lines) >= 3 and len(set(lines)) <= len(lines) / 2:
        hits.append((0.75, "多行内容重复"))

    # Gibberish: no words at all, or Latin letters that are neither Chinese nor English. Text in
    # another script (Uyghur, Tibetan, Mongolian...) is not judged: the rules cannot read it.
    han = len(_HAN.findall(norm))
    letters = [char for char in norm if unicodedata.category(char).startswith("L")]
    other_script = sum(1 for char in letters if not char.isascii() and not _HAN.match(char))
    if not letters:
        hits.append((0.9, "没有文字内容（只有数字、符号或表情）"))
    elif han < 0.2 * len(compact) and other_script < 0.3 * len(letters):
        words = set(re.findall(r"[a-z]+", norm))
        if len(words & _ENGLISH_WORDS) < 2:
            hits.append((0.6, "主要由非中文字符组成，不像是诉求内容"))
        if _KEYBOARD.search(core):
            hits.append((0.4, "疑似键盘乱敲"))
    if len(core) <= 1 or core in _MEANINGLESS or essence in _MEANINGLESS:
        hits.append((0.9, "内容过短，没有实际诉求"))

    remaining = 1.0
    for weight, _reason in hits:
        remaining *= 1.0 - weight
    hits.sort(key=lambda hit: -hit[0])
    reasons = list(dict.fromkeys(reason for _weight, reason in hits))
    return SpamVerdict(round(1.0 - remaining, 4), reasons)


def spam_score(text: str | None) -> float:
    """0 (a demand) .. 1 (certainly spam)."""
    return check(text).score


def is_spam(text: str | None) -> bool:
    return check(text).is_spam


def spam_reasons(text: str | None) -> list[str]:
    """Why the text looks like spam, in Chinese, strongest rule first; [] when nothing fired."""
    return check(text).reasons
