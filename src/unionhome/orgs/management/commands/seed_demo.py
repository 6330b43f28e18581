from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from unionhome.orgs.demo import DEMO_PASSWORD, DemoBuilder, seed_demo


class Command(BaseCommand):
    help = "Build the demo province (江苏 → 无锡 → …) with demo cadres; idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=1, help="multiply the grassroots unions (benchmarks)"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="allow with DEBUG off (demo accounts have a published password)",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, scale: int, force: bool, no_progress: bool, **options):
        if scale < 1:
            raise CommandError("--scale must be 1 or more")
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create demo accounts with a published password while DEBUG is off; "
                "pass --force if this really is a demo or benchmark database."
            )
        total = DemoBuilder(scale=scale).grassroots_total()
        bar = tqdm(
            total=total,
            desc="grassroots unions",
            unit="org",
            disable=no_progress,
            file=self.stderr._out,
        )
        builder, logins = seed_demo(scale=scale, progress=bar.update)
        bar.close()
        self.stdout.write(
            self.style.SUCCESS(f"Demo tree ready: {builder.created} org(s) created this run.")
        )
        for summary in builder.summaries:
            self.stdout.write(f"  {summary}")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            roles = "/".join(login.kinds) or "superuser"
            self.stdout.write(f"  {login.username:<17} {login.phone}  {roles:<14} {login.org_name}")
