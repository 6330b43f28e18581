"""Write the Traditional → Simplified table web workers use (text/data/t2s.tsv) from OpenCC.

Run after upgrading `opencc`; needs `marisa-trie` (dev requirements) to read the keys of OpenCC's
dictionaries. A test compares the table's conversion with OpenCC's."""

from django.core.management.base import BaseCommand

from unionhome.text.t2s import TABLE_PATH, export_table


class Command(BaseCommand):
    help = "Export OpenCC's t2s conversion as the table unionhome.text.t2s converts with"

    def handle(self, *args, **options):
        counts = export_table()
        self.stdout.write(
            f"{counts['p']} phrases, {counts['c']} characters, {counts['n']} compatibility "
            f"ideographs → {TABLE_PATH}"
        )
