"""The MongoDB dependency provider: a service gets its repository, never the client.

Each service owns one database, ``<MONGO_DB_PREFIX>_<database>``; nothing else reads
it. The provider takes the process's one client in `setup()` (`shared_client`; no
side effects in `__init__`), asks the repository to create its indexes (idempotent,
so every replica may do it at start), and gives the client back on `stop()` (the
last user closes it).

Write stores that also work on the embedded nx-27017 wire server (0.8.1), which
  * stores a sub-document added with $push as a JSON string, and empties the whole
    array on a conditional $pull: keep lists in their own collection, or replace the
    document whole;
  * stores a top-level datetime written with $set as text (sub-documents are fine,
    and inserts and replaces are fine): use a conditional replace_one /
    find_one_and_replace on a version field;
  * has no $not; returns booleans as 0/1 (compare with == 1 or truthiness);
  * does not apply $expr or array conditions (e.g. {"ops": {"$ne": key}}) in a
    filter atomically under concurrency: guard on equality/range conditions of
    scalar fields (a version or revision number), which are atomic (tested with
    10 concurrent writers: exactly one wins);
  * in update_one/find_one_and_update, a top-level $or beside other conditions
    (`{"_id": x, "$or": [...]}`) updates the first document matching the $or
    alone, whatever its _id: wrap them, `{"$and": [{"_id": x}, {"$or": [...]}]}`
    (reads with find are right either way);
  * in update_one/update_many, a `{"field": {"$ne": value}}` condition matches
    nothing, also where the field is missing (find is right): write it
    `{"field": {"$in": [None, ...the other values]}}`.
  * answers some reads as MongoDB does not: it compares across kinds of value
    (booleans as 0 and 1, `{"b": 1}` meets true; text above numbers in a range), a
    range does not look into an array, `$eq` does not match an array's element, and
    inside an $and `{"b": None}` meets a missing b only, not a null one. Keep a
    field's values of one kind and ask for null at the top level (core/query_match.py
    answers as MongoDB does; its server test keeps clear of these).
$inc, $set of plain values, $unset, $in/$nin on arrays, $addToSet and $pull of plain
strings (atomic under concurrent writers), unique indexes and
find_one_and_update/replace with conditions all work.

Speed on nx-27017 (measured; see docs/DEVELOPING.md "Queries that scale"):
  * its planner uses single-field indexes only (one per query: an equality or a range
    on one field); compound indexes are never used, and a top-level $or, or $in on a
    non-_id field, scans the collection. So every query a timer or a list runs leads
    with an equality or range on a field that has an index of its own (compound
    indexes are created besides, for MongoDB);
  * compare numbers, not datetimes, in range queries a timer runs often (epoch
    seconds: 5-20x faster), and keep "what is due" in a field that is set only while
    something is due, so the range holds the due documents only;
  * count_documents runs its $group in Python over every match (about 1 s for
    2,000): use `count` below;
  * a range on _id in a find scans (0.3 s at 25,000), the same $match in an
    aggregation with $sort and $limit is served (2-30 ms): page by _id there;
  * a $group by a document (`{"_id": {"a": "$a", "b": "$b"}}`) groups everything
    into one row: group by one field;
  * replace_one / ReplaceOne with upsert=True must carry the _id in the
    replacement (the inserted document takes a new ObjectId otherwise);
  * an index naming _id beside other fields makes every later insert fail ("JSON
    path error near '_id'"): never put _id in a compound index;
  * a single-field index on an array field makes equality on it match nothing (use
    $in, which still matches, or leave such fields unindexed).
"""
import threading

from nameko.extensions import DependencyProvider
from pymongo import MongoClient
from pymongo import common as pymongo_common
from pymongo.errors import BulkWriteError

from core.query_match import Unsupported, matches


def database_name(config, database):
    return f"{config.get('MONGO_DB_PREFIX', 'cx')}_{database}"


def count(collection, query, limit=None):
    """How many documents match `query` (at most `limit`): a $match + $count
    pipeline, which both servers answer from the index; nx-27017's count_documents
    adds a $group it runs in Python over every match."""
    pipeline = [{"$match": query}] + ([{"$limit": int(limit)}] if limit else []) + [{"$count": "n"}]
    rows = list(collection.aggregate(pipeline))
    return rows[0]["n"] if rows else 0


def read_led(collection, lead, query, most, projection=None, counted=False, memo=None):
    """The documents meeting `query`, read by `lead` alone (one of its conditions that
    an index serves by itself: an applicant's id, a 学号 prefix) and the rest checked
    in the process (core/query_match.py): beside a broad equality (the campaign, the
    school) nx-27017 takes the broad field's index and looks at every document under
    it. None when the lead holds more than `most` documents, or the query has a form
    query_match does not check: the caller asks the server the query then.
    `counted`: count the lead from its index first, for a lead that may hold many
    (reading `most` + 1 whole documents to learn that costs more than the count).
    `memo`: a dict kept by the caller for the length of one answer, in which a lead
    is read once for every query it leads (with the same `most` and `projection`)."""
    if memo is None:
        docs = _read_lead(collection, lead, most, projection, counted)
    else:
        key = repr(sorted(lead.items()))
        if key not in memo:
            memo[key] = _read_lead(collection, lead, most, projection, counted)
        docs = memo[key]
    if docs is None:
        return None
    try:
        return [doc for doc in docs if matches(doc, query)]
    except Unsupported:
        return None


def _read_lead(collection, lead, most, projection, counted):
    """Every document of `lead`, or None when it holds more than `most`."""
    if counted and count(collection, lead, limit=most + 1) > most:
        return None
    docs = list(collection.find(lead, projection, limit=most + 1))
    return None if len(docs) > most else docs


def insert_new(collection, docs):
    """Insert in one round trip what is not there yet: a document whose _id (or
    other unique key) is taken is left as it is. The ids inserted."""
    if not docs:
        return set()
    try:
        collection.insert_many(docs, ordered=False)
        return {doc["_id"] for doc in docs}
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(error.get("code") != 11000 for error in errors):
            raise
        taken = {error["index"] for error in errors}
        return {doc["_id"] for i, doc in enumerate(docs) if i not in taken}


# How often PyMongo's background loops (the server monitor, pool upkeep) look whether
# they have something to do: 0.5 s by default, in `pymongo.common`, the one place the
# driver reads it. Under eventlet each look is a trip through the hub, and at rest those
# looks were what a process cost: an idle eventlet process holding a client used 0.10%
# of a core, 0.033% with 2 s (measured 90 s each, against nx-27017); each service
# process holds one. What it delays: a check asked for after a failed operation (a
# primary lost) starts within 2 s instead of 0.5 s; the monitor's own heartbeat stays
# every 10 s, and an operation waits for a server up to serverSelectionTimeoutMS as
# before. (So a MONGO_URI's heartbeatFrequencyMS must be 2000 or more.)
DRIVER_POLL_SECONDS = 2.0


def make_client(config):
    """A client for config['MONGO_URI'] that decodes times as aware UTC datetimes and
    logs slow commands (core/mongo_slow.py), its background loops looking every
    DRIVER_POLL_SECONDS."""
    from core.mongo_slow import listeners
    pymongo_common.MIN_HEARTBEAT_INTERVAL = max(pymongo_common.MIN_HEARTBEAT_INTERVAL, DRIVER_POLL_SECONDS)
    return MongoClient(config["MONGO_URI"], tz_aware=True, serverSelectionTimeoutMS=10000,
                       event_listeners=listeners(config))


# One client per process and server: PyMongo's advice, and at rest what costs. A
# client is a connection pool plus monitor threads that wake every DRIVER_POLL_SECONDS
# (pymongo.periodic_executor); a service whose three stores each made their own woke
# three times as often while nothing happened. Counted, so the last user closes it.
_SHARED = {}
_SHARED_LOCK = threading.Lock()


def shared_client(config):
    """The process's client for config['MONGO_URI'] (made by `make_client` on first
    use); give it back with `release_client`."""
    key = (config["MONGO_URI"], str(config.get("MONGO_SLOW_MS", 500)))
    with _SHARED_LOCK:
        entry = _SHARED.get(key)
        if entry is None:
            entry = _SHARED[key] = [make_client(config), 0]
        entry[1] += 1
        return entry[0]


def release_client(client):
    """One user fewer; the last one closes the client."""
    with _SHARED_LOCK:
        for key, entry in list(_SHARED.items()):
            if entry[0] is client:
                entry[1] -= 1
                if entry[1] > 0:
                    return
                del _SHARED[key]
                break
    client.close()


class Repository(DependencyProvider):
    """`repo = Repository(ApplicationsStore, "applications")` in a service class.

    `store_cls(db, config)` must offer `ensure_indexes()`.
    """

    def __init__(self, store_cls, database):
        self.store_cls = store_cls
        self.database = database
        self.client = None
        self.store = None

    def setup(self):
        config = self.container.config
        self.client = shared_client(config)
        self.store = self.store_cls(self.client[database_name(config, self.database)], config)
        self.store.ensure_indexes()

    def stop(self):
        if self.client is not None:
            client, self.client = self.client, None
            release_client(client)

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self.store
