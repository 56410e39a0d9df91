"""How a program's hooks read history and facts: the records service, over RPC.

`RecordsClient(proxy)` wraps a Nameko proxy to the ``records`` service. Windows
(``window``) are plain data, resolved by `core.periods`:

    {"last_years": 3, "until": "2024-05-01"}   # 2021-05-01 <= date < 2024-05-01
    {"academic_year": "2023-2024"}             # 2023-09-01 <= date < 2024-09-01
    {"since": "2023-09-01", "until": "2024-01-01"}

A hook passes an explicit `until` (e.g. the campaign's closing date) so the same
campaign always sees the same facts.
"""


class RecordsClient:
    def __init__(self, proxy):
        self.proxy = proxy

    def facts(self, subject_ids, kinds=None, window=None):
        """Facts about these subjects (people, classes, dorms, branches), oldest first:
        [{"id", "subject_kind", "subject_id", "kind", "value", "date", "academic_year",
          "source", "source_ref", "note"}]."""
        return self.proxy.facts(list(subject_ids), list(kinds) if kinds else None, window)

    def awards(self, subject_ids=None, program=None, categories=None, window=None, academic_years=None):
        """Awards and titles granted (by this platform or imported), oldest first:
        [{"id", "subject_kind", "subject_id", "subject_name", "program", "code", "title",
          "category", "level", "academic_year", "date", "campaign_id", "source"}]."""
        return self.proxy.awards(list(subject_ids) if subject_ids else None, program,
                                 list(categories) if categories else None, window,
                                 list(academic_years) if academic_years else None)
