"""The labelled set for clustering, and the scores `manage.py evaluate_clustering` prints.

``data/cluster_eval_source.txt`` is written by hand: topics, concrete problems each told by several
workers in their own words, topic-only demands and unrelated noise. `build` turns it into
``data/cluster_eval.jsonl`` (one demand per line: id, text, employer, group, dup), adding for each
concrete problem one re-submission the way they arrive in practice (typed again in Traditional
characters, the firm's name mistyped, full-width digits, forwarded with a note).

    python -m unionhome.text.cluster_eval build     # after editing the source
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from unionhome.text.cluster import Clustering, Item, cluster_items

DATA = Path(__file__).resolve().parent / "data"
SOURCE_PATH = DATA / "cluster_eval_source.txt"
EVAL_PATH = DATA / "cluster_eval.jsonl"
EMPLOYERS_PATH = DATA / "cluster_eval_employers.txt"

GOALS = {"ari": 0.8, "dup_precision": 0.95, "dup_recall": 0.85}


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    employer: str
    group: str
    dup: str | None


def parse_source(text: str) -> list[Row]:
    rows: list[Row] = []
    group, dup = None, None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## group:"):
            group, dup = line.split(":", 1)[1].strip(), None
            continue
        if line.startswith("# dup:"):
            dup = line.split(":", 1)[1].strip()
            continue
        if line == "# single":
            dup = None
            continue
        if line.startswith("#"):
            continue
        if group is None:
            raise ValueError(f"line outside a group: {line}")
        employer = ""
        traditional = False
        while True:
            if line.startswith("T|"):
                traditional, line = True, line[2:]
            elif line.startswith("E="):
                employer, line = line[2:].split("|", 1)
            else:
                break
        if traditional:
            line = to_traditional(line)
        # Noise is unrelated to everything, itself included: each line is its own group.
        label = f"{group}-{len(rows)}" if group == "noise" else group
        rows.append(Row(id="", text=line, employer=employer, group=label, dup=dup))
    return rows


def to_traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


# Mistypes of firm names the way pinyin input produces them (same sound, wrong character).
_HOMOPHONES = {"恒": "衡", "达": "大", "瑞": "锐", "丰": "峰", "鑫": "新", "源": "原", "益": "义",
               "华": "化", "康": "糠", "顺": "舜", "捷": "杰", "宏": "洪", "图": "途", "锦": "金",
               "润": "闰", "鹏": "朋", "速": "素", "众": "重", "诚": "成", "美": "每", "佳": "家",
               "百": "白", "味": "未"}  # fmt: skip
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_FORWARD_NOTES = ("再反映一次：", "转发工友的话：", "同上，", "我也是这个情况：", "补充一下：")


def _resubmission(text: str, rng: random.Random) -> str:
    kind = rng.choice(("traditional", "typo", "width", "forward"))
    if kind == "typo":
        positions = [i for i, char in enumerate(text[:12]) if char in _HOMOPHONES]
        if positions:
            i = positions[0]
            return text[:i] + _HOMOPHONES[text[i]] + text[i + 1 :]
        kind = "traditional"
    if kind == "width" and re.search(r"\d", text):
        return text.translate(_FULL_WIDTH)
    if kind == "forward":
        return rng.choice(_FORWARD_NOTES) + text
    return to_traditional(text)


def build(source: str, seed: int = 7) -> list[Row]:
    """Rows with ids, one re-submission added to every concrete problem, order shuffled."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible shuffle, not a secret
    rows = parse_source(source)
    extra = []
    by_dup: dict[str, list[Row]] = {}
    for row in rows:
        if row.dup:
            by_dup.setdefault(row.dup, []).append(row)
    for members in by_dup.values():
        model = rng.choice(members)
        extra.append(
            Row(
                id="",
                text=_resubmission(model.text, rng),
                employer=model.employer,
                group=model.group,
                dup=model.dup,
            )
        )
    rows += extra
    rng.shuffle(rows)
    return [
        Row(id=f"e{n:03d}", text=row.text, employer=row.employer, group=row.group, dup=row.dup)
        for n, row in enumerate(rows, 1)
    ]


def load(path: Path = EVAL_PATH) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            rows.append(
                Row(
                    id=data["id"],
                    text=data["text"],
                    employer=data.get("employer") or "",
                    group=data["group"],
                    dup=data.get("dup"),
                )
            )
    return rows


def known_employers(path: Path = EMPLOYERS_PATH) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _pairs(labels: dict[str, str | None]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = {}
    for identifier, label in labels.items():
        if label is not None:
            members.setdefault(label, []).append(identifier)
    return {pair for ids in members.values() for pair in combinations(sorted(ids), 2)}


def score(rows: Sequence[Row], clustering: Clustering) -> dict[str, float]:
    """Purity and adjusted Rand index of topics against groups; precision and recall of the
    duplicate pairs (two demands in one predicted group) against the concrete-problem labels."""
    from sklearn.metrics import adjusted_rand_score

    truth = [row.group for row in rows]
    predicted = [clustering.cluster[row.id] for row in rows]
    per_cluster: dict[int, Counter[str]] = {}
    for label, cluster in zip(truth, predicted, strict=True):
        per_cluster.setdefault(cluster, Counter())[label] += 1
    purity = sum(counts.most_common(1)[0][1] for counts in per_cluster.values()) / len(rows)
    true_pairs = _pairs({row.id: row.dup for row in rows})
    found_pairs = _pairs({row.id: clustering.duplicate_group[row.id] for row in rows})
    hits = len(true_pairs & found_pairs)
    return {
        "demands": len(rows),
        "groups": len(set(truth)),
        "clusters": len(per_cluster),
        "purity": purity,
        "ari": adjusted_rand_score(truth, predicted),
        "dup_pairs": len(true_pairs),
        "dup_pairs_found": len(found_pairs),
        "dup_precision": hits / len(found_pairs) if found_pairs else 1.0,
        "dup_recall": hits / len(true_pairs) if true_pairs else 1.0,
    }


def evaluate(rows: Sequence[Row] | None = None, *, seed: int = 0, **options):
    """(scores, clustering) of `cluster_items` over the labelled set."""
    rows = load() if rows is None else rows
    items = [Item(id=row.id, text=row.text, employer=row.employer) for row in rows]
    clustering = cluster_items(items, known_employers=known_employers(), seed=seed, **options)
    return score(rows, clustering), clustering


def main(argv: Sequence[str]) -> int:
    if list(argv) != ["build"]:
        print("usage: python -m unionhome.text.cluster_eval build", file=sys.stderr)
        return 2
    rows = build(SOURCE_PATH.read_text(encoding="utf-8"))
    with EVAL_PATH.open("w", encoding="utf-8") as out:
        for row in rows:
            data = {"id": row.id, "text": row.text, "employer": row.employer or None,
                    "group": row.group, "dup": row.dup}  # fmt: skip
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
    print(f"{len(rows)} demands, {len({r.group for r in rows})} groups → {EVAL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
