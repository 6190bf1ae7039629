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


# -- large comparisons, one at a time per process (issue 11, item 1) -----------------------


def _large_corpus(tmp_path: Path) -> Path:
    """The golden corpus with two long bills (the 4,000-line ``[Reserved]`` shape) added."""
    import shutil
    import sys

    import yaml

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from adversarial import reserved
    from memory import bench_document

    root = Path(shutil.copytree(GOLDEN_CORPUS, tmp_path / "corpus"))
    ra, rb = reserved(4000)
    for doc_id, number, filed, text in (("long-a", "L.1", "1990-01-01", ra),
                                        ("long-b", "L.2", "1990-02-01", rb)):
        (root / "documents" / f"{doc_id}.yaml").write_text(
            yaml.safe_dump(bench_document(doc_id, number, filed, [("1", text)]),
                           sort_keys=False, allow_unicode=True), encoding="utf-8")
    return root


def test_large_comparisons_are_made_one_at_a_time_and_one_meanwhile_is_503(tmp_path) -> None:
    from billdiff.web import limits

    app = _app(BILLS_DIR=str(_large_corpus(tmp_path)), PAGE_CACHE_BYTES=0)
    client = app.test_client()
    with app.app_context():
        from billdiff.web.state import get_corpus

        corpus = get_corpus()
        assert limits.text_size(corpus.document("long-a")) + limits.text_size(
            corpus.document("long-b")) > limits.LARGE_PAIR_CHARS
        assert limits.text_size(corpus.document(A)) + limits.text_size(
            corpus.document(B)) <= limits.LARGE_PAIR_CHARS
    assert client.get("/compare?a=long-a&b=long-b").status_code == 200  # the gate is made
    gate = limits.costly_gate(app)
    assert gate.acquire(blocking=False)  # another large comparison is being made
    try:
        for path in ("/compare?a=long-a&b=long-b&view=inline",
                     "/api/compare?a=long-a&b=long-b&granularity=char"):
            refused = client.get(path)
            assert refused.status_code == 503, path
            assert refused.headers["Retry-After"] == str(limits.COSTLY_RETRY_AFTER)
            assert "comparing other long texts" in refused.get_data(as_text=True)
        # a small pair never waits for the large one
        assert client.get(f"/compare?a={A}&b={B}&view=inline").status_code == 200
        assert client.get(f"/api/compare?a={A}&b={B}").status_code == 200
    finally:
        gate.release()
    assert client.get("/compare?a=long-a&b=long-b&view=inline").status_code == 200
    assert client.get("/api/compare?a=long-a&b=long-b").status_code == 200
    # the place is given back after a refusal and after an error alike
    assert gate.acquire(blocking=False)
    gate.release()
