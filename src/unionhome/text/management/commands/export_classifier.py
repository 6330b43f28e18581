"""Retrain the category classifier on the shipped corpus and write the weights web workers use.

Run after editing ``text/data/demand_corpus.jsonl``; the test suite fails until you do.
"""

from django.core.management.base import BaseCommand

from unionhome.text.classify import MODEL_PATH, export_model


class Command(BaseCommand):
    help = "Retrain the category classifier and write text/data/demand_model.tsv"

    def handle(self, *args, **options):
        data = export_model()
        self.stdout.write(f"{len(data['ngrams'])} n-grams, {len(data['codes'])} categories "
                          f"→ {MODEL_PATH}")  # fmt: skip
