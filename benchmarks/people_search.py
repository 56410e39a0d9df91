"""Benchmark of the people directory's search (issue 12): does a page cost the same
however deep it is, and does the count stay bounded?

Seeds N students (default 10,000, in 20 colleges) into a fresh database of the
given Mongo server through the applications store, then times, as a school admin:
the first page, every page of a walk through all of them by the keyset cursor
(first, median and last page), then searches (a surname, a college filter, a role
filter, a 学号, a 学号 prefix, a name), each the median of 7. Drops its database at
the end.

    .venv/bin/python benchmarks/people_search.py --mongo mongodb://127.0.0.1:27018 [--people 10000]
"""
import argparse
import os
import statistics
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from core.mongo import make_client  # noqa: E402
from services.applications import people  # noqa: E402
from services.applications.directory import make_unit, with_roles  # noqa: E402
from services.applications.store import ApplicationsStore  # noqa: E402

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"


def seed(store, count, colleges=20):
    school = make_unit("school", "基准大学", unit_id_="school_bench")
    store.replace_units([school])
    units = [make_unit("college", f"第{i}学院", school, unit_id_=f"college_b{i}") for i in range(colleges)]
    store.replace_units(units)
    batch = []
    for n in range(count):
        college = units[n % colleges]
        no = f"2024{n:06d}"
        roles = [{"role": "student", "unit_id": college["_id"]}]
        if n % 50 == 0:
            roles.append({"role": "class_monitor", "unit_id": college["_id"]})
        batch.append(with_roles({"_id": f"p_{no}", "login": no, "student_no": no,
                                 "name": SURNAMES[n % len(SURNAMES)] + f"同学{n}", "school_id": school["_id"],
                                 "college_id": college["_id"]}, roles))
        if len(batch) == 1000:
            store.replace_people(batch)
            batch = []
    store.replace_people(batch)
    admin = with_roles({"_id": "p_bench_admin", "login": "bench_admin", "name": "管理员", "school_id": school["_id"]},
                       [{"role": "school_admin", "unit_id": school["_id"]}])
    store.replace_people([admin])
    return admin


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return (time.perf_counter() - t0) * 1000, result


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mongo", default="mongodb://127.0.0.1:27018")
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--page", type=int, default=50)
    parser.add_argument("--max-pages", type=int, default=1000, help="stop the keyset walk after this many pages")
    args = parser.parse_args()
    client = make_client({"MONGO_URI": args.mongo})
    name = f"bench_people_{uuid.uuid4().hex[:8]}"
    store = ApplicationsStore(client[name], {"MONGO_URI": args.mongo})
    try:
        store.ensure_indexes()
        seconds, admin = timed(lambda: seed(store, args.people))
        print(f"seeded {args.people} people in {seconds / 1000:.1f} s")
        pages, after, total = [], None, None
        while len(pages) < args.max_pages:
            ms, page = timed(lambda: people.search(store, admin, {"after": after, "limit": args.page}))
            pages.append(ms)
            total = page["total"] if total is None else total
            after = page["next"]
            if not after:
                break
        print(f"walked {len(pages)} pages of {args.page} by keyset: first {pages[0]:.1f} ms, "
              f"median {statistics.median(pages):.1f} ms, last {pages[-1]:.1f} ms; "
              f"count shown on the first page {total}")
        for label, filters in (("name prefix 李", {"q": "李"}), ("college filter", {"college_id": "college_b3"}),
                               ("role filter 班长", {"role": "class_monitor"}), ("学号 exact", {"q": "2024000777"}), ("学号 prefix", {"q": "202400077"}),
                               ("name 李同学3", {"q": "李同学3"})):
            runs = [timed(lambda: people.search(store, admin, dict(filters, limit=args.page))) for _ in range(7)]
            ms, page = statistics.median(r[0] for r in runs), runs[0][1]
            print(f"{label}: {ms:.1f} ms (median of 7), {len(page['items'])} on the page, total {page['total']}"
                  f"{'+' if page['total_capped'] else ''}")
    finally:
        client.drop_database(name)
        client.close()


if __name__ == "__main__":
    main()
