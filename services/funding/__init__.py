"""Funding service (立项经费): tiered grants, campaign budgets, reimbursement claims
(报销) against an append-only ledger, and project closing (结项).

The rules live in :mod:`services.funding.domain` (plain Python). Around it:

- ``service.py``      the Nameko shell: one small RPC per operation, an outbox timer
- ``workflow.py``     each operation: fetch what the domain needs, let it decide, apply
- ``store.py``        the MongoDB repository; applies Outcomes (guarded writes, ledger)
- ``outbox.py``       publishing events at least once, never twice; the crash sweep
- ``idempotency.py``  Idempotency-Key: the request log and ids derived from the key
- ``directory.py``    what is asked of the applications service (actor, project, people)
- ``attachments.py``  receipts and closing materials (the applications service's rules)
- ``schemas.py``      what crosses the wire (marshmallow); ``views.py`` what goes back
"""
