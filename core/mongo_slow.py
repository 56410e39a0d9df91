"""A log line for every slow database command, so an operator (or a benchmark) can
see which query does work proportional to what is stored.

`MONGO_SLOW_MS` in the configuration (default 500; 0 turns it off): a command that
takes longer is logged at WARNING with its database, command name, collection and the
*shape* of its filter and sort (field names and operators, never values: a filter
holds personal data). Registered on the client by `core.mongo.make_client`; costs a
dictionary entry per command in flight (the filter's shape is worked out only for a slow one).
"""
import logging

from pymongo import monitoring

log = logging.getLogger("chuangxian.mongo.slow")


def shape(value):
    """Field names and operators of a filter or sort, values replaced by '?'."""
    if isinstance(value, dict):
        return {k: shape(v) if (k.startswith("$") or isinstance(v, (dict, list))) else "?" for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value[:3]] if any(isinstance(v, (dict, list)) for v in value) else "?"
    return "?"


class SlowCommands(monitoring.CommandListener):
    def __init__(self, threshold_ms):
        self.threshold_us = threshold_ms * 1000
        self.started_commands = {}

    def started(self, event):
        # Only a reference per command in flight: the shape is worked out for slow ones.
        self.started_commands[(event.connection_id, event.request_id)] = (event.database_name, event.command)

    def _done(self, event, outcome):
        started = self.started_commands.pop((event.connection_id, event.request_id), None)
        if started is None or event.duration_micros < self.threshold_us:
            return
        database, cmd = started
        name = event.command_name
        log.warning("slow database command (%s): %d ms %s %s.%s filter=%s sort=%s", outcome,
                    event.duration_micros // 1000, name, database, cmd.get(name),
                    shape(cmd.get("filter", cmd.get("q", cmd.get("query"))) or {}), shape(cmd.get("sort") or {}))

    def succeeded(self, event):
        self._done(event, "ok")

    def failed(self, event):
        self._done(event, "failed")


def listeners(config):
    """The command listeners `config` asks for ([] when MONGO_SLOW_MS is 0)."""
    threshold = int(config.get("MONGO_SLOW_MS", 500) or 0)
    return [SlowCommands(threshold)] if threshold > 0 else []
