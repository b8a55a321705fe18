"""Webhook SSRF (issue 16, finding 8): only globally routable unicast, IPv6 transition forms unwrapped, checked on
save, before each attempt and again at connection time against the address actually connected to."""

from __future__ import annotations

import socket

import pytest

from recruiting import webhooks
from recruiting.models import WebhookDelivery
from tests.api.test_webhooks import Receiver

pytestmark = pytest.mark.django_db

REFUSED = [
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254 (cloud metadata)
    "64:ff9b:1::a00:1",  # local-use NAT64 of 10.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:c0a8:1::1",  # 6to4 of 192.168.0.1
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.1.2.3",  # IPv4-mapped private
    "::7f00:1",  # deprecated IPv4-compatible
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "224.0.0.1",
    "239.255.255.250",
    "ff02::1",
    "ff0e::1",  # multicast
    "240.0.0.1",
    "255.255.255.255",  # reserved, broadcast
    "0.0.0.0",
    "::",  # unspecified
    "100.64.0.1",  # shared (CGNAT)
    "2001:db8::1",  # documentation
    "fe80::1%eth0",  # link-local with a zone
]
ALLOWED = [
    "93.184.216.34",
    "2606:2800:220:1:248:1893:25c8:1946",
    "64:ff9b::808:808",
    "2002:808:808::",
    "::ffff:8.8.8.8",
]


def fake_dns(monkeypatch, *answers: str):
    """``getaddrinfo`` answering every host with ``answers[0]``, then ``answers[1]`` …, the last one repeated."""
    calls: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        address = answers[min(len(calls), len(answers) - 1)]
        calls.append(host)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
        return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


@pytest.fixture
def production(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    return settings


@pytest.mark.parametrize("address", REFUSED)
def test_a_host_resolving_to_a_non_public_address_is_refused(production, monkeypatch, address):
    fake_dns(monkeypatch, address)
    assert "non-public address" in webhooks.url_refusal("https://hooks.example.com/x")
    with pytest.raises(ValueError, match="non-public address"):
        webhooks.endpoint_create(url="https://hooks.example.com/x", events=["vacancy.published"])


@pytest.mark.parametrize(
    "url",
    [
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::]:8080/",
        "http://224.0.0.1/",
        "http://[ff02::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_literal_addresses_in_the_url_are_refused(production, url):
    assert "non-public address" in webhooks.url_refusal(url)


@pytest.mark.parametrize("address", ALLOWED)
def test_globally_routable_unicast_is_allowed(production, monkeypatch, address):
    fake_dns(monkeypatch, address)
    assert webhooks.url_refusal("https://hooks.example.com/x") == ""


def test_dns_rebinding_is_refused_at_connection_time(production, monkeypatch):
    """The host is public when checked before the attempt and loopback when connecting: nothing is sent."""
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        fake_dns(monkeypatch, "93.184.216.34")
        endpoint = webhooks.endpoint_create(
            url=f"http://rebind.example.com:{port}/hook", events=webhooks.EVENTS
        )
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="vacancy.published", payload={})
        calls = fake_dns(
            monkeypatch, "93.184.216.34", "127.0.0.1"
        )  # first the pre-check, then the connection

        result = webhooks.delivery_attempt(delivery_id=delivery.pk)

    assert len(calls) == 2 and receiver.requests == []
    assert result.status_code is None
    assert "refused at connection" in WebhookDelivery.objects.get(pk=delivery.pk).attempts_log[0]["error"]


def test_the_connection_goes_to_the_checked_address(production, monkeypatch):
    """One resolution per connection, and the socket is opened to that checked IP, not to the name again."""
    fake_dns(monkeypatch, "93.184.216.34")
    endpoint = webhooks.endpoint_create(url="http://hooks.example.com/hook", events=webhooks.EVENTS)
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="vacancy.published", payload={})
    connected: list[tuple] = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("test: no network")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    webhooks.delivery_attempt(delivery_id=delivery.pk)
    assert connected == [("93.184.216.34", 80)]


def test_https_keeps_the_host_name_for_certificate_checks():
    connection = webhooks._PublicHTTPSConnection("hooks.example.com", 443)
    assert (
        connection.host == "hooks.example.com"
        and connection._create_connection is webhooks._public_connection
    )
