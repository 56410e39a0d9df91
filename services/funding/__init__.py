"""Funding service (立项经费): tiered grants, campaign budgets, reimbursement claims
(报销) against an append-only ledger, and project closing (结项).

The rules live in :mod:`services.funding.domain` (plain Python). The Nameko shell
(`service.py`), the MongoDB repository (`store.py`) and the wire schemas
(`schemas.py`) are thin layers over it.
"""
# Building the service shell? READ docs/DEVELOPING.md FIRST (conventions, nx-27017 limits,
# internal RPCs, test fixtures; parallel engineers touch only their own paths, never commit).
