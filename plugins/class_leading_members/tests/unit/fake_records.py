"""An in-memory RecordsClient: the same methods and argument order as
core/records_client.py, windows resolved by core/periods.py as the records service does."""
from core import periods


class FakeRecords:
    def __init__(self, facts=(), awards=()):
        self._facts = [dict(f) for f in facts]
        self._awards = [dict(a) for a in awards]
        self.calls = []

    def facts(self, subject_ids, kinds=None, window=None):
        self.calls.append(("facts", list(subject_ids), list(kinds) if kinds else None, window))
        period = periods.resolve(window)
        return sorted((f for f in self._facts if f["subject_id"] in set(subject_ids)
                       and (not kinds or f["kind"] in kinds) and period.contains(f["date"])),
                      key=lambda f: f["date"])

    def awards(self, subject_ids=None, program=None, categories=None, window=None, academic_years=None):
        self.calls.append(("awards", list(subject_ids) if subject_ids else None, program, window, academic_years))
        period = periods.resolve(window)
        return sorted((a for a in self._awards if (not subject_ids or a["subject_id"] in set(subject_ids))
                       and (program is None or a["program"] == program)
                       and (not categories or a.get("category") in categories)
                       and (not academic_years or a["academic_year"] in academic_years)
                       and period.contains(a["date"])), key=lambda a: a["date"])


def fact(subject_id, kind, day, value=None, subject_kind="person"):
    return {"id": f"f:{subject_id}:{kind}:{day}", "subject_kind": subject_kind, "subject_id": subject_id,
            "kind": kind, "value": value or {}, "date": day, "academic_year": periods.academic_year_of(day),
            "source": "教务处", "source_ref": None, "note": None}


def appointment(person_id, academic_year, source="platform"):
    """A class_leading_selection award (聘任) of `person_id` for `academic_year`."""
    start = int(academic_year[:4])
    return {"id": f"award:{person_id}:{academic_year}", "subject_kind": "person", "subject_id": person_id,
            "subject_name": person_id, "program": "class_leading_selection", "code": "appointed",
            "title": "学生带班党员", "category": None, "level": "college", "academic_year": academic_year,
            # Granted in June before the year led; an imported one is dated when the year began
            # (the records refuse a label of a year that had not begun on the date).
            "date": f"{start}-06-30" if source == "platform" else f"{start}-09-01", "campaign_id": "cmp_sel",
            "source": source}
