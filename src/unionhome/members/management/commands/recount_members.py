from django.core.management.base import BaseCommand

from unionhome.members.services import recount_members


class Command(BaseCommand):
    help = "Rebuild Org.member_count from active memberships; prints how many orgs were corrected."

    def handle(self, *args, **options):
        result = recount_members()
        self.stdout.write(f"corrected={result['corrected']}")
