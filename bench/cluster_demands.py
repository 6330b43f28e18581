"""Clustering benchmark: 1,000,000 generated demands through `cluster_items`, against a baseline.

    python bench/cluster_demands.py                    # 1,000,000 demands
    python bench/cluster_demands.py --n 50000          # smaller
    python bench/cluster_demands.py --baseline-sample 5000

No database: clustering is text in, groups out (the same call the digest and
`manage.py cluster_demands` make). What it does and prints:

- generates the demands: concrete problems ("cases": one employer, one kind of problem, its
  months and amounts) each reported by one to many workers in their own words (about 25 phrasings
  per kind, hotline transcripts among them), the employer written in full, short, with a wrong
  character, or only in the declared-employer field; a fifth typed in Traditional characters, some
  with full-width digits, some pasted again verbatim; 5 % unrelated noise;
- runs `cluster_items` on all of them with the generated employers as known ones: wall time,
  peak memory (RSS of this process and its worker processes), and the quality against the
  generator's truth (duplicate-pair precision/recall, ARI of topics), computed from counts;
- baseline in the same run: the textbook approach of one datasketch `MinHash` per text (character
  2-grams, Python `update_batch`) inserted into and queried from a `MinHashLSH`, on a sample,
  extrapolated linearly to the full size (the part of the work it covers: text near-duplicates
  only, no topics, no employers).

Goal: 1,000,000 demands in under 60 s on this machine's two cores.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

# -- the generator ------------------------------------------------------------------------------

BRAND_CHARS = (
    "恒达瑞丰广益鑫源华康顺捷金鹏美佳速达天润宏图众诚百味锦华新宇永昌盛泰荣兴隆富康德安嘉和"
    "博远凯旋明辉信达海川东方南洋北辰中天宝利通联亿佳伟业汇丰丽国长城星光振江河湖山林森茂"
    "春秋明清正大恒久立新创智慧云峰岭松柏竹梅兰菊玉金银铜铁泉源波涛浩瀚飞翔腾龙虎豹鹰凤麟"
    "祥瑞福禄寿喜乐和平安康宁静远志诚信义仁礼智勇毅坚强盛旺发展宏伟鸿运亨通顺利吉利"
)
TRADES = ["精密机械", "纺织", "建设工程", "电子科技", "食品", "物流", "汽车零部件", "物业管理",
          "网络科技", "酒店管理", "印染", "劳务派遣", "服饰", "餐饮管理", "塑业", "五金制品",
          "化工", "家具", "包装材料", "光电科技"]  # fmt: skip
CITIES = ["无锡市", "无锡", "江苏", "苏州市", "常州市", "江阴市", "宜兴市", "南京市", ""]
HOMOPHONES = dict(
    zip("恒达瑞丰华康顺捷宏图锦润鹏源益诚佳味", "衡大锐峰化糠舜杰洪途金闰朋原义成家未", strict=True)
)

# Per kind of problem: phrasings with {firm}, {m1}/{m2} (months), {n} (people), {amount}.
KINDS: dict[str, list[str]] = {
    "wage_arrears": [
        "{firm} 欠薪{k}个月 {m1}月+{m2}月",
        "来电人反映：其在{firm}上班，公司至今未发放{m1}月、{m2}月工资，请求工会协助讨要。",
        "{firm}老板拖欠我们{m1}月{m2}月两个月工资，车间{n}个人都没拿到钱",
        "{firm}的，{m1}、{m2}月工资到现在一分没发，问财务说账上没钱",
        "我们厂{m1}月份和{m2}月份的工资一直拖着不发，说等客户回款",
        "{firm}拖欠工资两个月了，房租都交不起了，工会管不管",
        "在{firm}干活，{m2}月的工资加上{m1}月的都还欠着，说好15号发一拖再拖",
        "{firm}工资没发，已经拖了{k}个多月，老板电话也不接",
    ],
    "social_insurance": [
        "{firm}入职一年多了一直没给我们交社保，说试用期过了再交",
        "来电人反映：{firm}未为其缴纳社会保险，已工作{n}个月，要求单位补缴。",
        "{firm}让我们签自愿放弃社保的协议，不签就不让上班",
        "在{firm}上班，社保一直没交，去社保局查了个人账户是空的",
        "{firm}不交社保，问了好几次都说公司规定做满两年才交",
    ],
    "overtime_pay": [
        "{firm}周末加班从来不按双倍算，只给平时的工资",
        "来电人反映：{firm}安排员工每周六加班，但仅按正常工作日标准支付报酬，未按规定支付加班工资。",
        "{firm}国庆节七天都让我们上班，三倍工资一分没有",
        "我们每个礼拜六都要上班，工资条上加班费是按1倍算的，{firm}说是规定",
        "{firm} 加班费少算 周末按平时算 好多同事都有意见",
    ],
    "work_injury": [
        "{firm}车间机器把我手压伤了，厂里不给报工伤，只给了{amount}块钱",
        "来电人称其于{m1}月在{firm}上班时右手被机器压伤，公司拒绝申报工伤认定。",
        "在{firm}干活手指被压断了，厂里不肯给我报工伤，医药费还是我自己垫的",
        "{firm} 工伤不给认定 手压伤了 怎么办",
    ],
    "dismissal": [
        "{firm}突然说整条产线裁掉，当天就让走人，一分钱补偿都没有",
        "来电人称{firm}以经营调整为由解除其劳动合同，未支付经济补偿金，涉及约{n}名员工。",
        "干了五年了，{firm}说岗位取消了，叫我们明天不用来了，也不给补偿金",
        "{firm}裁员{n}多人，说走就走，没有任何补偿",
    ],
    "no_contract": [
        "{firm}干了{k}个月了，一直没跟我们签劳动合同，问了主管说不用签",
        "来电人称其在{firm}工作{n}个月，单位未与其签订书面劳动合同，要求支付二倍工资差额。",
        "{firm}一直不跟员工签劳动合同，想问能不能要双倍工资",
    ],
    "canteen": [
        "{firm}的食堂饭菜越来越差，一荤两素就一点点肉，还每顿涨了两块钱",
        "来电人反映：{firm}职工食堂伙食质量差、价格上涨，员工意见较大。",
        "{firm}食堂的饭太难吃了，菜里经常吃出头发，价格还涨了",
    ],
    "dormitory": [
        "{firm}的员工宿舍八个人一间，夏天没有空调，热得根本睡不着",
        "来电人反映：{firm}员工宿舍居住条件差，每间住8人，无空调，热水供应不足。",
        "{firm}宿舍天天停热水，夏天屋里三十好几度，跟后勤说了好几次也没人管",
    ],
    "rider_account": [
        "{firm}把我的骑手账号封了，说我差评太多，申诉了三次都没回复，押金也不退",
        "来电人系{firm}外卖骑手，其配送账号被平台以异常订单为由永久封禁，余额无法提取。",
        "送外卖的账号被{firm}封号了 申诉没用 余额{amount}多",
    ],
    "high_temperature": [
        "{firm}工地上中午最热的时候也不让停工，高温补贴也没发",
        "来电人反映：{firm}在35度以上高温天气仍安排户外露天作业，未发放高温津贴。",
        "{firm}仓库三十八度还让我们连续干十个小时，高温费也不发",
    ],
    "long_hours": [
        "{firm}每天上班12个小时，一个月只休两天，人都快累垮了",
        "来电人反映：{firm}实行两班倒，每班12小时，每月仅休息2天。",
        "{firm}两班倒一个班十二小时，每个月就休两天，想问问这样合法吗",
    ],
    "fines": [
        "{firm}迟到一分钟罚50，一个月下来工资被扣了好几百",
        "来电人反映：{firm}制定大量罚款规定，迟到、违规均从工资中扣款，部分员工每月被扣数百元。",
        "{firm}动不动就罚款，上个月被扣了{amount}多",
    ],
}
NOISE = [
    "小区门口的路灯坏了一个多星期，晚上黑乎乎的", "请问驾照到期了在哪里换证", "楼上邻居天天晚上装修",
    "我的电动车在小区里被偷了", "测试", "你好", "请问这周末市民中心开门吗", "家门口的垃圾桶好几天没人清理",
    "马路上的井盖松了", "请问医保卡丢了怎么补办", "菜市场的菜价太贵了", "我家的狗走丢了，黄色的土狗",
    "网上买的东西一直没到货", "公园里的健身器材坏了好几个", "推荐一下无锡有什么好玩的地方",
]  # fmt: skip
FILLERS = [
    "",
    "",
    "",
    "请帮帮我们。",
    "谢谢！",
    "急！",
    "怎么办？",
    "希望工会能管一管。",
    "再反映一次：",
]


def make_firms(count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(full name, short form, brand) of distinct firms."""
    firms, seen = [], set()
    while len(firms) < count:
        brand = "".join(rng.sample(BRAND_CHARS, rng.choice((2, 3, 3))))
        trade = rng.choice(TRADES)
        if brand in seen:
            continue
        seen.add(brand)
        full = f"{rng.choice(CITIES)}{brand}{trade}有限公司"
        firms.append((full, brand + trade[:2], brand))
    return firms


def generate(n: int, seed: int = 1):
    """(items, truth of duplicates, truth of topics, known employer names)."""
    from opencc import OpenCC

    from unionhome.text.cluster import Item

    rng = random.Random(seed)
    to_traditional = OpenCC("s2t").convert
    firms = make_firms(max(200, n // 15), rng)
    width = str.maketrans("0123456789", "０１２３４５６７８９")
    items, dup_truth, topic_truth = [], [], []
    kinds = list(KINDS)
    case = 0
    used: set[tuple[int, str]] = set()  # one case per employer and kind (in one period)
    while len(items) < n:
        if rng.random() < 0.05:
            items.append(Item(str(len(items)), rng.choice(NOISE) + rng.choice(FILLERS)))
            dup_truth.append(None)
            topic_truth.append(f"noise-{len(items)}")
            continue
        case += 1
        kind, firm_index = rng.choice(kinds), rng.randrange(len(firms))
        if (firm_index, kind) in used:
            continue
        used.add((firm_index, kind))
        full, short, _brand = firms[firm_index]
        m1 = rng.randint(1, 11)
        slots = {"m1": m1, "m2": m1 + 1, "k": rng.randint(2, 5), "n": rng.randint(5, 60),
                 "amount": rng.choice([800, 1300, 2000, 2600])}  # fmt: skip
        reports = min(int(rng.paretovariate(1.3)), 200)
        for _ in range(reports):
            if len(items) >= n:
                break
            template = rng.choice(KINDS[kind])
            form = rng.random()
            declared = ""
            if form < 0.35:
                firm = full
            elif form < 0.75:
                firm = short
            elif form < 0.85:
                firm = "".join(HOMOPHONES.get(c, c) if i == 0 else c for i, c in enumerate(short))
            else:
                firm, declared = "我们公司", full
            text = template.format(firm=firm, **slots) + rng.choice(FILLERS)
            if "{firm}" not in template and not declared:
                declared = full
            if rng.random() < 0.2:
                text = to_traditional(text)
            if rng.random() < 0.1:
                text = text.translate(width)
            items.append(Item(str(len(items)), text, employer=declared))
            dup_truth.append(f"case-{case}" if reports > 1 else None)
            topic_truth.append(kind)
    return items, dup_truth, topic_truth, [full for full, _, _ in firms]


# -- scores from counts (no pair lists at a million) -------------------------------------------


def _pairs(counts) -> int:
    return sum(c * (c - 1) // 2 for c in counts)


def pair_scores(truth: list, found: list, unscored: list | None = None) -> tuple[float, float]:
    """Precision and recall of "same group" pairs; None never pairs. Found pairs of two items
    both ``unscored`` count neither way (a pair of one unscored and one other item is false)."""
    both = Counter(
        (t, f) for t, f in zip(truth, found, strict=True) if t is not None and f is not None
    )
    hits = _pairs(both.values())
    true_pairs = _pairs(Counter(t for t in truth if t is not None).values())
    found_pairs = _pairs(Counter(f for f in found if f is not None).values())
    if unscored is not None:
        skipped = (f for f, u in zip(found, unscored, strict=True) if u and f is not None)
        found_pairs -= _pairs(Counter(skipped).values())
    return (hits / found_pairs if found_pairs else 1.0, hits / true_pairs if true_pairs else 1.0)


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mib() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


# -- baseline ----------------------------------------------------------------------------------


def baseline(texts: list[str], num_perm: int = 64, threshold: float = 0.5) -> float:
    """Seconds for one datasketch MinHash per text + MinHashLSH insert and query."""
    from datasketch import MinHash, MinHashLSH

    from unionhome.text.cluster import compact, normalise_many

    started = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for index, text in enumerate(normalise_many(texts)):
        text = compact(text)
        sketch = MinHash(num_perm=num_perm)
        sketch.update_batch([text[i : i + 2].encode() for i in range(max(len(text) - 1, 1))])
        lsh.query(sketch)
        lsh.insert(str(index), sketch)
    return time.perf_counter() - started


def run(n: int, baseline_sample: int, seed: int = 1, workers: int = 2) -> int:
    from sklearn.metrics import adjusted_rand_score

    from unionhome.text.cluster import cluster_items

    load_before = os.getloadavg()[0]
    print(f"generating {n:,} demands ...", flush=True)
    started = time.perf_counter()
    items, dup_truth, topic_truth, known = generate(n, seed)
    print(f"  {time.perf_counter() - started:.1f} s; {len(known):,} employers, "
          f"{len({d for d in dup_truth if d}):,} cases reported more than once, "
          f"{sum(t.startswith('noise') for t in topic_truth):,} noise")  # fmt: skip

    steps = []
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    result = cluster_items(
        items, known_employers=known, seed=0, workers=workers,
        progress=lambda done, total: steps.append(
            (done, time.perf_counter() - started, _cpu_seconds() - cpu_started)
        ),
    )  # fmt: skip
    elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    own, children = peak_rss_mib()
    ids = [item.id for item in items]
    found = [result.duplicate_group[i] for i in ids]
    # Unrelated noise ("测试", "你好", 15 texts with a filler) sent by many people is grouped
    # as what it is, repeated text: pairs of two noise demands are left out of the precision.
    # Until 2026-11-28 they counted as false pairs (the second figure): at a million demands
    # 50,000 noise demands make millions of such pairs and swamped every other error.
    noise = [topic.startswith("noise") for topic in topic_truth]
    precision, recall = pair_scores(dup_truth, found, unscored=noise)
    old_precision, _ = pair_scores(dup_truth, found)
    ari = adjusted_rand_score(topic_truth, [result.cluster[i] for i in ids])
    duplicates = sum(1 for i in ids if result.duplicate_group[i] is not None)
    print(f"\ncluster_items: {n:,} demands in {elapsed:.1f} s "
          f"({'under' if elapsed < 60 else 'OVER'} the 60 s goal at 1,000,000)")  # fmt: skip
    print(f"  CPU time (this process and its workers): {cpu:.1f} s; load average before: "
          f"{load_before:.1f}")  # fmt: skip
    print("  steps (cumulative wall / CPU s): "
          + ", ".join(f"{d}: {t:.1f}/{c:.1f}" for d, t, c in steps))  # fmt: skip
    print(f"  peak RSS: {own:,.0f} MiB (this process), {children:,.0f} MiB (largest worker)")
    print(f"  topics: {len(result.topics):,}; demands in a duplicate group: {duplicates:,}")
    print(
        f"  duplicate pairs: precision {precision:.3f}, recall {recall:.3f}; topics ARI {ari:.3f}"
    )
    print(f"  (precision {old_precision:.3f} counting pairs of two unrelated noise demands as "
          "false, as measured before 2026-11-28)")  # fmt: skip

    sample = min(baseline_sample, n)
    texts = [item.text for item in items[:sample]]
    seconds = baseline(texts)
    per_million = seconds / sample * 1_000_000
    print(f"\nbaseline (datasketch MinHash per text + MinHashLSH, text near-duplicates only): "
          f"{sample:,} demands in {seconds:.1f} s → {per_million:,.0f} s per 1,000,000 "
          f"(extrapolated linearly)")  # fmt: skip
    print(f"speed-up: {per_million / (elapsed / n * 1_000_000):.1f}×")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--baseline-sample", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    return run(args.n, args.baseline_sample, args.seed, args.workers)


if __name__ == "__main__":
    sys.exit(main())
