"""Concurrent grants against one budget never overspend it: the fund row is locked while the
grant is checked. Real parallel transactions need PostgreSQL (SQLite runs one writer at a time)."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from unionhome.assistance import services
from unionhome.assistance.models import Fund, Grant

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs parallel transactions")
def test_parallel_grants_never_overspend_the_budget(cast, approved, fund, monkeypatch):
    # Different households, so that nothing but the fund's row can serialise the grants.
    cases = [approved(seq=21 + 2 * i) for i in range(THREADS)]
    warmth = fund("1000.00")
    real_parse = services.parse_amount

    def slow_parse(*args, **kwargs):
        # Widen the window between reading the fund and writing the grant: without the row
        # lock every thread would see the whole budget as remaining.
        time.sleep(0.2)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(services, "parse_amount", slow_parse)
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        try:
            start.wait()
            services.grant_aid(cast.district_cadre, cases[i], warmth,
                               services.GrantData("300.00", f"慰问{i}"))  # fmt: skip
            result = "granted"
        except ValidationError as exc:
            result = "refused" if "剩余" in " ".join(exc.messages) else f"other: {exc}"
        except Exception as exc:
            result = f"error: {type(exc).__name__} {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    elapsed = time.monotonic() - started

    assert sorted(outcomes) == ["granted"] * 3 + ["refused"] * 3, outcomes
    warmth = Fund.objects.get(pk=warmth.pk)
    total = sum(Grant.objects.filter(fund=warmth).values_list("amount", flat=True))
    assert warmth.granted == total == Decimal("900.00")
    assert warmth.granted <= warmth.budget
    # The lock serialised the checks: six slowed checks took at least six slow steps.
    assert elapsed >= 0.2 * THREADS
