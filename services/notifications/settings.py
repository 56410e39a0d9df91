"""The ``NOTIFICATIONS`` section of the platform configuration, with its defaults.

Whatever deploy/config.yml (or a test's config) says is merged over ``DEFAULTS``:
mappings merge key by key, anything else (lists, scalars) replaces. So an
installation writes only what differs, e.g. its SMTP relay::

    NOTIFICATIONS:
      PUBLIC_URL: ${PUBLIC_URL:http://127.0.0.1:8000}
      CHANNELS:
        email:
          enabled: ${SMTP_ENABLED:false}
          host: ${SMTP_HOST:localhost}
          port: ${SMTP_PORT:25}
          ssl: ${SMTP_SSL:false}            # implicit TLS (465)
          starttls: ${SMTP_STARTTLS:false}  # STARTTLS (587)
          username: ${SMTP_USERNAME:null}
          password: ${SMTP_PASSWORD:null}
          sender: ${SMTP_SENDER:创先平台 <noreply@example.edu.cn>}
          rate_limit: {per_minute: 60, burst: 10}
        webhook:
          timeout: {connect: 3, read: 10}
      ROBOTS:                               # group robots every event of a kind goes to
        - name: 学工部钉钉群
          channel: dingtalk
          url: ${DINGTALK_URL:https://oapi.dingtalk.com/robot/send?access_token=…}
          secret: ${DINGTALK_SECRET:null}  # 加签 secret (SEC…), when that option is on
          event_types: [notice.published, award.granted]

Keys:

- ``PUBLIC_URL``: the platform's address, for the links in messages.
- ``CHANNELS``: one entry per channel, as ``channels.registry.build_channels`` takes
  them (``type`` picks the implementation, ``enabled: false`` keeps it unbuilt; each
  may have ``rate_limit`` and ``retry`` = ``deliveries.BackoffPolicy`` fields). The
  ``inbox`` entry configures the always-on in-app inbox (retry only). E-mail is off
  until an SMTP relay is configured.
- ``ROBOTS``: DingTalk / WeCom group robots from configuration; each becomes a
  subscription with the id ``config-<name>`` (``domain.subscriptions``), re-synced at
  every start, so editing the file and restarting is how they change.
- ``SENDER``: the sending loop (``sender.py``): ``enabled`` (false: this process only
  takes events in, e.g. while a relay is being replaced), ``batch`` (deliveries claimed
  per channel per tick), ``concurrency`` (sends in flight per process),
  ``lease_seconds`` (a claim not finished by then is taken to have died mid-send and
  is retried; keep it above the slowest channel's timeout), ``burst_seconds`` (while a
  channel claims whole batches, a tick claims again at once for up to this long).
- ``INTAKE_BATCH``: the most events one process stores and plans together
  (``intake.receive_many``); those its workers take while a batch is planned go in
  the next one, so a batch is at most the service's ``max_workers`` in practice.
- ``REPLAN_AFTER_SECONDS``: an event whose planning failed (e.g. the applications
  service did not answer) is planned again by the sweep after this long.
"""
import copy

DEFAULTS = {
    "PUBLIC_URL": "http://127.0.0.1:8000",
    "REPLAN_AFTER_SECONDS": 30,
    "INTAKE_BATCH": 100,
    "SENDER": {"enabled": True, "batch": 50, "concurrency": 10, "lease_seconds": 120, "burst_seconds": 5},
    "CHANNELS": {
        "inbox": {"retry": {"base_seconds": 5, "factor": 2, "max_attempts": 10, "max_delay_seconds": 600}},
        "email": {
            "type": "smtp", "enabled": False, "host": "localhost", "port": 25, "ssl": False, "starttls": False,
            "username": None, "password": None, "sender": "创先平台 <noreply@example.edu.cn>", "timeout": 10,
            "rate_limit": {"per_minute": 60, "burst": 10},
            "retry": {"base_seconds": 60, "factor": 2, "max_attempts": 6, "max_delay_seconds": 3600},
        },
        "webhook": {
            "type": "webhook", "timeout": {"connect": 3, "read": 10},
            "retry": {"base_seconds": 30, "factor": 2, "max_attempts": 8, "max_delay_seconds": 3600},
        },
        "dingtalk": {"type": "dingtalk", "msgtype": "markdown", "timeout": 5, "rate_limit": {"per_minute": 20}},
        "wecom": {"type": "wecom", "msgtype": "markdown", "timeout": 5, "rate_limit": {"per_minute": 20}},
    },
    "ROBOTS": [],
}


def merge(base, override):
    """``override`` over ``base``: dicts merge recursively, other values replace."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return copy.deepcopy(override)
    out = copy.deepcopy(base)
    for key, value in override.items():
        out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
    return out


def settings(config):
    """The effective NOTIFICATIONS section of a platform configuration."""
    return merge(DEFAULTS, (config or {}).get("NOTIFICATIONS") or {})
