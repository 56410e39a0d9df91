"""Dependencies of the notifications service: its repository, its channels and the
group commit its event handlers share.

Both are built in ``setup()`` from the configuration (nothing at import or in
``__init__``), so a bad ``NOTIFICATIONS`` section stops the service at start with a
message naming the channel, instead of failing at the first send.
"""
import logging
from datetime import datetime, timezone

from nameko.extensions import DependencyProvider

from core.group_commit import GroupCommit
from core.mongo import Repository

from .channels.base import InboxChannel
from .channels.registry import build_channels, close_all
from .domain.subscriptions import make_subscription
from .settings import settings as notification_settings
from .store import NotificationsStore

log = logging.getLogger(__name__)


class NotificationsRepository(Repository):
    """``Repository(NotificationsStore, "notifications")`` that also syncs the group
    robots of the configuration (``NOTIFICATIONS.ROBOTS``) into subscriptions."""

    def __init__(self):
        super().__init__(NotificationsStore, "notifications")

    def setup(self):
        super().setup()
        sync_config_robots(self.store, notification_settings(self.container.config).get("ROBOTS") or [])


def sync_config_robots(store, robots):
    """Each configured robot becomes the subscription ``config-<name>``; robots no
    longer in the configuration are removed. Raises ValueError naming a bad entry."""
    keep = []
    for index, robot in enumerate(robots):
        name = robot.get("name") or f"robot-{index + 1}"
        if robot.get("channel") == "webhook" and not robot.get("secret"):
            # a generated secret would change at every start; subscribers need a fixed one
            raise ValueError(f"NOTIFICATIONS.ROBOTS[{index}] ({name}): a configured webhook needs its secret")
        try:
            subscription = make_subscription(
                name, robot.get("channel"), robot.get("url"), robot.get("event_types"),
                secret=robot.get("secret"), programs=robot.get("programs"), lang=robot.get("lang", "zh"),
                options=robot.get("options"), created_by="config", now=datetime.now(timezone.utc),
                subscription_id=f"config-{name}")
        except Exception as error:
            raise ValueError(f"NOTIFICATIONS.ROBOTS[{index}] ({name}): {error}") from error
        subscription["origin"] = "config"
        store.put_subscription(subscription)
        keep.append(subscription["id"])
    store.remove_config_subscriptions(keep)


class Channels(DependencyProvider):
    """The configured delivery channels, by name ({"email": SmtpChannel, ...}), built
    once per container. The inbox is added by ``with_inbox`` (it needs the store)."""

    def setup(self):
        configs = dict(notification_settings(self.container.config)["CHANNELS"])
        self.inbox_config = configs.pop("inbox", None) or {}
        self.channels = build_channels(configs)
        self.sender = notification_settings(self.container.config)["SENDER"]
        log.info("notification channels: %s", ", ".join(["inbox", *self.channels]))

    def stop(self):
        close_all(self.channels)

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self

    def with_inbox(self, store):
        """Every channel, the store-backed inbox first (it is always on)."""
        return {"inbox": InboxChannel(store.inbox, self.inbox_config), **self.channels}


class IntakeBatches(DependencyProvider):
    """The container's `core.group_commit.GroupCommit` for its event handlers: the
    events its workers take at the same time are stored and planned together
    (`intake.receive_many`), at most ``NOTIFICATIONS.INTAKE_BATCH`` at once."""

    def setup(self):
        self.batches = GroupCommit(max_batch=notification_settings(self.container.config)["INTAKE_BATCH"])

    def get_dependency(self, worker_ctx):
        return self.batches
