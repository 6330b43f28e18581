import signal
import time

from django.core.management.base import BaseCommand

from unionhome.demands.receipts import BATCH, drain, process_receipts


class Command(BaseCommand):
    help = (
        "Record the web form's receipts as demands, in batches, as they arrive. Run one next to "
        "the web server (`make run` does); without it, the web process records receipts older "
        "than UNIONHOME_INTAKE_INLINE_AFTER seconds itself."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="drain the queue and stop")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds to wait when the queue is empty")  # fmt: skip
        parser.add_argument(
            "--batch", type=int, default=BATCH, help="receipts read and recorded together"
        )

    def handle(self, *args, once: bool, interval: float, batch: int, **options):
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if once:
            self.stdout.write(f"recorded={drain(batch)}")
            return
        _warm()
        total = 0
        while not stopping:
            n = process_receipts(batch)
            total += n
            if n < batch:  # caught up: let the next batch gather (bigger batches cost less)
                time.sleep(interval)
        self.stdout.write(f"recorded={total}")


def _warm() -> None:
    """Load the classifier's weights and the address reader (cpca, pandas) before the first
    batch, so the first submissions after a start do not wait a second for them."""
    from unionhome.text.address import recognise_regions
    from unionhome.text.classify import get_model

    get_model()
    recognise_regions(["江苏省无锡市梁溪区"])
