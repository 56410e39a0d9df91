"""Certificate numbers (创先〔2026〕012号) are given when an award is granted, from one
counter per year shared by every campaign: two campaigns' awards of the same year
never share a number, granting again keeps the number, and the certificate prints it."""
import io

import pypdf

from tests.integration.lifecycle_helpers import finalised_two_branches, wait

ADMIN = "admin"


def test_awards_of_two_campaigns_in_a_year_never_share_a_number(rpc, http, config, mongo, gateway_app):
    first, _, _ = finalised_two_branches(rpc, http, config, mongo, ADMIN)
    second, _, _ = finalised_two_branches(rpc, http, config, mongo, ADMIN)
    assert wait(lambda: len(rpc.applications.list_awards("p_admin", first["id"])) == 2
                and len(rpc.applications.list_awards("p_admin", second["id"])) == 2, seconds=30)
    awards = rpc.applications.list_awards("p_admin", first["id"]) + rpc.applications.list_awards("p_admin", second["id"])
    numbers = [(a["certificate_year"], a["certificate_seq"]) for a in awards]
    assert len(set(numbers)) == 4 and sorted(n for _, n in numbers) == [1, 2, 3, 4], numbers

    # Granting again (a second finaliser, the sweep) keeps the number it was given.
    stored = mongo("applications").awards.find_one({"_id": awards[0]["id"]})
    assert (stored["certificate_year"], stored["certificate_seq"]) == numbers[0]

    # The certificate prints it.
    from tests.integration.web.test_applicant_pages import _web_login
    client = gateway_app.test_client()
    _web_login(client, "admin")
    award = awards[-1]
    pdf = client.get(f"/campaigns/{award['campaign_id']}/awards/{award['id']}/certificate.pdf")
    assert pdf.status_code == 200
    text = pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert f"〔{award['certificate_year']}〕{award['certificate_seq']:03d}号" in text, text
