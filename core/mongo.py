"""The MongoDB dependency provider: a service gets its repository, never the client.

Each service owns one database, ``<MONGO_DB_PREFIX>_<database>``; nothing else reads
it. The provider builds one client per container in `setup()` (no side effects in
`__init__`), asks the repository to create its indexes (idempotent, so every replica
may do it at start), and closes the client on `stop()`.

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
    (reads with find are right either way).
$inc, $set of plain values, $unset, $in/$nin on arrays, unique indexes and
find_one_and_update/replace with conditions all work.
"""
from nameko.extensions import DependencyProvider
from pymongo import MongoClient


def database_name(config, database):
    return f"{config.get('MONGO_DB_PREFIX', 'cx')}_{database}"


def make_client(config):
    """A client for config['MONGO_URI'] that decodes times as aware UTC datetimes."""
    return MongoClient(config["MONGO_URI"], tz_aware=True, serverSelectionTimeoutMS=10000)


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
        self.client = make_client(config)
        self.store = self.store_cls(self.client[database_name(config, self.database)], config)
        self.store.ensure_indexes()

    def stop(self):
        if self.client is not None:
            self.client.close()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self.store
