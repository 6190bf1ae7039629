"""The per-client limit on new fact-sheet PDFs (RELIABILITY.md D2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from billdiff.web.limits import RateLimiter, client_key

GOLDEN_CORPUS = Path(__file__).resolve().parent / "golden" / "corpus"
A, B = "mgl-c6-s220-2020", "ma-194-s1053"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_counts_and_says_how_long_to_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 60.0, clock=clock)
    hits = []
    for _ in range(3):  # at 1000, 1000.5 and 1001
        hits.append(limiter.hit("a"))
        clock.now += 0.5
    assert hits == [0, 0, 0]
    clock.now = 1010.5
    assert limiter.hit("a") == 50  # the first of the three leaves the window in 49.5 s
    assert limiter.hit("b") == 0  # another client has its own count
    clock.now = 1060.0
    assert limiter.hit("a") == 0  # the first left; the refused hit was never counted
    assert limiter.hit("a") == 1  # the next leaves in 0.5 s: rounded up, never 0


def test_clients_remembered_are_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 60.0, max_clients=2, clock=clock)
    assert limiter.hit("a") == 0
    assert limiter.hit("b") == 0
    assert limiter.hit("a") > 0  # a is the most recently seen now
    assert limiter.hit("c") == 0  # b, the least recent, is forgotten
    assert limiter.hit("a") > 0
    assert limiter.hit("b") == 0


def test_clients_are_addresses_and_ipv6_networks() -> None:
    assert client_key("192.0.2.9") == "192.0.2.9"
    assert client_key("2001:db8:1:2:3:4:5:6") == client_key("2001:db8:1:2:ffff::1") \
        == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_key(None) == client_key("") == "-"


@pytest.mark.parametrize(("limit", "window"), [(0, 60.0), (1, 0.0)])
def test_a_limit_must_be_positive(limit: int, window: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(limit, window)


def _app(**config: object):
    from billdiff.web import create_app

    return create_app({"TESTING": True, "BILLS_DIR": str(GOLDEN_CORPUS),
                       "FACTSHEET_IN_PROCESS": True, "FACTSHEET_RENDERS_PER_MINUTE": 2,
                       **config})


def test_new_pdfs_beyond_the_limit_get_429_but_cached_ones_still_download() -> None:
    client = _app().test_client()
    first = client.get(f"/factsheet.pdf?a={A}&b={B}")
    assert first.status_code == 200
    assert client.get(f"/factsheet.pdf?a={A}&b={B}&paper=a4").status_code == 200
    third = client.get(f"/factsheet.pdf?a={A}&b={B}&topic=due-process")
    assert third.status_code == 429
    assert 1 <= int(third.headers["Retry-After"]) <= 60
    assert third.headers["Cache-Control"] == "no-store"
    body = third.get_data(as_text=True)
    assert "Too many new fact sheets at once" in body
    assert "2 new fact sheets in the last minute; new ones can be made again in" in body
    again = client.get(f"/factsheet.pdf?a={A}&b={B}")  # cached: never refused
    assert again.status_code == 200
    assert again.data == first.data
    other = client.get(f"/factsheet.pdf?a={A}&b={B}&topic=due-process",
                       environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_forwarded_addresses_count_only_behind_a_configured_proxy() -> None:
    def refused_after_two(app) -> bool:
        client = app.test_client()
        statuses = [client.get(f"/factsheet.pdf?a={A}&b={B}&topic={t}",
                               headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
                    for n, t in enumerate(["due-process", "warrant-requirement",
                                           "surveillance-ban"])]
        assert statuses[:2] == [200, 200]
        return statuses[2] == 429

    # without a proxy the header is the client's to forge: one address, one count
    assert refused_after_two(_app())
    # behind one proxy, each forwarded address is its own client
    assert not refused_after_two(_app(PROXY_HOPS=1))


def test_the_limit_can_be_turned_off_and_is_read_from_the_environment(monkeypatch) -> None:
    from billdiff.web import ConfigError, create_app

    client = _app(FACTSHEET_RENDERS_PER_MINUTE=0).test_client()
    for topic in ("due-process", "warrant-requirement", "surveillance-ban"):
        assert client.get(f"/factsheet.pdf?a={A}&b={B}&topic={topic}").status_code == 200
    monkeypatch.setenv("BILLDIFF_PDF_RENDERS_PER_MINUTE", "5")
    monkeypatch.setenv("BILLDIFF_PROXY_HOPS", "1")
    app = create_app({"TESTING": True, "BILLS_DIR": str(GOLDEN_CORPUS)})
    assert app.config["FACTSHEET_RENDERS_PER_MINUTE"] == 5
    assert app.config["PROXY_HOPS"] == 1
    monkeypatch.setenv("BILLDIFF_PROXY_HOPS", "-1")
    with pytest.raises(ConfigError, match="BILLDIFF_PROXY_HOPS"):
        create_app({"TESTING": True, "BILLS_DIR": str(GOLDEN_CORPUS)})
