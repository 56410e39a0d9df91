"""The notifications domain core: plain Python, no Nameko, Mongo, Flask or kombu.

Modules: catalog (events and their data fields), templates, recipients, subscriptions,
preferences, deliveries, planning, rate_limit, signing, robots, contract.
"""
