"""Notifications service: turns platform events into messages for people and systems.

Layout (ARCHITECTURE.md, "domain core, thin shell"):

- ``domain/``   plain Python rules, no Nameko / Mongo / Flask / kombu:
  ``catalog`` (the events we know and their ``data`` fields), ``templates``
  (zh/en texts, admin overrides, safe rendering), ``recipients`` (who gets what),
  ``preferences`` (per-user events and channels), ``deliveries`` (ids, states,
  backoff, dead letter, replay), ``planning`` (event → delivery documents),
  ``rate_limit`` (token buckets per channel), ``signing`` (webhook HMAC, DingTalk
  signed URL), ``robots`` (DingTalk / WeCom message bodies), ``contract`` (the
  public AsyncAPI document's payload schemas and a validator).
- ``channels/`` delivery channels behind one interface (``Channel.send``):
  SMTP, signed webhooks, DingTalk and WeCom group robots, the in-app inbox
  interface, and a registry that builds them from configuration.

The Nameko shell around them:

- ``service.py``  event handlers (one durable queue per event type), the sending and
  re-planning timers, RPC for the gateway's ``/api/notifications``;
- ``intake.py``   event → stored event → planned deliveries (idempotent);
- ``sender.py``   due deliveries → channels: leases, backoff, rate limits, dead letters;
- ``store.py``    the repository (events, deliveries, inbox, preferences,
  subscriptions, templates, rate-limit buckets);
- ``directory.py`` contacts and unit members from the applications service;
- ``manage.py``   what school admins manage; ``views.py``, ``schemas.py``, ``links.py``;
- ``settings.py`` the ``NOTIFICATIONS`` configuration section and its defaults;
- ``dependencies.py`` the repository and channels as Nameko dependencies.
"""
