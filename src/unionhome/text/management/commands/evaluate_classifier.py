"""Check the demand classifier on a held-out part of the shipped corpus.

    manage.py evaluate_classifier [--min-f1 0.85] [--test-size 0.25] [--seed 20241] [--mistakes]

A stratified split (fixed seed) keeps ``--test-size`` of each category out of training; the model
is trained on the rest with exactly the pipeline the site uses, then scored on the held-out texts.
Prints precision/recall/F1 per category, the macro-F1, and how long training and classifying one
text took. Exits 1 when the macro-F1 is below ``--min-f1``.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from unionhome.text.classify import HELD_OUT_SHARE, RANDOM_STATE, evaluate


class Command(BaseCommand):
    help = "Train on part of the demand corpus and score the classifier on the held-out rest."
    # Text in, text out: no database, URLs or admin involved, so no system checks to wait for.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--min-f1", type=float, default=0.85, help="fail below this macro-F1")
        parser.add_argument("--test-size", type=float, default=HELD_OUT_SHARE)
        parser.add_argument("--seed", type=int, default=RANDOM_STATE)
        parser.add_argument(
            "--mistakes", action="store_true", help="also list the held-out texts it got wrong"
        )

    def handle(self, *args, min_f1, test_size, seed, mistakes, **options):
        if not 0 < test_size < 1:
            raise CommandError("--test-size must be between 0 and 1")
        started = time.perf_counter()
        result = evaluate(test_size=test_size, seed=seed)
        total = time.perf_counter() - started

        write = self.stdout.write
        write(
            f"held-out evaluation: {result.n_train} training texts, {result.n_test} held out "
            f"(test size {test_size:.0%}, seed {seed})"
        )
        write("")
        write(f"{'category':<16}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}")
        for score in result.scores:
            # Chinese characters are two columns wide in a terminal.
            label = score.name + " " * max(0, 16 - 2 * len(score.name))
            write(
                f"{label}{score.precision:>10.3f}{score.recall:>10.3f}{score.f1:>10.3f}"
                f"{score.support:>10}"
            )
        write("")
        write(f"accuracy   {result.accuracy:.3f}")
        write(f"macro-F1   {result.macro_f1:.3f}  (minimum {min_f1:.2f})")
        write(f"training   {result.train_seconds * 1000:.0f} ms on {result.n_train} texts")
        write(f"classify   {result.classify_seconds * 1000:.2f} ms for one text (median)")
        write(f"total      {total:.2f} s including imports")
        if mistakes:
            write("")
            for text, truth, guess in result.mistakes:
                write(f"[{truth} → {guess}] {text}")
        if result.macro_f1 < min_f1:
            raise CommandError(
                f"macro-F1 {result.macro_f1:.3f} is below the minimum {min_f1:.2f}", returncode=1
            )
        self.stdout.write(self.style.SUCCESS("ok"))
