"""Search latency at 1k-1M services on SQLite and PostgreSQL, and HSDS import throughput.

Each size gets a fresh database filled by the seeded generator, then the
same seeded stream of searches ("category + near + open now + filter") is
timed one by one; p50 and p95 are printed with the ratio to the smallest size,
so sub-linear growth is visible. PostgreSQL runs in a throw-away database on
``WAYPOINT_TEST_POSTGRES_URL`` and is reported as skipped if unreachable.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from directory.db import get_engine, session_scope, upgrade
from directory.generate import generate
from directory.places import get_gazetteer
from directory.search import Filters, search
from directory.taxonomy import CODES

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def time_searches(url: str, queries: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    hoods = [p.point for p in get_gazetteer().places.values() if p.kind == "neighbourhood"]
    start = datetime(2026, 11, 23)
    timings = []
    with session_scope(url) as session:
        search(session, "shelter", hoods[0], start)  # warm caches and the connection
        for _ in range(queries):
            near = rng.choice(hoods)
            at = start + timedelta(minutes=rng.randrange(7 * 24 * 60))
            filters = Filters(open_now=True, walk_in=rng.random() < 0.5, free=rng.random() < 0.5)
            t0 = time.perf_counter()
            search(session, rng.choice(CODES), near, at, filters, limit=3)
            timings.append((time.perf_counter() - t0) * 1000)
    return timings


def pg_database(admin_url: str) -> tuple[str, callable]:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    name = f"waypoint_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = str(make_url(admin_url).set(database=name))

    def drop() -> None:
        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def bench_search(backend: str, sizes: list[int], queries: int, pg_url: str) -> None:
    print(f"\nSearch latency, {backend} ({queries} searches each: category + near + open now + filters)")
    print(f"{'services':>10} {'generate s':>11} {'p50 ms':>8} {'p95 ms':>8} {'p95 / first':>12}")
    first = None
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            drop = None
            if backend == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            else:
                try:
                    url, drop = pg_database(pg_url)
                except Exception as exc:  # unreachable server: report and move on
                    print(f"  skipped: PostgreSQL not reachable ({exc.__class__.__name__})")
                    return
            try:
                upgrade(url)
                t0 = time.perf_counter()
                with session_scope(url) as session:
                    generate(session, size, seed=7)
                if backend == "postgresql":
                    with get_engine(url).connect() as conn:
                        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
                built = time.perf_counter() - t0
                timings = time_searches(url, queries, seed=11)
            finally:
                get_engine(url).dispose()
                if drop:
                    drop()
        p50, p95 = statistics.median(timings), percentile(timings, 0.95)
        first = first or p95
        print(f"{size:>10,} {built:>11.1f} {p50:>8.2f} {p95:>8.2f} {p95 / first:>11.2f}x", flush=True)


def bench_import(size: int) -> None:
    from directory.hsds import export_package, import_package

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = f"sqlite:///{tmp}/src.db", f"sqlite:///{tmp}/dst.db"
        upgrade(src)
        upgrade(dst)
        with session_scope(src) as session:
            generate(session, size, seed=3)
        with session_scope(src) as session:
            export_package(session, Path(tmp) / "pkg")
        rows = sum(sum(1 for _ in f.open(encoding="utf-8")) - 1 for f in (Path(tmp) / "pkg").glob("*.csv"))
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            with session_scope(dst) as session:
                import_package(session, Path(tmp) / "pkg")
            runs.append(time.perf_counter() - t0)
        print(f"\nHSDS import, SQLite: {size:,} services, {rows:,} rows: "
              f"median {statistics.median(runs):.2f} s = {rows / statistics.median(runs):,.0f} rows/s "
              f"(first run inserts, later runs upsert)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--import-size", type=int, default=5000)
    parser.add_argument("--pg-url", default=PG_URL)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for backend in args.backends.split(","):
        bench_search(backend, sizes, args.queries, args.pg_url)
    if args.import_size:
        bench_import(args.import_size)


if __name__ == "__main__":
    main()
