"""unionhome.text.cluster: near-duplicate groups and topics of demands."""

import random

import numpy as np
import pytest

from unionhome.text.cluster import (
    EmployerMatcher,
    Item,
    Settings,
    cluster_items,
    compact,
    minhash_signatures,
    normalise_many,
    shingle_hashes,
)

HENGDA = "无锡市恒达精密机械有限公司"
RUIFENG = "无锡瑞丰纺织有限公司"
KNOWN = [HENGDA, RUIFENG, "江苏广益建设工程有限公司"]

SHORT = "恒达精密 欠薪2个月 ３月+４月"
TRANSCRIPT = (
    "来电人反映：其在无锡市恒达精密机械有限公司车间上班，公司至今未发放今年三月、四月的工资，"
    "多次找主管均称等客户回款，请求工会协助讨要。"
)
OTHER_TOPICS = [
    Item("n1", "小区门口的路灯坏了一个多星期，晚上黑乎乎的"),
    Item("n2", "外卖平台把我的骑手账号封了，申诉也没人理"),
    Item("n3", "宿舍八个人一间，夏天没有空调热得睡不着"),
    Item("n4", "孩子考上大学了学费交不起，想申请金秋助学"),
]


def test_hengda_short_form_and_hotline_transcript_are_one_case():
    result = cluster_items(
        [Item("1", SHORT), Item("2", TRANSCRIPT), *OTHER_TOPICS], known_employers=KNOWN
    )
    assert result.employer["1"] == result.employer["2"] == HENGDA
    assert result.duplicate_group["1"] == result.duplicate_group["2"] is not None
    assert result.cluster["1"] == result.cluster["2"]
    assert all(result.duplicate_group[item.id] is None for item in OTHER_TOPICS)


def test_employer_found_without_the_known_list_from_a_full_name_in_another_demand():
    result = cluster_items([Item("1", SHORT), Item("2", TRANSCRIPT), *OTHER_TOPICS])
    assert result.employer["1"] == result.employer["2"] == HENGDA
    assert result.duplicate_group["1"] == result.duplicate_group["2"] is not None


def test_traditional_and_simplified_texts_of_one_complaint_share_group_and_topic():
    simplified = "恒达精密老板拖欠我们三月四月两个月工资，车间几十号人都没拿到钱，房租都交不起了"
    traditional = "恆達精密老闆拖欠我們三月四月兩個月工資，車間幾十號人都沒拿到錢，房租都交不起了"
    result = cluster_items(
        [Item("s", simplified), Item("t", traditional), *OTHER_TOPICS], known_employers=KNOWN
    )
    assert result.duplicate_group["s"] == result.duplicate_group["t"] is not None
    assert result.cluster["s"] == result.cluster["t"]
    assert normalise_many([traditional]) == normalise_many([simplified])


def test_similar_complaints_about_two_companies_stay_in_separate_duplicate_groups():
    template = "来电人反映：其在{}上班，公司至今未发放三月、四月工资，请求工会协助讨要。"
    items = [
        Item("h1", template.format(HENGDA)),
        Item("h2", "恒达精密 三月四月工资没发"),
        Item("r1", template.format(RUIFENG)),
        Item("r2", "瑞丰纺织 三月四月工资没发"),
        *OTHER_TOPICS,
    ]
    result = cluster_items(items, known_employers=KNOWN)
    assert result.employer["r1"] == result.employer["r2"] == RUIFENG
    assert result.duplicate_group["h1"] == result.duplicate_group["h2"] is not None
    assert result.duplicate_group["r1"] == result.duplicate_group["r2"] is not None
    assert result.duplicate_group["h1"] != result.duplicate_group["r1"]
    # Still one topic: wage arrears, at two employers.
    assert result.cluster["h1"] == result.cluster["r1"]
    topic = result.topics[result.cluster["h1"]]
    assert set(topic.employers) == {HENGDA, RUIFENG}


def test_identical_text_with_two_declared_employers_is_not_one_duplicate_group():
    text = "公司三个月没发工资了，老板说等回款"
    items = [Item("a", text, employer=HENGDA), Item("b", text, employer=RUIFENG), *OTHER_TOPICS]
    result = cluster_items(items, known_employers=KNOWN)
    assert result.employer == {**result.employer, "a": HENGDA, "b": RUIFENG}
    assert result.duplicate_group["a"] is None and result.duplicate_group["b"] is None


def test_one_employer_with_two_different_problems_gives_two_duplicate_groups():
    items = [
        Item("w1", "恒达精密拖欠我们三月四月的工资"),
        Item("w2", "恒达精密三、四月份工资到现在都没发"),
        Item("c1", "恒达精密食堂饭菜太差了，还涨价"),
        Item("c2", "恒达精密的食堂一荤两素就一点点肉，每顿涨了两块钱"),
        *OTHER_TOPICS,
    ]
    result = cluster_items(items, known_employers=KNOWN)
    assert result.duplicate_group["w1"] == result.duplicate_group["w2"] is not None
    assert result.duplicate_group["c1"] == result.duplicate_group["c2"] is not None
    assert result.duplicate_group["w1"] != result.duplicate_group["c1"]
    assert result.cluster["w1"] != result.cluster["c1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("恒达精密欠薪两个月", HENGDA),
        ("恒大精密的，两个月工资没发了", HENGDA),  # one wrong character (pinyin input)
        ("我在無錫恆達精密機械上班", HENGDA),  # Traditional, without 市 and legal form
        ("瑞丰厂的宿舍没有空调", RUIFENG),  # brand and 厂
        ("快速达到了目标", None),  # a brand inside an ordinary word is no employer
        ("小区路灯坏了", None),
    ],
)
def test_employer_recognised_from_short_forms_and_typos(text, expected):
    matcher = EmployerMatcher([*KNOWN, "无锡速达网络科技有限公司"])
    found = matcher.find(compact(normalise_many([text])[0]))
    assert (matcher.name_for(found) if found else None) == expected


def test_a_typo_equally_close_to_two_employers_names_neither():
    matcher = EmployerMatcher(["无锡恒达精密机械有限公司", "无锡宏达精密机械有限公司"])
    assert matcher.find("衡达精密欠薪") is None
    assert matcher.name_for(matcher.find("宏达精密欠薪")) == "无锡宏达精密机械有限公司"


def test_a_mistyped_brand_that_is_another_firms_brand_goes_by_the_trade_word():
    # "大诚远光电" is 达诚远光电 typed wrong, and holds 诚远, the exact brand of a 塑业 firm.
    matcher = EmployerMatcher(["无锡诚远塑业有限公司", "江阴市达诚远光电科技有限公司"])
    assert (
        matcher.name_for(matcher.find("大诚远光电宿舍没有热水")) == "江阴市达诚远光电科技有限公司"
    )
    assert matcher.name_for(matcher.find("诚远塑业宿舍没有热水")) == "无锡诚远塑业有限公司"
    assert matcher.name_for(matcher.find("诚远厂宿舍没有热水")) == "无锡诚远塑业有限公司"
    # With no firm closer, a brand before another trade word still names its firm.
    alone = EmployerMatcher(["无锡诚远塑业有限公司"])
    assert alone.name_for(alone.find("诚远光电宿舍没有热水")) == "无锡诚远塑业有限公司"


def _demo_items(n: int, seed: int = 3) -> list[Item]:
    rng = random.Random(seed)
    firms = ["恒达精密", "瑞丰纺织", "广益建设", "鑫源电子"]
    problems = ["拖欠三个月工资不发", "不给交社保", "周末加班不给加班费", "食堂饭菜太差还涨价"]
    return [
        Item(
            str(i),
            f"{rng.choice(firms)}{rng.choice(problems)}，{rng.choice(['请帮忙', '怎么办', ''])}",
        )
        for i in range(n)
    ]


def test_same_input_and_seed_give_the_same_clustering():
    items = _demo_items(60)
    first = cluster_items(items, known_employers=KNOWN, seed=5)
    second = cluster_items(list(items), known_employers=KNOWN, seed=5)
    assert first == second


def test_topic_ids_run_by_size_then_smallest_member_id_and_every_item_has_one():
    items = _demo_items(80)
    result = cluster_items(items, known_employers=KNOWN)
    assert set(result.cluster) == {item.id for item in items}
    keys = [(-len(t.member_ids), int(min(t.member_ids, key=int))) for t in result.topics]
    assert keys == sorted(keys)
    for topic in result.topics:
        assert topic.id == result.topics.index(topic)
        assert all(result.cluster[m] == topic.id for m in topic.member_ids)
        assert topic.representative_id in topic.member_ids
        assert 1 <= len(topic.keywords) <= 8
    members = [m for t in result.topics for m in t.member_ids]
    assert sorted(members) == sorted(item.id for item in items)


def test_near_duplicates_always_share_a_topic():
    result = cluster_items(_demo_items(120), known_employers=KNOWN)
    topic_of_group = {}
    for item_id, group in result.duplicate_group.items():
        if group is not None:
            assert (
                topic_of_group.setdefault(group, result.cluster[item_id]) == result.cluster[item_id]
            )


def test_the_sampled_path_for_large_batches_keeps_the_same_guarantees():
    items = _demo_items(200)
    result = cluster_items(items, known_employers=KNOWN, settings=Settings(exact_sample=40))
    assert set(result.cluster) == {item.id for item in items}
    again = cluster_items(items, known_employers=KNOWN, settings=Settings(exact_sample=40))
    assert result == again
    assert len(result.topics) < len(items) / 4


def test_empty_input_gives_an_empty_clustering_and_ids_must_be_unique():
    assert cluster_items([]).topics == []
    with pytest.raises(ValueError, match="unique"):
        cluster_items([Item("1", "甲"), Item("1", "乙")])


def test_progress_is_reported_up_to_the_total():
    calls = []
    cluster_items(_demo_items(10), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1][0] == calls[-1][1] and [done for done, _ in calls] == sorted(
        done for done, _ in calls
    )


def test_minhash_signatures_equal_datasketch_with_the_same_hashes():
    from datasketch import MinHash

    texts = ["恒达精密欠薪两个月", "来电人反映工资没发", "a", "瑞丰纺织宿舍没有空调"]
    ours = minhash_signatures(texts, num_perm=32, seed=11)
    hashes, starts = shingle_hashes(texts)
    ends = [*starts[1:], len(hashes)]
    for row, (start, end) in enumerate(zip(starts, ends, strict=True)):
        reference = MinHash(num_perm=32, seed=11, hashfunc=int)
        reference.update_batch([int(h) for h in hashes[start:end]])
        assert np.array_equal(ours[row], reference.hashvalues.astype(np.uint32))


def test_nfkc_of_runs_equals_nfkc_of_the_whole_text():
    from unicodedata import normalize

    from unionhome.text.cluster import nfkc

    texts = [
        "恒达精密 欠薪２个月 ３月＋４月，怎么办？",
        "cafe\u0301 e\u0301\u0323 ｶﾀｶﾅ ㍿ ﬁ ①② Ⅻ \u3000全角　空格",
        "\u0301开头的组合符号\n第二行ｅ\u0301",
        "한국어 \u1100\u1161\u11a8 丽（兼容汉字 \uf900）",
    ]
    for text in texts:
        assert nfkc(text) == normalize("NFKC", text)


def test_concepts_found_in_one_pass_equal_concepts_text_by_text():
    from unionhome.text.cluster import concept_counts, concept_matrix, concepts_of

    texts = [compact(text) for text in normalise_many([item.text for item in _demo_items(40)])]
    texts += ["没发", "工资到现在还没发", "", "老板说没发", "工资", "欠了三个月工资", "食堂太差"]
    expected = concept_counts([concepts_of(text) for text in texts])
    found = concept_matrix(texts)
    assert (found != expected).nnz == 0 and found.shape == expected.shape
