"""manage.py classify_demands: JSON lines in, JSON lines out, bad lines reported and skipped."""

import json
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from unionhome.text.categories import CATEGORY_NAMES
from unionhome.text.classify import classify


def run(stdin):
    out = StringIO()
    call_command("classify_demands", stdin=stdin, stdout=out)
    raw = out.getvalue()
    return raw, [json.loads(line) for line in raw.splitlines()]


def test_good_lines_get_category_spam_and_confidence_in_order():
    lines = [
        {"id": 1, "text": "老板拖了我三个月工资不给"},
        {"id": "b-2", "text": "外卖骑手送餐超时被平台罚款"},
        {"id": 3, "text": "代开发票，点数低，加微信 fp8866888"},
    ]
    _raw, results = run(StringIO("".join(json.dumps(line) + "\n" for line in lines)))
    assert [r["id"] for r in results] == [1, "b-2", 3]
    for line, result in zip(lines, results, strict=True):
        assert set(result) == {"id", "category", "is_spam", "confidence"}
        assert result["category"] in CATEGORY_NAMES.values()
        assert 0 <= result["confidence"] <= 1
        assert {k: result[k] for k in ("category", "is_spam", "confidence")} == classify(
            line["text"]
        )
    assert results[0]["category"] == "工资报酬"
    assert [r["is_spam"] for r in results] == [False, False, True]


def test_malformed_lines_are_reported_and_the_rest_still_run():
    stdin = StringIO(
        '{"id": 1, "text": "老板拖了我三个月工资不给"}\n'
        '{"id": 2, "text": \n'  # line 2: broken JSON
        '{"id": 3}\n'  # missing text
        '{"id": 4, "text": 42}\n'  # not a string
        '{"id": 5, "text": "   "}\n'  # empty
        "[1, 2]\n"  # not an object
        "\n"  # blank lines are skipped
        '{"id": 8, "text": "想加入工会，怎么申请入会"}\n'
    )
    _raw, results = run(stdin)
    assert results[0]["id"] == 1 and "category" in results[0]
    assert results[1]["line"] == 2 and results[1]["error"].startswith("invalid JSON")
    assert "id" not in results[1]
    assert results[2] == {"line": 3, "error": "missing text", "id": 3}
    assert results[3] == {"line": 4, "error": "text must be a string, not int", "id": 4}
    assert results[4] == {"line": 5, "error": "empty text", "id": 5}
    assert results[5] == {"line": 6, "error": "not a JSON object"}
    assert results[6]["id"] == 8 and results[6]["category"] == "入会与会员服务"
    assert len(results) == 7


def test_unicode_round_trips_unescaped():
    stdin = StringIO('{"id": "無錫-001", "text": "公司拖欠工資１５６００元，老闆不接電話"}\n')
    raw, results = run(stdin)
    assert '"id": "無錫-001"' in raw
    assert "工资报酬" in raw  # ensure_ascii=False: no \\u escapes
    assert "\\u" not in raw
    assert results == [{"id": "無錫-001", **classify("公司拖欠工資１５６００元，老闆不接電話")}]


def test_bytes_input_with_bom_and_a_badly_encoded_line():
    stdin = BytesIO(
        "\ufeff".encode()
        + '{"id": 1, "text": "车间粉尘太大，担心得职业病"}\n'.encode()
        + b'{"id": 2, "text": "\xff\xfe"}\n'
        + '{"id": 3, "text": "孩子考上大学学费交不起"}\n'.encode()
    )
    _raw, results = run(stdin)
    assert results[0]["category"] == "安全卫生与工伤"
    assert results[1] == {"line": 2, "error": "not valid UTF-8"}
    assert results[2]["category"] == "困难帮扶"


def test_missing_id_is_null_and_other_fields_are_ignored():
    _raw, results = run(StringIO('{"text": "仲裁开庭需要准备哪些证据", "extra": [1]}\n'))
    assert results[0]["id"] is None
    assert results[0]["category"] == "法律援助与争议"


def test_unreadable_stdin_is_an_error():
    class Broken:
        def __iter__(self):
            yield '{"id": 1, "text": "欠薪"}\n'
            raise OSError("device gone")

    out = StringIO()
    with pytest.raises(CommandError, match="cannot read standard input"):
        call_command("classify_demands", stdin=Broken(), stdout=out)
    assert json.loads(out.getvalue().splitlines()[0])["id"] == 1


def test_input_is_streamed_not_read_whole():
    seen = []

    class Watched:
        def __iter__(self):
            for number in range(3):
                seen.append(number)
                # The previous line has been answered before the next one is read.
                assert out.getvalue().count("\n") == number
                yield json.dumps({"id": number, "text": "老板欠薪"}) + "\n"

    out = StringIO()
    call_command("classify_demands", stdin=Watched(), stdout=out)
    assert seen == [0, 1, 2]
    assert out.getvalue().count("\n") == 3


def test_evaluate_classifier_command_passes_and_fails_on_the_threshold():
    out = StringIO()
    call_command("evaluate_classifier", stdout=out)
    text = out.getvalue()
    assert "macro-F1" in text and "工资报酬" in text and "ms for one text" in text
    with pytest.raises(CommandError, match="below the minimum") as failure:
        call_command("evaluate_classifier", "--min-f1", "0.999", stdout=StringIO())
    assert failure.value.returncode == 1
