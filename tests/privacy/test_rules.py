"""What the text checks count: IP addresses (and what merely looks like one), and
identity numbers written with typeset separators."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lcanalysis.privacy.rules import Matcher, ip_address

MATCHER = Matcher(set())


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.excerpt) for f in MATCHER.findings(text, "f", "line 1")]


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("respondent 81.226.13.7 answered", "81.*.*.*"),
        ("IP-adress: 192.168.1.20.", "192.*.*.*"),  # a private address; full stop after
        ("http://81.226.13.7/survey?id=3", "81.*.*.*"),
        ("81.226.13.7:8080", "81.*.*.*"),
        ("ip,2001:db8:85a3::8a2e:370:7334,ja", "2001:****"),
        ("fe80::1ff:fe23:4567:890a%eth0", "fe80:****"),  # link-local, from a MAC address
        ("2a02:aa1:1022:9c3b:45d:21ff:fe14:7e2b", "2a02:****"),
        ("::ffff:81.226.13.7", "81.*.*.*"),  # IPv4-mapped
    ],
)
def test_an_ip_address_is_a_finding(text, excerpt):
    assert found(text) == [("ip_address", excerpt)]


@pytest.mark.parametrize(
    "text",
    [
        "lcanalysis 1.2.3, pypdf 7.1.1",  # versions of three parts
        "2024.01.15 och 15.01.2024",  # dates
        "OID 1.3.6.1.4.1.311",  # longer dotted runs
        "v1.2.3.4 and build1.2.3.4",  # after a letter
        "HeadlessChrome/156.0.0.0 Safari/537.36",  # a product's version after a slash
        "127.0.0.1, 0.0.0.0, ::1, ::",  # loopback, unspecified
        "netmask 255.255.255.0",
        "256.1.1.1 and 1.2.3.999 and 01.02.03.04",  # not addresses
        "x[1::2], y[::3], 12:30:45, 10:15",  # slices and clock times
        "rate 0.25.",
        "00:1a:2b:3c:4d:5e",  # six groups, no "::": not IPv6
    ],
)
def test_what_is_not_an_ip_address(text):
    assert found(text) == []


@given(st.integers(0, 2**32 - 1), st.sampled_from([" ", ",", ";", "(", ")", "\n", "=", '"', "\t"]))
def test_every_ipv4_address_between_separators_is_judged_by_ipaddress(number, sep):
    address = ipaddress.IPv4Address(number)
    text = f"a{sep}{address}{sep}b"
    expected = [] if ip_address(str(address)) is None else [("ip_address", f"{str(address).split('.')[0]}.*.*.*")]
    assert found(text) == expected
    # Inside a longer dotted run it is never one.
    assert found(f"a 1.{address}.5 b") == []


def test_judging_an_address():
    assert ip_address("81.226.13.7") == ipaddress.IPv4Address("81.226.13.7")
    assert ip_address("10.0.0.12") is not None  # private addresses still point at a machine
    assert ip_address("255.255.0.0") is None
    assert ip_address("::ffff:127.0.0.1") is None
    assert ip_address("100::1") is None  # IPv6 space not allocated to anyone


@pytest.mark.parametrize("sep", ["\u2011", "\u2010", "\u2013", "\u2212", "\u00a0", "\u202f"])
def test_identity_numbers_with_typeset_separators(sep):
    # A browser or word processor turns "-" into a no-break hyphen or a dash.
    assert found(f"pnr 811218{sep}9876") == [("identity_number", "811218-****")]
