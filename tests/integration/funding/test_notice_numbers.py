"""立项通知书 numbers (创先〔2026〕立字003号) are given when a grant is awarded, from one
counter per year shared by every campaign: two campaigns' grants of a year never share
a number, and awarding again (a retry) keeps the number."""
from .conftest import LEAD, approved_application, award, new_campaign, open_budget


def test_grants_of_two_campaigns_in_a_year_never_share_a_notice_number(rpc, mongo):
    numbers = []
    for _ in range(2):
        campaign = new_campaign(rpc)
        app = approved_application(rpc, campaign["id"], LEAD)
        open_budget(rpc, campaign["id"])
        grant = award(rpc, campaign["id"], app["id"])
        again = award(rpc, campaign["id"], app["id"])            # the same request retried
        assert (again["notice_year"], again["notice_seq"]) == (grant["notice_year"], grant["notice_seq"])
        numbers.append((grant["notice_year"], grant["notice_seq"]))
    assert numbers[0] != numbers[1] and sorted(n for _, n in numbers) == [1, 2], numbers
    assert mongo("funding").grants.count_documents({"notice_seq": {"$exists": True}}) == 2
