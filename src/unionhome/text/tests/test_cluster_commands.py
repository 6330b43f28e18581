"""manage.py cluster_demands (JSON lines in and out) and evaluate_clustering (the shipped set)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from unionhome.text.cluster import Item, cluster_items
from unionhome.text.cluster_eval import GOALS, evaluate, load

LINES = [
    {"id": 1, "text": "恒达精密 欠薪2个月 ３月+４月"},
    {
        "id": "t-2",
        "text": "来电人反映：其在无锡市恒达精密机械有限公司车间上班，公司至今未发放三月、四月的工资。",
    },
    {"id": 3, "text": "瑞豐紡織宿舍沒有空調，八個人擠一間", "employer": "无锡瑞丰纺织有限公司"},
    {"id": 4, "text": "小区门口的路灯坏了一个多星期"},
]


def run(stdin, *args):
    out, err = StringIO(), StringIO()
    call_command("cluster_demands", *args, stdin=stdin, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def jsonl(rows):
    return StringIO("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


def test_one_line_out_per_line_in_with_exactly_id_duplicate_group_and_cluster(tmp_path):
    known = tmp_path / "employers.txt"
    known.write_text("# the union's enterprises\n无锡市恒达精密机械有限公司\n", encoding="utf-8")
    results = run(jsonl(LINES), "--known-employers", str(known), "--no-progress")
    assert [r["id"] for r in results] == [1, "t-2", 3, 4]  # ids come back as given, in order
    for result in results:
        assert set(result) == {"id", "duplicate_group", "cluster"}
        assert isinstance(result["cluster"], int)
    assert results[0]["duplicate_group"] == results[1]["duplicate_group"] is not None
    assert results[2]["duplicate_group"] is None and results[3]["duplicate_group"] is None


def test_command_gives_what_cluster_items_gives():
    results = run(jsonl(LINES), "--known-employers", "/dev/null", "--seed", "3", "--no-progress")
    items = [Item(str(r["id"]), r["text"], r.get("employer", "")) for r in LINES]
    expected = cluster_items(items, seed=3)
    for line, result in zip(LINES, results, strict=True):
        assert result["cluster"] == expected.cluster[str(line["id"])]
        assert result["duplicate_group"] == expected.duplicate_group[str(line["id"])]


def test_bad_lines_are_reported_in_place_and_the_rest_clustered():
    stdin = StringIO(
        "\ufeff" + json.dumps(LINES[0], ensure_ascii=False) + "\n"
        '{"id": 2, "text": \n'  # broken JSON
        '{"text": "没有编号"}\n'
        '{"id": 4, "text": ""}\n'
        '{"id": 5, "text": "工资没发", "employer": 7}\n'
        + json.dumps(LINES[1], ensure_ascii=False)
        + "\n\n"
        + json.dumps({"id": 1, "text": "重复的编号"}, ensure_ascii=False)
        + "\n"
    )
    results = run(stdin, "--known-employers", "/dev/null", "--no-progress")
    assert results[0]["id"] == 1 and "cluster" in results[0]
    assert results[1]["line"] == 2 and results[1]["error"].startswith("invalid JSON")
    assert results[2] == {"line": 3, "error": "missing id (a string or a number)"}
    assert results[3] == {"line": 4, "error": "empty text", "id": 4}
    assert results[4] == {"line": 5, "error": "employer must be a string, not int", "id": 5}
    assert results[5]["id"] == "t-2"
    assert results[5]["duplicate_group"] == results[0]["duplicate_group"] is not None
    assert results[6] == {"line": 8, "error": "duplicate id", "id": 1}
    assert len(results) == 7


def test_progress_goes_to_stderr_not_stdout():
    out, err = StringIO(), StringIO()
    call_command(
        "cluster_demands", "--known-employers", "/dev/null", stdin=jsonl(LINES), stdout=out,
        stderr=err,
    )  # fmt: skip
    assert all(json.loads(line) for line in out.getvalue().splitlines())


def test_a_missing_employers_file_is_a_clear_error():
    with pytest.raises(CommandError, match="cannot read"):
        run(jsonl(LINES), "--known-employers", "/nonexistent/employers.txt")


@pytest.mark.django_db
def test_known_employers_default_to_the_enterprise_unions(cast):
    from unionhome.text.management.commands.cluster_demands import known_employers_from_database

    names = known_employers_from_database()
    assert "无锡恒达精密机械有限公司" in names  # the employer name, not the union's
    assert "无锡瑞丰纺织有限公司" in names  # the union's name without 工会委员会
    assert not any("工会" in name for name in names)
    # Typed short, with a wrong character: still the known employer, so one case.
    results = run(
        jsonl(
            [
                {"id": 1, "text": "衡达精密 欠薪两个月 三月四月都没发"},
                {"id": 2, "text": "恒达精密拖欠我们三月、四月两个月的工资，找主管也没用"},
                {"id": 3, "text": "小区门口的路灯坏了"},
            ]
        ),
        "--no-progress",
    )
    assert results[0]["duplicate_group"] == results[1]["duplicate_group"] is not None


def test_shipped_labelled_set_is_big_and_varied_enough():
    rows = load()
    groups = {row.group for row in rows if not row.group.startswith("noise")}
    assert len(rows) >= 400 and len(groups) >= 25
    assert len({row.id for row in rows}) == len(rows)
    assert sum(row.group.startswith("noise") for row in rows) >= 30
    traditional = sum(any(char in row.text for char in "們這個說沒處實際裡") for row in rows)
    assert traditional >= 60


def test_clustering_meets_the_quality_goals_on_the_shipped_set():
    scores, _ = evaluate()
    assert scores["ari"] >= GOALS["ari"]
    assert scores["dup_precision"] >= GOALS["dup_precision"]
    assert scores["dup_recall"] >= GOALS["dup_recall"]
    assert scores["purity"] >= 0.85


def test_evaluate_clustering_prints_the_scores_and_passes():
    out = StringIO()
    call_command("evaluate_clustering", stdout=out)
    text = out.getvalue()
    for label in ("purity", "adjusted Rand index", "duplicate precision", "duplicate recall"):
        assert label in text
