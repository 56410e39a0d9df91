"""A process keeps one Mongo client per server (core.mongo.shared_client): every
store of every service container in it uses that client, and the last container to
stop closes it."""
from core import mongo
from core.mongo import Repository


class FirstStore:
    def __init__(self, db, config):
        self.db = db

    def ensure_indexes(self):
        self.db.things.create_index("name")


class SecondStore(FirstStore):
    pass


class TwoStores:
    name = "shared_client_probe"
    store = Repository(FirstStore, "probe")
    other_store = Repository(SecondStore, "probe")

    def ping(self):
        return "pong"


def repositories(container):
    return {d.attr_name: d for d in container.dependencies if isinstance(d, Repository)}


def test_one_client_for_every_store_closed_by_the_last(container_factory, config):
    key = (config["MONGO_URI"], str(config.get("MONGO_SLOW_MS", 500)))
    held_before = mongo._SHARED[key][1] if key in mongo._SHARED else 0   # other containers of this process
    first = container_factory(TwoStores, config)
    second = container_factory(type("TwoStoresAgain", (TwoStores,), {"name": "shared_client_probe_2"}), config)
    first.start()
    second.start()
    clients = {id(r.store.db.client) for c in (first, second) for r in repositories(c).values()}
    assert len(clients) == 1
    client = repositories(first)["store"].store.db.client
    assert mongo._SHARED[key] == [client, held_before + 4]
    first.stop()
    assert client.admin.command("ping")["ok"] == 1        # still in use by the second container
    second.stop()
    if held_before:
        assert mongo._SHARED[key] == [client, held_before]
        return
    assert key not in mongo._SHARED                        # the last user closed it
    fresh = mongo.shared_client(config)                   # a new container after that gets a new client
    assert fresh is not client and fresh.admin.command("ping")["ok"] == 1
    mongo.release_client(fresh)


def test_the_clients_background_loops_look_every_two_seconds(config):
    """core.mongo.DRIVER_POLL_SECONDS reaches the driver's loops (what an idle process
    costs): read from the running client, so an upgrade of PyMongo that stopped
    reading the setting fails here rather than quietly costing the CPU again."""
    client = mongo.make_client(config)
    try:
        client.admin.command("ping")
        executors = [client._kill_cursors_executor] + [
            server._monitor._executor for server in client._topology._servers.values()]
        assert executors and all(e._min_interval == mongo.DRIVER_POLL_SECONDS for e in executors), \
            [(e._name, e._min_interval) for e in executors]
    finally:
        client.close()
