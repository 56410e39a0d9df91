"""An in-memory RecordsClient: the same methods and argument order as
core/records_client.py, windows resolved by core.periods exactly as the records
service resolves them. Every call is kept, so tests can check the windows asked for."""
from core.periods import resolve


class FakeRecords:
    def __init__(self, facts=(), awards=()):
        self._facts = [dict(f, id=f.get("id") or f"f{i}") for i, f in enumerate(facts)]
        self._awards = list(awards)
        self.calls = []

    def facts(self, subject_ids, kinds=None, window=None):
        self.calls.append(("facts", sorted(subject_ids), sorted(kinds) if kinds else None, window))
        period = resolve(window)
        found = [f for f in self._facts if f["subject_id"] in set(subject_ids)
                 and (not kinds or f["kind"] in kinds) and period.contains(f["date"])]
        return sorted(found, key=lambda f: (f["date"], f["id"]))

    def awards(self, subject_ids=None, program=None, categories=None, window=None, academic_years=None):
        self.calls.append(("awards", subject_ids, program, categories, window, academic_years))
        period = resolve(window)
        return [a for a in self._awards if (subject_ids is None or a["subject_id"] in subject_ids)
                and (program is None or a["program"] == program) and period.contains(a["date"])]


def fact(subject_id, kind, day, subject_kind="person", **value):
    return {"subject_kind": subject_kind, "subject_id": subject_id, "kind": kind, "value": value, "date": day,
            "source": "test", "source_ref": None, "note": None}
