"""Domain core of the funding service: plain Python, no Nameko, Mongo, Flask or kombu.

Modules, one subject each:

- ``money``      integer fen (分) parsing and ¥ formatting
- ``ids``        id formats (safe as MongoDB keys)
- ``actors``     who may do what (lead, advisor, college admin, finance, school admin)
- ``rules``      funding rules a program registers (tiers, caps, materials, steps, deadlines)
- ``deadlines``  campaign deadlines, checked where the rules say so; Asia/Shanghai display
- ``ledger``     the append-only ledger and the balances derived from it
- ``guards``     conditional atomic updates the store applies (the concurrency guard)
- ``outcome``    what every command returns: updates, inserts, ledger entries, event
- ``campaigns``  a campaign's funding account and its budget
- ``grants``     awarding a grant to an approved project within its tier's cap
- ``claim_input`` what a claim must contain (items, receipts, purpose)
- ``claims``     reimbursement claims and their approval state machine
- ``closing``    closing materials and closing a project (结项)
- ``reports``    per campaign / college / project rows
- ``events``     ``data`` payloads of the published events

Every command is a pure function: it reads documents, validates, and returns an
:class:`~services.funding.domain.outcome.Outcome` describing the change. Nothing is
written here; the store applies the outcome (see ``outcome`` for the protocol).
"""
