"""Rate-limit rules: GCRA's numbers, the log-in back-off, Retry-After rounding, the client's IP."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gateway.config import Settings
from gateway.domain.limits import (
    Rule,
    address_key,
    backoff_s,
    client_address,
    email_key,
    networks,
    retry_after,
)
from gateway.ratelimit.limiter import LOG_IN, SIGN_UP, TICKET, rules

PROXIES = networks(["10.0.0.0/8", "2001:db8:ffff::/48"])


def test_a_rule_allows_its_whole_limit_at_once_then_one_per_interval() -> None:
    rule = Rule("sign_up", 10, 3600)
    assert rule.enabled
    assert rule.interval_s == 360
    assert rule.tolerance_s == 3240  # 9 more fit behind the first: 10 at once
    assert Rule("x", 1, 60).tolerance_s == 0
    assert not Rule("x", 0, 60).enabled


def test_retry_after_is_whole_seconds_rounded_up_and_never_zero() -> None:
    assert retry_after(0.0) == 1
    assert retry_after(0.2) == 1
    assert retry_after(1.0) == 1
    assert retry_after(1.01) == 2
    assert retry_after(1799.4) == 1800


def test_the_log_in_back_off_doubles_from_one_second_up_to_the_cap() -> None:
    assert [backoff_s(n, 3, 900) for n in range(1, 8)] == [0, 0, 1, 2, 4, 8, 16]
    assert backoff_s(13, 3, 900) == 900  # 1024 s, capped at the window
    assert backoff_s(10_000, 3, 900) == 900
    assert backoff_s(50, 0, 900) == 0  # threshold 0: off


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # An untrusted peer is the client, whatever it claims.
        ("203.0.113.5", ["192.0.2.1"], "203.0.113.5"),
        ("203.0.113.5", [], "203.0.113.5"),
        # A trusted proxy: the right-most address that is not itself a trusted proxy.
        ("10.0.0.2", ["192.0.2.1"], "192.0.2.1"),
        ("10.0.0.2", ["198.51.100.9, 192.0.2.1, 10.3.3.3"], "192.0.2.1"),
        ("10.0.0.2", ["198.51.100.9", "192.0.2.1"], "192.0.2.1"),  # two headers read as one list
        ("10.0.0.2", ["192.0.2.1 , 10.4.4.4,"], "192.0.2.1"),
        # Nothing forwarded, or only proxies: the nearest address there is.
        ("10.0.0.2", [], "10.0.0.2"),
        ("10.0.0.2", ["10.0.0.1, 10.0.0.3"], "10.0.0.1"),
        # Garbage where a trusted proxy's entry should be: stop at the last address believed.
        ("10.0.0.2", ["192.0.2.1, not-an-ip"], "10.0.0.2"),
        ("10.0.0.2", ["[2001:db8::1]"], "2001:db8::1"),
        ("2001:db8:ffff::1", ["192.0.2.1"], "192.0.2.1"),
        ("::ffff:10.0.0.2", ["192.0.2.1"], "192.0.2.1"),  # an IPv4 proxy on a dual-stack socket
        (None, ["192.0.2.1"], "unknown"),
    ],
)
def test_client_address(peer: str | None, forwarded: list[str], expected: str) -> None:
    assert client_address(peer, forwarded, PROXIES) == expected


def test_nobody_is_trusted_by_default() -> None:
    assert client_address("127.0.0.1", ["192.0.2.1"], networks(Settings().trusted_proxies)) == "127.0.0.1"


def test_an_ipv6_client_counts_by_its_64() -> None:
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("192.0.2.1") == "192.0.2.1"
    assert address_key("::ffff:192.0.2.1") == "192.0.2.1"


def test_email_keys_hold_no_address() -> None:
    key = email_key("maria@example.com")
    assert "maria" not in key and len(key) == 32
    assert key == email_key("maria@example.com") != email_key("joao@example.com")


def test_trusted_proxies_come_comma_separated_and_a_typo_stops_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ATENDE_GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1 ,")
    assert Settings().trusted_proxies == ("10.0.0.0/8", "192.168.1.1")
    monkeypatch.setenv("ATENDE_GATEWAY_TRUSTED_PROXIES", "10.0.0.0/33")
    with pytest.raises(ValidationError, match="trusted_proxies"):
        Settings()


def test_rules_follow_the_settings() -> None:
    defaults = rules(Settings())
    assert defaults[SIGN_UP] == Rule(SIGN_UP, 10, 3600)
    assert defaults[LOG_IN] == Rule(LOG_IN, 20, 60)
    assert defaults[TICKET] == Rule(TICKET, 30, 3600)
    assert TICKET not in rules(Settings(tickets_per_customer_hour=0))
    assert rules(Settings(rate_limits=False)) == {}
