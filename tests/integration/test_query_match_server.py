"""core.query_match answers as the real Mongo server does: random documents (values
missing, null, text, numbers, arrays, Chinese names) and random queries of the forms
it checks, each asked of the server and of `matches`.

The data keeps clear of nx-27017's own answers (core/mongo.py), which MongoDB
does not give and the unit test holds as MongoDB answers them: arrays are in field
"a" only, compared by equality and $in (nx-27017 does not look into an array for a
range); a field ranged over holds one kind of value, and no value is a boolean
(nx-27017 compares across kinds, booleans as 0 and 1); no query asks for null
(inside an $and nx-27017 matches it only where the field is missing)."""
import random

import pytest

from core.query_match import matches

TEXT = ["s1", "s2", "c1", "李", "李明", "李明华", "王", "2024", "20240", "202400077", ""]
NUMBERS = [0, 1, 2, 2.5, 3, -1]
KINDS = {"a": TEXT + NUMBERS, "b": TEXT, "c": NUMBERS}     # the values each field holds


def _value(rng, field):
    kind = rng.randrange(5 if field == "a" else 3)
    if kind == 0:
        return rng.choice([None, "_missing"])
    if kind in (1, 2):
        return rng.choice(KINDS[field])
    if kind == 3:
        return [rng.choice(TEXT) for _ in range(rng.randrange(0, 3))]
    return [rng.choice([1, 2, 3]), rng.choice(TEXT)]


def _condition(rng, field):
    values = KINDS[field]
    kind = rng.randrange(2 if field == "a" else 4)
    if kind == 0:
        return rng.choice(values)
    if kind == 1:
        return {"$in": rng.sample(values, 3)}
    if field == "b" and kind == 2:                      # a prefix, as people.search asks it
        text = rng.choice(TEXT)
        return {"$gte": text, "$lt": text + "\U0010ffff"}
    return {rng.choice(["$gt", "$gte", "$lt", "$lte"]): rng.choice(values)}


def _query(rng, depth=0):
    query = {field: _condition(rng, field) for field in rng.sample(["a", "b", "c"], rng.randrange(1, 3))}
    if depth < 2 and rng.random() < 0.4:
        query[rng.choice(["$or", "$and"])] = [_query(rng, depth + 1) for _ in range(rng.randrange(1, 3))]
    return query


@pytest.fixture
def collection(mongo):
    rng = random.Random(11)
    docs = []
    for i in range(120):
        doc = {"_id": f"d{i:03d}"}
        for field in ("a", "b", "c"):
            value = _value(rng, field)
            if value != "_missing":
                doc[field] = value
        docs.append(doc)
    coll = mongo("query_match")["docs"]
    coll.insert_many(docs)
    return coll, docs


def test_matches_answers_each_query_as_the_server(collection):
    coll, docs = collection
    rng = random.Random(5)
    met = 0
    for _ in range(150):
        query = _query(rng)
        by_server = {d["_id"] for d in coll.find(query, {"_id": 1})}
        here = {d["_id"] for d in docs if matches(d, query)}
        assert here == by_server, query
        met += bool(here)
    assert met > 30          # the queries are not all empty
