"""Counting the database commands the services send (pymongo CommandListener on
the services' own clients, installed before the platform starts)."""
from pymongo import MongoClient, monitoring

WRITES_AND_READS = ("find", "insert", "update", "delete", "findAndModify", "aggregate", "count")


class Commands(monitoring.CommandListener):
    """`seen`: "<command> <database>.<collection> <filter>" of every command, except
    those `skip(collection, filter text)` says are not of interest."""

    def __init__(self, skip=None):
        self.seen = []
        self.skip = skip or (lambda collection, text: False)

    def started(self, event):
        name = event.command_name
        if name not in WRITES_AND_READS:
            return
        collection = event.command.get(name) if isinstance(event.command.get(name), str) else None
        text = str(event.command.get("filter", ""))
        if not self.skip(collection, text):
            self.seen.append(f"{name} {event.database_name}.{collection} {text}")

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


class Started(monitoring.CommandListener):
    """`commands`: (database, command) of every command named in `names` that started."""

    def __init__(self, *names):
        self.names = names
        self.commands = []

    def started(self, event):
        if event.command_name in self.names:
            self.commands.append((event.database_name, dict(event.command)))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def count_commands(monkeypatch, skip=None):
    """A `Commands` listening to every client `core.mongo.make_client` makes from now on."""
    import core.mongo
    listener = Commands(skip)

    def counted_client(config):
        return MongoClient(config["MONGO_URI"], tz_aware=True, serverSelectionTimeoutMS=10000,
                           event_listeners=[listener])

    monkeypatch.setattr(core.mongo, "make_client", counted_client)
    # Containers started from now on must not take a client some earlier container of
    # this process still shares (core.mongo.shared_client): theirs is counted.
    monkeypatch.setattr(core.mongo, "_SHARED", {})
    return listener
