"""Time one page in-process, for working on a page that `make bench` reports as slow.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench_large \\
        python -m bench.page_time USERNAME PATH [--n 20] [--cold] [--profile]

Same settings as the benchmark (DEBUG off, cached templates) but through Django's test client, so it
needs no server; `--cold` empties the cache before each request;
`--profile` prints the functions where the time goes (cProfile, cumulative).
"""

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import time

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kam_bench_large")
os.environ.setdefault("DEBUG", "0")
# A throwaway key for this process (production settings refuse weak ones); sessions are made in-process.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("KAM_SITE_URL", "http://127.0.0.1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("username")
    parser.add_argument("path")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--cold", action="store_true", help="empty the cache before each request")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username=args.username))
    for _ in range(3):
        response = client.get(args.path)
    assert response.status_code == 200, response.status_code
    times = []
    for _ in range(args.n):
        if args.cold:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            client.get(args.path)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{args.path}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
          f"{len(queries)} queries, {len(response.content) // 1024} KB")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            client.get(args.path)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


if __name__ == "__main__":
    main()
