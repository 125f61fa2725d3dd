"""check_url: the static checks every outbound URL passes before a request is made."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest
from yarl import URL

from libs.egress import EgressPolicy, EgressRefused, check_url

OPEN = EgressPolicy()
HTTPS_ONLY = EgressPolicy(require_https=True)
LOCAL = EgressPolicy(allowed=(IPv4Network("127.0.0.1/32"),))


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/switchyard?tenant=1",
        "http://hooks.example.com:8080/in",
        "https://8.8.8.8/hook",
        "https://[2606:4700:4700::1111]/hook",
    ],
)
def test_passes_public_http_and_https_urls_unchanged(url):
    assert check_url(url, OPEN) == URL(url)


def test_accepts_a_parsed_url():
    url = URL("https://hooks.example.com/in")
    assert check_url(url, OPEN) is url


def test_passes_a_host_name_without_resolving_it():
    # Names are judged at connect time by GuardedResolver; "localhost" is only a name here.
    assert check_url("http://localhost:8080/", OPEN).host == "localhost"


@pytest.mark.parametrize(
    "url", ["ftp://hooks.example.com/", "file:///etc/passwd", "gopher://h/", "ws://h/"]
)
def test_refuses_schemes_other_than_http_and_https(url):
    with pytest.raises(EgressRefused, match="the scheme must be http or https"):
        check_url(url, OPEN)


def test_refuses_plain_http_when_https_is_required():
    with pytest.raises(EgressRefused, match="the scheme must be https") as refused:
        check_url("http://hooks.example.com/", HTTPS_ONLY)
    assert refused.value.url == "http://hooks.example.com"
    assert check_url("https://hooks.example.com/", HTTPS_ONLY).scheme == "https"


@pytest.mark.parametrize(
    "url", ["http:///path", "https://", "/relative/path", "hooks.example.com/in"]
)
def test_refuses_a_url_without_a_host(url):
    with pytest.raises(EgressRefused):
        check_url(url, OPEN)


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pass@hooks.example.com/",
        "https://token@hooks.example.com/",
        "https://:pw@hooks.example.com/",
    ],
)
def test_refuses_credentials_in_the_url_without_repeating_them(url):
    with pytest.raises(EgressRefused, match="credentials in the URL are refused") as refused:
        check_url(url, OPEN)
    assert refused.value.url == "https://hooks.example.com"
    assert "pass" not in str(refused.value)
    assert "token" not in str(refused.value)


def test_refuses_a_url_that_does_not_parse():
    with pytest.raises(EgressRefused, match="not a valid URL"):
        check_url("http://[::1/", OPEN)


@pytest.mark.parametrize(
    ("url", "address", "words"),
    [
        ("http://127.0.0.1:8080/", "127.0.0.1", "loopback"),
        ("http://10.0.0.1/", "10.0.0.1", "private"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254", "metadata"),
        ("http://[::1]:8080/", "::1", "loopback"),
        ("http://[::ffff:10.0.0.1]/", "::ffff:a00:1", "private"),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254", "metadata"),
        ("http://[fe80::1%25eth0]/", "fe80::1%eth0", "link-local"),
        ("http://0.0.0.0:8080/", "0.0.0.0", "unspecified"),
    ],
)
def test_refuses_literal_ip_hosts_in_refused_ranges(url, address, words):
    with pytest.raises(EgressRefused, match=words) as refused:
        check_url(url, OPEN)
    assert refused.value.address == address
    assert words in refused.value.reason


@pytest.mark.parametrize(
    "host", ["127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1", "010.0.0.1", "10.1"]
)
def test_refuses_numeric_hosts_the_c_resolver_would_read_as_ipv4(host):
    with pytest.raises(EgressRefused, match="non-canonical IPv4"):
        check_url(f"http://{host}/", LOCAL)


def test_allow_list_admits_a_literal_ip():
    assert check_url("http://127.0.0.1:8080/hook", LOCAL).port == 8080
    with pytest.raises(EgressRefused, match="loopback"):
        check_url("http://127.0.0.2:8080/hook", LOCAL)


def test_refusal_url_is_the_origin_only():
    with pytest.raises(EgressRefused) as refused:
        check_url("http://10.0.0.1:9000/hooks/T0KEN/secret?sig=abc#frag", OPEN)
    assert refused.value.url == "http://10.0.0.1:9000"
    assert str(refused.value) == "http://10.0.0.1:9000 (10.0.0.1): private (RFC 1918)"


@pytest.mark.parametrize("url", ["http://xn--/", "http://.../", "http://a..b/hook"])
def test_hosts_that_are_not_valid_names_are_refused_not_crashed_on(url: str) -> None:
    with pytest.raises(EgressRefused, match="not a valid name"):
        check_url(url, EgressPolicy())
