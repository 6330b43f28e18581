"""Roster import benchmark: 100,000 generated members with 1% bad rows, then the corrected file.

    python bench/roster_import.py                    # SQLite (a fresh file under /tmp)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unionhome_bench python bench/roster_import.py

What it checks and prints:
- the file with bad rows: exactly the bad rows are reported, nothing is saved (time);
- the corrected file: every row is imported (time; goal: under 30 s on this machine);
- baseline in the same run: reading the same file with openpyxl's read-only mode, the approach
  the import replaced (time to read only, no checks, no writes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def setup_django(sqlite_path: str | None) -> None:
    if sqlite_path and not os.environ.get("DATABASE_URL"):
        os.environ["UNIONHOME_SQLITE_PATH"] = sqlite_path
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionhome.settings")
    os.environ.setdefault("UNIONHOME_TASK_BACKEND", "immediate")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_rows(n: int, bad_share: float, seed: int = 7):
    """(rows, bad row numbers, corrected rows): valid people, with a share made invalid in
    different ways (checksum, phone, empty name, impossible date)."""
    from unionhome.core.validators import id_check_char

    rng = random.Random(seed)
    surnames, given = (
        "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗",
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平",
    )
    rows, corrected, bad = [], [], set()
    used: set[str] = set()
    for i in range(n):
        while True:
            born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 38))
            body = f"320213{born:%Y%m%d}{rng.randint(0, 999):03d}"
            if body not in used:
                used.add(body)
                break
        id_number = body + id_check_char(body)
        gender = "男" if int(body[16]) % 2 else "女"
        good = [rng.choice(surnames) + rng.choice(given) + rng.choice(given), gender, id_number,
                f"13{rng.randint(100000000, 999999999)}", "", "无锡某制造有限公司", "操作工", "城镇", "否",
                "2024-05-01", ""]  # fmt: skip
        row = list(good)
        if rng.random() < bad_share:
            kind = len(bad) % 4
            if kind == 0:
                row[2] = body + ("0" if id_number[-1] != "0" else "1")
            elif kind == 1:
                row[3] = row[3][:10]
            elif kind == 2:
                row[0] = ""
            else:
                row[9] = "2024-02-30"
            bad.add(i + 2)
        rows.append(row)
        corrected.append(good)
    return rows, bad, corrected


def write_book(path: str, rows) -> None:
    from openpyxl import Workbook

    from unionhome.members.roster import COLUMNS, SHEET

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def openpyxl_read(path: str) -> float:
    from openpyxl import load_workbook

    start = time.perf_counter()
    book = load_workbook(path, read_only=True)
    for _row in book["会员名册"].iter_rows(values_only=True):
        pass
    return time.perf_counter() - start


def run(rows_n: int, bad_share: float) -> int:
    from django.db import connection

    from unionhome.accounts.models import User
    from unionhome.core.jobs import CliProgress
    from unionhome.members import roster
    from unionhome.members.models import Membership
    from unionhome.orgs import services as orgs
    from unionhome.orgs.models import Org

    root = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench", password="x"
    )
    tag = f"{time.time():.0f}"
    top = orgs.create_org(
        root, parent=None, name=f"基准测试 {tag}", level="city", region_code="320200"
    )
    union = orgs.create_org(
        root, parent=top, name=f"基准测试工会 {tag}", level="grassroots", kind="enterprise"
    )
    rows, bad, corrected = make_rows(rows_n, bad_share)
    tmp = tempfile.mkdtemp()
    bad_path, good_path = os.path.join(tmp, "bad.xlsx"), os.path.join(tmp, "good.xlsx")
    print(f"generating {rows_n:,} rows ({len(bad):,} bad) …", flush=True)
    write_book(bad_path, rows)
    write_book(good_path, corrected)
    print(f"database: {connection.vendor}; cores: {os.cpu_count()}", flush=True)

    start = time.perf_counter()
    result, checked = roster.import_roster(union, bad_path, CliProgress(stream=sys.stderr))
    t_bad = time.perf_counter() - start
    reported = {r.number for r in checked if r.errors}
    exact = (
        reported == bad and result.saved == 0 and not Membership.objects.filter(org=union).exists()
    )

    start = time.perf_counter()
    result_ok, _ = roster.import_roster(union, good_path, CliProgress(stream=sys.stderr))
    t_good = time.perf_counter() - start
    saved = Membership.objects.filter(org=union, status="active").count()
    counted = Org.objects.get(pk=union.pk).member_count

    t_baseline = openpyxl_read(good_path)
    print()
    print(f"{'scenario':<52} {'seconds':>8}")
    print(f"{'file with bad rows: check only, nothing saved':<52} {t_bad:>8.1f}")
    print(f"{'corrected file: check + save all rows (goal < 30 s)':<52} {t_good:>8.1f}")
    print(f"{'baseline: openpyxl read-only, read the file only':<52} {t_baseline:>8.1f}")
    print()
    print(f"bad rows reported exactly: {exact} ({len(reported):,} reported, {len(bad):,} planted)")
    print(f"rows saved: {saved:,} of {rows_n:,}; org member_count {counted:,}")
    return 0 if exact and saved == rows_n == counted and result_ok.errors == 0 else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--bad", type=float, default=0.01)
    parser.add_argument(
        "--sqlite", default=os.path.join(tempfile.gettempdir(), "unionhome-bench.sqlite3")
    )
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL") and os.path.exists(args.sqlite):
        os.remove(args.sqlite)
    setup_django(args.sqlite)
    return run(args.rows, args.bad)


if __name__ == "__main__":
    raise SystemExit(main())
