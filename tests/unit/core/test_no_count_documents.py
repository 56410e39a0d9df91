"""No store counts with `count_documents`: nx-27017 (the local and CI database) runs
its $group in Python over every match (1.2 s for 25,000 documents, against 21 ms
for `core.mongo.count`'s $match + $count, which MongoDB also serves from the index).
A campaign's revision counted that way made every read of the results slow."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CALL = re.compile(r"\.count_documents\(")


def test_services_and_core_count_with_core_mongo_count():
    offenders = []
    for top in ("core", "services", "plugins", "gateway"):
        for folder, _dirs, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if not name.endswith(".py"):
                    continue
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as handle:
                    for number, line in enumerate(handle, 1):
                        if CALL.search(line) and not line.lstrip().startswith("#"):
                            offenders.append(f"{os.path.relpath(path, ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "use core.mongo.count instead:\n" + "\n".join(offenders)


def test_the_check_sees_a_call():
    assert CALL.search("n = self.db.applications.count_documents({'campaign_id': c})")
    assert not CALL.search("n = count(self.db.applications, {'campaign_id': c})")
