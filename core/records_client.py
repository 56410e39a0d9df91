"""How a program's hooks read history and facts: the records service, over RPC.

`RecordsClient(proxy)` wraps a Nameko proxy to the ``records`` service. Windows
(``window``) are plain data, resolved by `core.periods`:

    {"last_years": 3, "until": "2024-05-01"}   # 2021-05-01 <= date < 2024-05-01
    {"academic_year": "2023-2024"}             # 2023-09-01 <= date < 2024-09-01
    {"since": "2023-09-01", "until": "2024-01-01"}

A hook passes an explicit `until` (e.g. the campaign's closing date) so the same
campaign always sees the same facts.

A hook may ask about any number of subjects (a school's 5,000 dorms and their
30,000 members at once): the client asks in calls of at most MAX_SUBJECTS ids and
merges the answers into the one list a single call would give (oldest first, each
record once).
"""

# The most subject ids the records service takes in one call (services/records/queries.py
# refuses more): a call's $in and its answer stay bounded.
MAX_SUBJECTS = 20000


def _chunks(subject_ids):
    """The ids as the calls take them: as given when one call takes them all (the
    service checks them), otherwise each once, in order, MAX_SUBJECTS a call."""
    ids = list(subject_ids)
    if len(ids) > MAX_SUBJECTS:
        ids = sorted(set(ids))
    return [ids[start:start + MAX_SUBJECTS] for start in range(0, len(ids), MAX_SUBJECTS)]


def _merged(answers):
    """The records of several calls as one call's answer: each once (an award may be
    found by its subject in one call and by a member in another), oldest first by
    date then id, the records service's order (no date sorts first, as there)."""
    if len(answers) == 1:
        return answers[0]
    unique = {record["id"]: record for answer in answers for record in answer}
    return sorted(unique.values(), key=lambda r: (r.get("date") is not None, r.get("date") or "", r["id"]))


class RecordsClient:
    def __init__(self, proxy):
        self.proxy = proxy

    def facts(self, subject_ids, kinds=None, window=None):
        """Facts about these subjects (people, classes, dorms, branches), oldest first:
        [{"id", "subject_kind", "subject_id", "kind", "value", "date", "academic_year",
          "source", "source_ref", "note"}]."""
        kinds = list(kinds) if kinds else None
        chunks = _chunks(subject_ids) or [[]]
        return _merged([self.proxy.facts(ids, kinds, window) for ids in chunks])

    def awards(self, subject_ids=None, program=None, categories=None, window=None, academic_years=None):
        """Awards and titles granted (by this platform or imported), oldest first:
        [{"id", "subject_kind", "subject_id", "subject_name", "program", "code", "title",
          "category", "level", "academic_year", "date", "campaign_id", "source"}]."""
        rest = (program, list(categories) if categories else None, window,
                list(academic_years) if academic_years else None)
        if not subject_ids:
            return self.proxy.awards(None, *rest)
        return _merged([self.proxy.awards(ids, *rest) for ids in _chunks(subject_ids)])
