"""Which claims wait for whom on the home page's to-do list (services/funding/todo.py):
the approver of the claim's current step, finance for payment, never the filer."""
from services.funding.todo import _waits_for

STEPS = ["advisor", "college", "finance"]


def claim(status, filed_by="lead", steps=STEPS):
    return {"status": status, "steps": steps, "grant_id": "g1", "college_id": "col", "filed_by": {"id": filed_by}}


def test_each_step_waits_for_its_approver_and_payment_for_finance():
    advisor, college, finance = {"id": "adv"}, {"id": "cou"}, {"id": "fin"}
    waits = lambda c, who, advised=(), colleges=(), fin=False: _waits_for(c, who, set(advised), list(colleges), fin)  # noqa: E731
    assert waits(claim("submitted"), advisor, advised={"g1"})
    assert not waits(claim("submitted"), college, colleges=["col"])
    assert waits(claim("advisor_approved"), college, colleges=["col"])
    assert not waits(claim("advisor_approved"), college, colleges=["other"])
    assert waits(claim("college_approved"), finance, fin=True)
    assert waits(claim("finance_approved"), finance, fin=True)                  # to pay
    assert not waits(claim("finance_approved"), college, colleges=["col"])
    assert not waits(claim("submitted", filed_by="adv"), advisor, advised={"g1"})   # nobody approves their own
    # A program with fewer steps: the college approves first.
    assert waits(claim("submitted", steps=["college", "finance"]), college, colleges=["col"])
    assert not waits(claim("submitted", steps=["college", "finance"]), advisor, advised={"g1"})

