"""Who holds a role where, found through an index: the `role_holders` collection.

`people.role_keys` ("role@unit") is an array, and the embedded Mongo server cannot
serve an array field from an index (an equality on it misses, a `$in` scans every
person: 5 ms at 4,000 people, some 40 ms at a school's 30,000, on every submit and
every notice). So each role key also has one document here, ``{"_id": role_key,
"person_ids": [...]}``, read by `_id` (index-served, one query for any number of keys).

Guarantee: `person_ids` of a key is a superset of the people whose stored record
carries that key. Every write of people's records goes through `RoleHolders.write`:
it adds a person to their new keys before the write and again after it (a concurrent
writer removing that key may have pulled it meanwhile), and removes them from keys
they lost only after the write succeeded, then reads the records again and adds back
any key a concurrent writer gave back meanwhile. So a crash leaves an extra id, never
a missing one, and readers check the people's own records (people_holding keeps only
roles in force now). Adding and removing one id are single atomic updates
($addToSet, $pull of a plain string), safe under concurrent writers.
"""
from pymongo import UpdateOne

COLLECTION = "role_holders"
BUILT = "#built"   # not a role key ("role@unit"): marks the index as built from the people


def keys_of(person):
    return set((person or {}).get("role_keys") or [])


class RoleHolders:
    def __init__(self, db):
        self.db = db
        self.docs = db[COLLECTION]

    def holders(self, role_keys):
        """The ids of everyone that may hold any of `role_keys` (a superset; see above)."""
        keys = sorted(set(role_keys))
        if not keys:
            return []
        return sorted({p for doc in self.docs.find({"_id": {"$in": keys}}) for p in doc.get("person_ids") or []})

    def write(self, changes, write):
        """Run `write()` (which stores people's records) keeping the guarantee above;
        `changes`: [(person id, role keys before, role keys after)]. Returns what
        `write` returns; if it raises, nothing is removed."""
        added = [(p, set(after) - set(before)) for p, before, after in changes if set(after) - set(before)]
        lost = [(p, set(before) - set(after)) for p, before, after in changes if set(before) - set(after)]
        self.hold(added)
        result = write()
        self.hold(added)
        if lost:
            self.release(lost)
            ids = [p for p, _keys in lost]
            again = {d["_id"]: keys_of(d) for d in self.db.people.find({"_id": {"$in": ids}}, {"role_keys": 1})}
            self.hold([(p, keys & again.get(p, set())) for p, keys in lost])
        return result

    def hold(self, pairs):
        """Add each (person id, role keys) before the people's records are written."""
        ops = [UpdateOne({"_id": key}, {"$addToSet": {"person_ids": person_id}}, upsert=True)
               for person_id, keys in pairs for key in sorted(keys)]
        if ops:
            self.docs.bulk_write(ops, ordered=False)

    def release(self, pairs):
        """Remove each (person id, role keys) once their records no longer carry them."""
        ops = [UpdateOne({"_id": key}, {"$pull": {"person_ids": person_id}})
               for person_id, keys in pairs for key in sorted(keys)]
        if ops:
            self.docs.bulk_write(ops, ordered=False)

    def build(self, people):
        """Once per database (idempotent, also while people are written: writers keep
        their own keys): every key of `people` (an iterable of records with
        `role_keys`), then the mark that it was built."""
        if self.docs.find_one({"_id": BUILT}) is not None:
            return
        grouped = {}
        for person in people:
            for key in keys_of(person):
                grouped.setdefault(key, []).append(person["_id"])
        ops = [UpdateOne({"_id": key}, {"$addToSet": {"person_ids": {"$each": ids}}}, upsert=True)
               for key, ids in sorted(grouped.items())]
        for start in range(0, len(ops), 1000):
            self.docs.bulk_write(ops[start:start + 1000], ordered=False)
        self.docs.update_one({"_id": BUILT}, {"$set": {"person_ids": []}}, upsert=True)
