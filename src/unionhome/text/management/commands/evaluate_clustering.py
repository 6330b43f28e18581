"""Score demand clustering on the labelled set shipped in ``text/data/cluster_eval.jsonl``.

    manage.py evaluate_clustering [--seed 0] [--mistakes]

Runs ``unionhome.text.cluster.cluster_items`` (what the digest and ``cluster_demands`` run) with
the employers of ``text/data/cluster_eval_employers.txt`` as the known ones, and prints purity and
adjusted Rand index of the topics against the labelled groups, and precision and recall of the
duplicate pairs against the labelled concrete problems. Exits 1 when a goal is missed
(ARI ≥ 0.8, duplicate precision ≥ 0.95, recall ≥ 0.85).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

from django.core.management.base import BaseCommand, CommandError

from unionhome.text.cluster_eval import GOALS, evaluate, load


class Command(BaseCommand):
    help = "Cluster the labelled demands and print purity, ARI and duplicate precision/recall."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--mistakes",
            action="store_true",
            help="also list split and mixed duplicate groups and split topics",
        )

    def handle(self, *args, seed, mistakes, **options):
        rows = load()
        started = time.perf_counter()
        scores, clustering = evaluate(rows, seed=seed)
        seconds = time.perf_counter() - started
        write = self.stdout.write
        write(
            f"labelled set: {scores['demands']} demands in {scores['groups']} groups "
            f"(unrelated noise counts one group each), {scores['dup_pairs']} duplicate pairs"
        )
        write(f"clusters            {scores['clusters']}")
        write(f"purity              {scores['purity']:.3f}")
        write(f"adjusted Rand index {scores['ari']:.3f}  (goal ≥ {GOALS['ari']})")
        write(
            f"duplicate precision {scores['dup_precision']:.3f}  (goal ≥ {GOALS['dup_precision']}; "
            f"{scores['dup_pairs_found']} pairs found)"
        )
        write(f"duplicate recall    {scores['dup_recall']:.3f}  (goal ≥ {GOALS['dup_recall']})")
        write(f"time                {seconds:.2f} s including imports and dictionaries")
        if mistakes:
            self._mistakes(rows, clustering)
        missed = [name for name, goal in GOALS.items() if scores[name] < goal]
        if missed:
            raise CommandError("goal missed: " + ", ".join(missed))

    def _mistakes(self, rows, clustering):
        write = self.stdout.write
        by_dup, by_found, by_group = defaultdict(list), defaultdict(list), defaultdict(list)
        for row in rows:
            if row.dup:
                by_dup[row.dup].append(row)
            if clustering.duplicate_group[row.id]:
                by_found[clustering.duplicate_group[row.id]].append(row)
            by_group[row.group].append(row)
        write("\nconcrete problems split over several duplicate groups:")
        for dup, members in sorted(by_dup.items()):
            if len({clustering.duplicate_group[m.id] for m in members}) > 1:
                write(f"  {dup}")
                for m in members:
                    write(f"    [{clustering.duplicate_group[m.id]}] {m.text[:40]}")
        write("\nduplicate groups mixing concrete problems:")
        for found, members in sorted(by_found.items()):
            if len({m.dup for m in members}) > 1:
                write(f"  {found}: " + ", ".join(f"{m.id}={m.dup}" for m in members))
        write("\ngroups spread over several clusters (cluster: demands):")
        for group, members in sorted(by_group.items()):
            counts = Counter(clustering.cluster[m.id] for m in members)
            if len(counts) > 1:
                write(f"  {group}: " + ", ".join(f"{c}: {n}" for c, n in counts.most_common()))
