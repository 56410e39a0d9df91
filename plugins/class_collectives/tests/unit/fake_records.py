"""An in-memory stand-in for core.records_client.RecordsClient: the same methods,
argument order and return shapes, filtering windows with core.periods exactly as the
records service does ([since, until) over the fact's or award's date)."""
from core.periods import academic_year_of, resolve


class FakeRecords:
    def __init__(self, facts=(), awards=()):
        self.fact_rows = [self._fact(i, f) for i, f in enumerate(facts)]
        self.award_rows = [self._award(i, a) for i, a in enumerate(awards)]
        self.calls = []

    @staticmethod
    def _fact(i, f):
        return {"id": f.get("id", f"fact{i}"), "subject_kind": f.get("subject_kind", "person"),
                "subject_id": f["subject_id"], "kind": f["kind"], "value": f.get("value", {}),
                "date": f["date"], "academic_year": academic_year_of(f["date"]), "source": "test",
                "source_ref": None, "note": None}

    @staticmethod
    def _award(i, a):
        return {"id": a.get("id", f"award{i}"), "subject_kind": a.get("subject_kind", "dorm"),
                "subject_id": a["subject_id"], "subject_name": a.get("subject_name", a["subject_id"]),
                "program": a["program"], "code": a.get("code", "award"), "title": a.get("title", "称号"),
                "category": a.get("category"), "level": a.get("level", "college"),
                "academic_year": a.get("academic_year") or academic_year_of(a["date"]), "date": a["date"],
                "campaign_id": a.get("campaign_id"), "application_id": a.get("application_id"),
                "member_ids": list(a.get("member_ids") or []), "source": "platform"}

    def facts(self, subject_ids, kinds=None, window=None):
        self.calls.append(("facts", list(subject_ids), list(kinds) if kinds else None, window))
        period = resolve(window)
        ids = set(subject_ids)
        rows = [f for f in self.fact_rows if f["subject_id"] in ids and (not kinds or f["kind"] in kinds)
                and period.contains(f["date"])]
        return sorted(rows, key=lambda f: (f["date"], f["id"]))

    def awards(self, subject_ids=None, program=None, categories=None, window=None, academic_years=None):
        self.calls.append(("awards", list(subject_ids) if subject_ids else None, program, window))
        period = resolve(window)
        wanted = set(subject_ids or ())
        # Like the records service: subject_ids match the subject or one of its members.
        rows = [a for a in self.award_rows
                if (not subject_ids or a["subject_id"] in wanted or wanted & set(a["member_ids"]))
                and (program is None or a["program"] == program)
                and (not categories or a["category"] in categories)
                and (not academic_years or a["academic_year"] in academic_years)
                and period.contains(a["date"])]
        return sorted(rows, key=lambda a: (a["date"], a["id"]))
