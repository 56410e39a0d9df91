"""core.query_match: the query forms it checks, answered as MongoDB answers them, and
Unsupported for the rest (the integration test asks the real server the same)."""
from datetime import datetime

import pytest

from core.query_match import Unsupported, matches

DOC = {"_id": "p1", "school_id": "s1", "college_id": "c1", "role_keys": ["counselor@c1", "student@c1"],
       "student_no": "2024000777", "name": "李同学", "n": 3, "flag": True, "none": None,
       "at": datetime(2026, 12, 1)}


@pytest.mark.parametrize("query, expected", [
    ({}, True),
    ({"school_id": "s1"}, True),
    ({"school_id": "s2"}, False),
    ({"role_keys": "student@c1"}, True),                       # an array holds it
    ({"role_keys": ["counselor@c1", "student@c1"]}, True),     # the whole array
    ({"role_keys": ["student@c1"]}, False),
    ({"role_keys": {"$in": ["x", "counselor@c1"]}}, True),
    ({"role_keys": {"$in": ["x"]}}, False),
    ({"missing": None}, True), ({"none": None}, True), ({"school_id": None}, False),
    ({"missing": {"$in": [None, "a"]}}, True),
    ({"student_no": {"$gte": "202400077", "$lt": "202400077\U0010ffff"}}, True),
    ({"student_no": {"$gte": "202400078", "$lt": "202400078\U0010ffff"}}, False),
    ({"name": {"$gte": "李", "$lt": "李\U0010ffff"}}, True),
    ({"n": {"$gt": 2}}, True), ({"n": {"$gt": 3}}, False), ({"n": {"$gte": 3.0}}, True), ({"n": {"$lte": 2}}, False),
    ({"n": {"$gt": "2"}}, False),                              # text bound, number value: other bracket
    ({"student_no": {"$gt": 1}}, False),
    ({"missing": {"$lt": 10}}, False), ({"none": {"$lt": 10}}, False),
    ({"at": {"$lt": datetime(2026, 12, 2)}}, True), ({"at": {"$gt": datetime(2026, 12, 2)}}, False),
    ({"flag": True}, True), ({"flag": 1}, False), ({"n": True}, False), ({"n": 3.0}, True),
    ({"$or": [{"school_id": "s2"}, {"college_id": "c1"}]}, True),
    ({"$or": [{"school_id": "s2"}, {"college_id": "c2"}]}, False),
    ({"$and": [{"school_id": "s1"}, {"n": {"$lt": 3}}]}, False),
    ({"school_id": "s1", "college_id": "c2"}, False),
    ({"$and": [{"$or": [{"school_id": "s2"}, {"role_keys": {"$in": ["counselor@c1"]}}]}, {"name": {"$gte": "李"}}]},
     True),
])
def test_answers_as_the_server_does(query, expected):
    assert matches(DOC, query) is expected


@pytest.mark.parametrize("query", [
    {"$nor": [{"a": 1}]}, {"a.b": 1}, {"n": {"$ne": 3}}, {"n": {"$exists": True}}, {"n": {"$regex": "^3"}},
    {"doc": {"a": 1}}, {"n": {"$in": [{"$gt": 1}]}}, {"n": {"$gt": [1]}}, {"$or": []}, {"$and": {"a": 1}},
    {"n": {"$eq": 3}}, {"at": {"$lt": datetime(2026, 12, 2).astimezone()}},
])
def test_anything_else_is_unsupported(query):
    with pytest.raises(Unsupported):
        matches(DOC, query)
