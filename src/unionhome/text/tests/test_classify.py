"""The category classifier: held-out quality, unseen examples, Traditional input, the API."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import opencc
import pytest

from unionhome.text import classify as classify_module
from unionhome.text.categories import CATEGORY_NAMES
from unionhome.text.classify import (
    Suggestion,
    classify,
    evaluate,
    get_model,
    load_corpus,
    split,
    suggest_category,
)

MIN_MACRO_F1 = 0.85


@pytest.fixture(scope="module")
def held_out():
    return evaluate()


def test_corpus_has_at_least_seventy_demands_in_every_category():
    counts = dict.fromkeys(CATEGORY_NAMES, 0)
    for example in load_corpus():
        counts[example.code] += 1
    assert min(counts.values()) >= 70, counts


def test_held_out_macro_f1(held_out):
    # The same function `manage.py evaluate_classifier` runs; the split is stratified and fixed.
    assert held_out.macro_f1 >= MIN_MACRO_F1, [(s.name, round(s.f1, 3)) for s in held_out.scores]
    assert held_out.n_test >= 12 * 17
    assert held_out.train_seconds < 5


def test_held_out_texts_are_not_trained_on():
    examples = load_corpus()
    train, test = split(examples)
    assert not {e.text for e in train} & {e.text for e in test}
    assert split(examples) == (train, test)  # same seed, same split


# Written for this test, not in the corpus.
UNSEEN = {
    "wages": ["老板拖了我三个月工资不给", "包工头卷钱跑了，我们十几个人的工钱一分没拿到",
              "这个月工资少发了八百，问财务也说不清扣的什么"],
    "social_insurance": ["单位一直没给我缴养老保险和医疗保险", "公积金断缴了半年，公司说资金紧张以后再补",
                         "生孩子以后生育津贴一直没领到"],
    "contract": ["上班快一年了，公司还是不跟我签劳动合同", "公司突然把我辞退了，一分钱经济补偿都不给",
                 "合同到期了公司不续签，有没有补偿"],
    "hours_leave": ["每天要加班到晚上十一点，一个月只休一天", "工作六年了公司一天年假都不给休",
                    "陪产假公司只给三天，还要扣工资"],
    "safety_injury": ["在车间被机器压伤了手，公司不给申报工伤认定", "车间粉尘太大了，也不发口罩，担心得职业病",
                      "仓库的消防通道全被货物堵死了"],
    "hardship": ["孩子得了白血病，治疗费用太高，家里实在困难，想申请帮扶", "孩子考上大学了，学费交不起，想申请金秋助学",
                 "老伴瘫痪在床，我一个人的工资养不活一家人"],
    "legal_dispute": ["我想申请劳动仲裁，请问工会能提供免费律师吗", "法院判了公司赔钱，公司一直不执行怎么办",
                      "仲裁开庭需要准备哪些证据材料"],
    "democratic": ["我们公司从来不开职工代表大会", "厂务公开栏好几年都没有更新过了", "工会经费怎么花的从来不公开"],
    "membership": ["我想加入工会，网上怎么申请入会", "会员卡丢了在哪里补办", "换了单位以后会员关系怎么转过去"],
    "skills": ["想考焊工证，有没有免费的技能培训", "今年的职工技能大赛什么时候报名", "工会有学历提升的补助吗，我想读个大专"],
    "new_employment": ["外卖平台派单太多送不过来，超时就罚款", "我是网约车司机，平台抽成太高了",
                       "快递员派费又降了，一件才几毛钱"],
    "other": ["建议厂里食堂多做几个便宜的菜", "园区能不能开一条通勤班车到地铁站",
              "希望工会多组织一些篮球赛之类的文体活动"],
}  # fmt: skip
UNSEEN_CASES = [(code, text) for code, texts in UNSEEN.items() for text in texts]


def test_unseen_examples_are_really_unseen():
    corpus = {e.text for e in load_corpus()}
    assert [text for _code, text in UNSEEN_CASES if text in corpus] == []


@pytest.mark.parametrize(("code", "text"), UNSEEN_CASES)
def test_unseen_examples_get_their_category(code, text):
    suggestion = suggest_category(text)
    assert suggestion.code == code, suggestion


@pytest.mark.parametrize(("code", "text"), UNSEEN_CASES[::2])
def test_traditional_and_full_width_input_get_the_same_category(code, text):
    traditional = opencc.OpenCC("s2tw").convert(text)
    assert traditional != text or not any("\u4e00" <= c <= "\u9fff" for c in text)
    assert suggest_category(traditional) == suggest_category(text)


def test_full_width_digits_do_not_change_the_answer():
    assert suggest_category("老板欠我３个月工资１２０００元") == suggest_category(
        "老板欠我3个月工资12000元"
    )


def test_suggestion_shape():
    suggestion = suggest_category("老板拖了我三个月工资不给")
    assert isinstance(suggestion, Suggestion)
    assert (suggestion.code, suggestion.name) == ("wages", "工资报酬")
    assert 0.5 < suggestion.confidence <= 1
    assert len(suggestion.alternatives) == 3
    codes = [suggestion.code] + [code for code, _name, _p in suggestion.alternatives]
    assert len(set(codes)) == 4
    probabilities = [suggestion.confidence] + [p for _c, _n, p in suggestion.alternatives]
    assert probabilities == sorted(probabilities, reverse=True)
    for code, name, _p in suggestion.alternatives:
        assert CATEGORY_NAMES[code] == name


def test_empty_text_falls_back_to_other_with_no_confidence():
    assert suggest_category("  \n ") == Suggestion("other", "其他建议", 0.0)
    assert classify("") == {"category": "其他建议", "is_spam": False, "confidence": 0.0}


def test_classify_combines_category_and_spam():
    result = classify("外卖骑手送餐超时被平台罚款")
    assert result == {
        "category": "新就业形态",
        "is_spam": False,
        "confidence": suggest_category("外卖骑手送餐超时被平台罚款").confidence,
    }
    spam = classify("代开发票，点数低，加微信 fp8866888")
    assert spam["is_spam"] is True
    assert spam["category"] in CATEGORY_NAMES.values()


def test_shipped_scorer_gives_the_pipelines_probabilities():
    trained = classify_module.train_model()
    shipped = get_model()
    texts = [text for _code, text in UNSEEN_CASES] + [e.text for e in load_corpus()[::7]]
    fast = trained.probabilities(texts)
    slow = trained.pipeline.predict_proba(texts)
    assert abs(fast - slow).max() < 1e-9
    pure = [shipped.probabilities_one(text) for text in texts]
    assert abs(slow - pure).max() < 1e-6
    assert [r[0][0] for r in shipped.rank(texts)] == [r[0][0] for r in trained.rank(texts)]


def test_shipped_weights_are_the_corpus_retrained():
    """Edit the corpus without `manage.py export_classifier` and this fails."""
    shipped = classify_module.ShippedModel.load()
    assert shipped.corpus_sha256 == classify_module._corpus_digest()
    exported = classify_module.train_model().export()
    assert shipped.codes == exported["codes"]
    _head, stored = classify_module.read_model_file()
    assert stored.keys() == exported["ngrams"].keys()
    worst = max(
        abs(a - b)
        for gram, numbers in exported["ngrams"].items()
        for a, b in zip(numbers, stored[gram], strict=True)
    )
    assert worst < 1e-5


def test_web_workers_score_without_scikit_learn():
    code = (
        "import sys, django; django.setup();"
        "from unionhome.text.classify import suggest_category;"
        "s = suggest_category('公司拖欠我们三个月工资，老板一直不露面');"
        "assert s.code == 'wages', s;"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy', 'numpy'));"
        "assert not heavy, heavy"
    )
    src = str(Path(classify_module.__file__).resolve().parents[2])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "unionhome.settings", "PYTHONPATH": src}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)  # noqa: S603


def test_a_model_file_of_another_format_is_refused():
    with pytest.raises(ValueError, match="format"):
        classify_module.ShippedModel({"format": 99, "codes": [], "intercepts": []}, [])


def test_training_is_deterministic():
    examples = load_corpus()[::3]
    first = classify_module.Model.train(examples)
    second = classify_module.Model.train(examples)
    texts = [text for _code, text in UNSEEN_CASES]
    assert (first.probabilities(texts) == second.probabilities(texts)).all()


def test_the_model_is_built_once_under_concurrency(monkeypatch):
    monkeypatch.setattr(classify_module, "_model", None)
    built = []
    real_load = classify_module.ShippedModel.load

    def counting_load():
        built.append(1)
        return real_load()

    monkeypatch.setattr(classify_module.ShippedModel, "load", counting_load)
    models = []
    threads = [threading.Thread(target=lambda: models.append(get_model())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert all(model is models[0] for model in models)
