"""The accounts service's repository over its own database (``<prefix>_accounts``).

People live in the applications service's directory (asked over RPC); this database
holds only what signing in needs. Collections (times are epoch seconds as floats:
ranges on them are atomic on every Mongo server, and nx-27017 keeps them as numbers):
  * accounts: one per person with a credential: {_id: person_id, password_hash,
    must_change 0/1, disabled 0/1, disabled_reason, changed_ts}. No other service
    can read it, so a hash never leaves this service;
  * login_attempts: {login, client, at, ok}: an attempt is written as a failure
    before the password is verified (concurrent attempts see each other) and
    removed when it succeeds;
  * login_known_clients: addresses that logged in to a login before;
  * reset_tokens: {_id: sha256 of the token, person_id, expires, used}; the token
    itself is never stored;
  * revocations: {_id, sub, jti?, not_before?, expires, at}: log-outs (one token)
    and "every token of this person issued before" (disable, password change).
"""
import uuid

from pymongo import ASCENDING, DESCENDING, ReturnDocument

from core import audit
from core.mongo import count as count_matching


class AccountStore:
    def __init__(self, db, config):
        self.db = db
        self.config = config

    def ensure_indexes(self):
        db = self.db
        db.login_attempts.create_index([("client", ASCENDING), ("at", ASCENDING)])
        db.login_attempts.create_index([("login", ASCENDING), ("client", ASCENDING), ("at", ASCENDING)])
        db.login_attempts.create_index([("login", ASCENDING), ("at", ASCENDING)])
        db.login_attempts.create_index([("at", ASCENDING)])
        db.login_known_clients.create_index([("at", ASCENDING)])
        db.reset_tokens.create_index([("person_id", ASCENDING)])
        db.reset_tokens.create_index([("expires", ASCENDING)])
        db.revocations.create_index([("at", ASCENDING)])
        db.revocations.create_index([("expires", ASCENDING)])
        db.account_audit.create_index([("subject_id", ASCENDING), ("at", ASCENDING)])
        db.account_audit.create_index([("person_id", ASCENDING), ("at", ASCENDING)])   # entries before core/audit.py

    # -- credentials ------------------------------------------------------------
    def account(self, person_id):
        return self.db.accounts.find_one({"_id": person_id}) or {"_id": person_id}

    def set_account(self, person_id, **fields):
        """Sets plain fields of the person's account (created when missing)."""
        return self.db.accounts.find_one_and_update({"_id": person_id}, {"$set": fields}, upsert=True,
                                                    return_document=ReturnDocument.AFTER)

    def seed_hashes(self, hashes):
        """{person_id: hash} from installers and demo data; leaves other fields alone."""
        for person_id, password_hash in hashes.items():
            self.db.accounts.update_one({"_id": person_id}, {"$set": {"password_hash": password_hash}}, upsert=True)

    # -- log-in attempts --------------------------------------------------------
    def begin_attempt(self, login, client, now):
        attempt_id = f"la_{uuid.uuid4().hex[:20]}"
        self.db.login_attempts.insert_one({"_id": attempt_id, "login": login, "client": client, "at": now, "ok": 0})
        return attempt_id

    def attempt_succeeded(self, attempt_id, login, client, now):
        """The attempt and earlier failures of this login from this address no longer
        count; the address becomes known for this login."""
        self.db.login_attempts.delete_one({"_id": attempt_id})
        self.db.login_attempts.delete_many({"login": login, "client": client})
        self.db.login_known_clients.replace_one({"_id": f"{login}\x1f{client}"},
                                                {"_id": f"{login}\x1f{client}", "at": now}, upsert=True)

    def failures(self, query, since):
        """(count, time of the last) of failures matching `query` since `since`."""
        query = dict(query, at={"$gte": since})
        count = count_matching(self.db.login_attempts, query)
        if not count:
            return 0, 0.0
        last = self.db.login_attempts.find_one(query, sort=[("at", DESCENDING)])
        return count, float(last["at"]) if last else 0.0

    def known_client(self, login, client):
        return self.db.login_known_clients.find_one({"_id": f"{login}\x1f{client}"}) is not None

    # -- reset tokens -----------------------------------------------------------
    def add_reset_token(self, digest, person_id, expires, created_by, now):
        self.db.reset_tokens.delete_many({"person_id": person_id})  # one open link per person
        self.db.reset_tokens.insert_one({"_id": digest, "person_id": person_id, "expires": expires, "used": 0,
                                         "created_by": created_by, "at": now})

    def open_reset_token(self, digest, now):
        return self.db.reset_tokens.find_one({"_id": digest, "used": 0, "expires": {"$gt": now}})

    def use_reset_token(self, digest, now):
        """Marks a valid token used and returns it; None when unknown, used or expired.
        Of two concurrent uses exactly one gets it (conditional update)."""
        return self.db.reset_tokens.find_one_and_update(
            {"_id": digest, "used": 0, "expires": {"$gt": now}}, {"$set": {"used": 1, "used_at": now}},
            return_document=ReturnDocument.AFTER)

    def drop_reset_tokens(self, person_id):
        self.db.reset_tokens.delete_many({"person_id": person_id})

    # -- audit ------------------------------------------------------------------
    def audit(self, entry):
        """Append-only: who did what to an account, when, why."""
        self.db.account_audit.insert_one(entry)

    def audit_trail(self, person_id, limit=50):
        """The account's newest entries first, in core/audit.py's shape; those stored
        before it (`person_id`, epoch-second times, `by` an id) read as it."""
        found = [*self.db.account_audit.find({"subject_id": person_id}, sort=[("at", DESCENDING)], limit=limit),
                 *self.db.account_audit.find({"person_id": person_id}, sort=[("at", DESCENDING)], limit=limit)]
        return [audit.read(e) for e in reversed(audit.in_order(found))][:limit]

    # -- revocations ------------------------------------------------------------
    def revoke(self, entry):
        self.db.revocations.replace_one({"_id": entry["_id"]}, entry, upsert=True)

    def revocations_since(self, at, now):
        return list(self.db.revocations.find({"at": {"$gt": at}, "expires": {"$gt": now}},
                                             {"_id": 0}, sort=[("at", ASCENDING)], limit=100000))

    # -- housekeeping -----------------------------------------------------------
    def sweep(self, now, attempts_before, known_before):
        self.db.login_attempts.delete_many({"at": {"$lt": attempts_before}})
        self.db.login_known_clients.delete_many({"at": {"$lt": known_before}})
        self.db.reset_tokens.delete_many({"expires": {"$lt": now}})
        self.db.revocations.delete_many({"expires": {"$lt": now}})
