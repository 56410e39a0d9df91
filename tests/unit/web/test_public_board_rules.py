"""The public board's rules that need no server: campus networks (CIDR, IPv4 and
IPv6, bad entries never match) and the period as notices state it."""
from gateway.web.pages_public import in_networks


def test_campus_networks_match_by_cidr_and_nothing_else():
    nets = ["10.0.0.0/8", "2001:db8::/32", "not a network", "192.168.1.7"]
    assert in_networks("10.255.0.1", nets) and in_networks("2001:db8::1", nets) and in_networks("192.168.1.7", nets)
    assert not in_networks("11.0.0.1", nets) and not in_networks("192.168.1.8", nets)
    assert not in_networks("", nets) and not in_networks("unknown", nets) and not in_networks("10.0.0.1", [])


def test_the_period_reads_as_a_notice_states_it(monkeypatch):
    from gateway.web import pages_public
    monkeypatch.setattr(pages_public.i18n, "current_language", lambda: "zh")
    # 09:30 Beijing on 6 December for five days: 12月6日至12月11日
    assert pages_public.period_text("2026-12-06T01:30:00+00:00", "2026-12-11T01:30:00+00:00") == "12月6日至12月11日"
    # A period that ends at midnight ends the day before.
    assert pages_public.period_text("2026-12-05T16:00:00+00:00", "2026-12-10T16:00:00+00:00") == "12月6日至12月10日"


def test_a_name_on_the_public_board_never_shows_a_number():
    from services.applications.public_board import _masked
    assert _masked("李明") == "李明"
    assert _masked("李明2023010101") == "李明2023****01"
    assert "2023010101" not in _masked("2023010101 先锋支部")
