"""The lists of applications people read (review queues, a campaign's newest, the
申报汇总表's pages): what a person may see, newest first, counted and placed without
reading the list. `ApplicationsStore.list_applications`, `count_visible` and
`position_of` are these.

What a person sees comes in ways of seeing (`ways`): their own units' applications
and those they made on a unit's behalf (a handful, read by id), and the wide ways,
a college they review or their school (thousands). Every query is led by an equality
on an indexed field and none has a top-level $or (nx-27017 scans the whole collection
for one). A wide way is listed by one query and counted as its base (the college or
the school, under the filters) less the parts nobody else sees (drafts, withdrawn
drafts): equalities beside the base's fields, which both servers count from an index,
where the list's `$nin` had nx-27017 look at every application (95 ms at 5,000
against 10)."""
from pymongo import DESCENDING

from core.mongo import count, read_led

FIELDS = {"outbox": 0}
NEWEST = [("updated_ts", DESCENDING), ("_id", DESCENDING)]
OWN_READ = 500   # a person's own way read whole up to this many (a unit applies once per campaign)


class Way:
    """One way of seeing: `query` (what a list reads); for a wide way `base` and
    `hidden` (what is counted: base less each hidden part, parts that never overlap);
    for a person's own units `lead` instead, the one equality its few applications are
    read by (see `VisibleLists._own`)."""

    def __init__(self, query, base=None, hidden=(), lead=None):
        self.query, self.base, self.hidden, self.lead = query, base, list(hidden), lead

    def narrowed(self, **conditions):
        """The same way with `conditions` added to each of its queries."""
        return Way(dict(self.query, **conditions), dict(self.base, **conditions) if self.base is not None else None,
                   [dict(part, **conditions) for part in self.hidden], self.lead)


def ways(visible, campaign_id=None, state=None, college_id=None):
    """The ways of seeing what `visible` (domain/visibility.py) allows under the filters.

    Others see the states of `visible["shown_states"]`, some only once submitted (a
    withdrawn draft stays the applicant's). The school's way drops its `unit_path`
    condition for a campaign in `visible["whole_campaigns"]`: every application of
    such a campaign lies under the reader's unit (workflow._applicant_for refuses
    applicants outside a campaign's unit)."""
    filters = {k: v for k, v in (("campaign_id", campaign_id), ("state", state), ("college_id", college_id)) if v}
    found = [Way(dict({"applicant_id": a}, **filters), lead={"applicant_id": a}) for a in visible["applicant_ids"]]
    found += [Way(dict({"on_behalf_by": p}, **filters), lead={"on_behalf_by": p})
              for p in visible.get("on_behalf_ids", [])]
    bases = [{"college_id": c} for c in visible["college_ids"] if not college_id or c == college_id]
    if visible["school_units"]:
        whole = campaign_id and campaign_id in visible.get("whole_campaigns", ())
        bases.append({} if whole else {"unit_path": {"$in": visible["school_units"]}})
    shown = {name: submitted_only for name, submitted_only in visible["shown_states"]}
    if state and state not in shown:
        return found                     # a reviewer never sees another unit's drafts
    for base in bases:
        base = dict(base, **filters)
        if state:
            submitted = {"submitted_at": {"$ne": None}} if shown[state] else {}
            found.append(Way(dict(base, **submitted), base, [dict(base, submitted_at=None)] if submitted else []))
            continue
        hidden = [dict(base, state=name) for name in visible["hidden_states"]]
        hidden += [dict(base, state=name, submitted_at=None) for name, submitted_only in shown.items()
                   if submitted_only]
        found.append(Way(dict(base, state={"$nin": visible["hidden_states"]}, submitted_at={"$ne": None}),
                         base, hidden))
    return found


class VisibleLists:
    """Lists, counts and places over the applications collection."""

    def __init__(self, applications):
        self.applications = applications

    def list(self, visible, campaign_id=None, state=None, college_id=None, limit=100, skip=0, after=None):
        """Only what `visible` allows, newest first (updated_ts, then id, both
        descending). `after` (an application id: the last one of the previous page)
        pages by key, as fast on page 1,000 as on page 1; `skip` pages by count. One
        query per way, merged here."""
        mark = self.applications.find_one({"_id": after}, {"updated_ts": 1}) if after else None
        if after and mark is None:
            return []
        found = {}
        for way in ways(visible, campaign_id, state, college_id):
            own = self._own(way)
            if own is not None:
                own = [d for d in own if mark is None or _key(d) < _key(mark)]
                newest = sorted(own, key=_key, reverse=True)[:skip + limit]
            else:
                newest = self._newest(way.query, skip + limit, mark)
            for doc in newest:
                found[doc["_id"]] = doc
        return sorted(found.values(), key=_key, reverse=True)[skip:skip + limit]

    def count(self, visible, campaign_id=None, state=None, college_id=None):
        """How many `list` would list over all its pages, never reading the list."""
        return self._count_union(ways(visible, campaign_id, state, college_id))

    def position(self, visible, application_id, campaign_id=None, state=None, college_id=None):
        """Where the application stands in what `list` lists under these filters (1 for
        the newest); None when it is not listed there. Counts what comes before it."""
        seen = ways(visible, campaign_id, state, college_id)
        doc = self.applications.find_one({"_id": application_id}, {"updated_ts": 1})
        reads = {}          # a person's own applications, read once for every count below
        if doc is None or not any(self._holds(w, application_id, reads) for w in seen):
            return None
        mark = doc.get("updated_ts") or 0.0
        before = self._count_union([w.narrowed(updated_ts={"$gt": mark}) for w in seen], reads) + 1
        # and those changed at the very same moment listed before it: the greater ids.
        # Bulk writes stamp apart (store.apply_changes), so the stamp is nearly always its
        # own: one count on the stamp's index says so, sparing the counts of each way.
        if count(self.applications, {"updated_ts": mark}, limit=2) < 2:
            return before
        return before + self._count_union([w.narrowed(updated_ts=mark, _id={"$gt": application_id}) for w in seen],
                                          reads)

    def _count_union(self, seen, reads=None):
        """How many distinct applications any of the ways `seen` holds (ways can
        overlap). A person's own units hold a handful: read by id. One wide way is
        counted (`_count_way`), less those own ones it holds; several wide ways are
        read by id."""
        wide = [w for w in seen if w.base is not None]
        ids = set()
        for way in seen:
            if way.base is None:
                own = self._own(way, reads)
                ids |= {d["_id"] for d in (own if own is not None else self.applications.find(way.query, {"_id": 1}))}
        if len(wide) > 1:
            return len(ids | {d["_id"] for w in wide for d in self.applications.find(w.query, {"_id": 1})})
        if not wide:
            return len(ids)
        inside = set()
        if ids:
            among = dict(wide[0].query.get("_id") or {}, **{"$in": sorted(ids)})   # (keeping an _id range it has)
            inside = {d["_id"] for d in self.applications.find(dict(wide[0].query, _id=among), {"_id": 1})}
        return self._count_way(wide[0]) + len(ids - inside)

    def _own(self, way, reads=None):
        """The applications of a person's own way meeting its query, read by its `lead`
        alone and checked here (`query_match`); None for a wide way, or when the lead holds
        more than OWN_READ (then the server is asked the query). Beside a campaign, the
        server took the campaign's index and looked at each of its applications: 30 ms
        at 5,000 for the none a counselor applied for on a class's behalf, against 2.
        `reads`: `read_led`'s memo, for the several counts of one answer."""
        return None if way.lead is None else read_led(self.applications, way.lead, way.query, OWN_READ, FIELDS,
                                                      memo=reads)

    def _holds(self, way, application_id, reads=None):
        """Whether the way holds this application."""
        own = self._own(way, reads)
        if own is not None:
            return any(d["_id"] == application_id for d in own)
        return self.applications.find_one(dict(way.query, _id=application_id), {"_id": 1}) is not None

    def _count_way(self, way):
        """The base's count less each hidden part's. A part with no application at all
        (most campaigns have no withdrawn draft) is not counted again over a range of
        stamps: nx-27017 serves that range through the stamp's index and looks at every
        application in it, while the part's equalities alone count from an index."""
        total = count(self.applications, way.base)
        for part in way.hidden:
            plain = {k: v for k, v in part.items() if k not in ("updated_ts", "_id")}
            if plain != part and not count(self.applications, plain, limit=1):
                continue
            total -= count(self.applications, part)
        return total

    def _newest(self, query, limit, mark=None):
        """Up to `limit` of `query`'s applications, newest first, after `mark` (a
        document's updated_ts and id) when given: an equality and a range query, no $or."""
        if mark is None:
            return self._top(query, limit)
        # Those changed at the very same moment (a bulk decision), by id below the mark:
        # in an aggregation, which nx-27017 serves (its find scans for a range on _id).
        same = list(self.applications.aggregate([
            {"$match": dict(query, updated_ts=mark.get("updated_ts"), _id={"$lt": mark["_id"]})},
            {"$sort": {"_id": DESCENDING}}, {"$limit": limit}, {"$project": FIELDS}]))
        older = self._top(dict(query, updated_ts={"$lt": mark.get("updated_ts") or 0.0}),
                          limit - len(same)) if len(same) < limit else []
        return same + older

    def _top(self, query, limit):
        """The first `limit` of `query`'s applications by (updated_ts, id), both
        descending. Read sorted by updated_ts alone, which the campaign_id/college_id +
        updated_ts indexes serve, stopping after the page (10 ms for 50 of 5,000 on
        nx-27017, whose sort naming _id reads every match when many share a stamp:
        60-85 ms). That is the order by id too unless the page's last stamp is shared
        with an application past the page (one more is read to tell); then the ties go
        by id in a read sorted by both. Bulk writes stamp each application apart
        (store.apply_changes), so such ties are rare."""
        if not limit:
            return []
        by_time = list(self.applications.find(query, FIELDS, sort=[("updated_ts", DESCENDING)], limit=limit + 1))
        if len(by_time) > limit:
            # every application sharing the page's last stamp comes before any with an
            # older stamp: unless the one past the page shares it, the page holds them all
            past = by_time.pop()
            if past.get("updated_ts") == by_time[-1].get("updated_ts"):
                return list(self.applications.find(query, FIELDS, sort=NEWEST, limit=limit))
        return sorted(by_time, key=_key, reverse=True)


def _key(doc):
    """A list's order, newest first when reversed: the stamp, then the id."""
    return doc.get("updated_ts") or 0.0, doc["_id"]
