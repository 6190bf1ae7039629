"""Security floors of the web app: escaping, headers, hosts, sizes, CSRF, boot safety, layering."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest_plugins = ("web_helpers",)

ROOT = Path(__file__).resolve().parent.parent
CODE = sorted((ROOT / "billdiff").rglob("*.py"))
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
STRONG_KEY = "k" * 32
CSP = ("default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")


# -- no raw-HTML escape hatches (nothing allowlisted) ----------------------------------------


@pytest.mark.parametrize(("pattern", "where"), [
    (r"\|\s*safe\b", "code and templates"),
    (r"render_template_string", "code and templates"),
    (r"\bMarkup\(", "code and templates"),
    (r"yaml\.load\(|unsafe_load|full_load|yaml\.Loader\b|UnsafeLoader", "code"),
    (r"autoescape\s*=\s*False|{%-?\s*autoescape\s+false", "code and templates"),
])
def test_no_escape_hatches(pattern, where):
    files = CODE + (TEMPLATES if "templates" in where else [])
    hits = []
    for p in files:
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".html":  # Jinja comments are not code (they may name what is banned)
            text = re.sub(r"{#.*?#}", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
        hits += [f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
                 for n, line in enumerate(text.splitlines(), 1) if re.search(pattern, line)]
    assert not hits, "\n".join(hits)


def test_every_jinja_environment_autoescapes():
    for p in CODE:
        text = p.read_text(encoding="utf-8")
        for m in re.finditer(r"\bEnvironment\(", text):
            call = text[m.start():m.start() + 400]
            assert re.search(r"autoescape=(True|select_autoescape)", call), p


def test_no_secret_key_literal():
    for p in CODE:
        assert not re.search(r"SECRET_KEY\"?\s*[:=]\s*[\"'][^\"']+[\"']", p.read_text()), p


# -- headers ---------------------------------------------------------------------------------


def _get_routes(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {"doc_id": "bill-2023", "topic_id": "warrants"}
        try:
            urls.append(rule.build(values, append_unknown=False)[1])
        except Exception:  # noqa: BLE001 - a rule with arguments we do not know
            continue
    return urls


def test_headers_on_every_response(app, client):
    urls = [*_get_routes(app), "/documents/nope", "/compare?topic=nope", "/api/documents/nope"]
    assert "/" in urls
    assert "/compare" in urls
    assert "/api/compare" in urls
    for url in urls:
        r = client.get(url)
        h = r.headers
        assert h["Content-Security-Policy"] == CSP, url
        assert h["X-Content-Type-Options"] == "nosniff", url
        assert h["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        assert h["X-Frame-Options"] == "DENY", url
        assert "Strict-Transport-Security" not in h  # development
        if r.mimetype == "text/html":
            assert h["Content-Type"] == "text/html; charset=utf-8", url
            assert " style=" not in r.get_data(as_text=True), url
            assert "<script" not in r.get_data(as_text=True), url


def test_production_headers_and_cookie(small_bills):
    from billdiff.web import create_app

    prod = create_app({"ENV": "production", "SECRET_KEY": STRONG_KEY,
                       "SITE_URL": "https://billdiff.example.org",
                       "BILLS_DIR": str(small_bills)})

    @prod.get("/_token")
    def token():
        from billdiff.web.security import csrf_token

        return csrf_token()

    c = prod.test_client()
    r = c.get("/")
    hsts = r.headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31_536_000
    cookie = c.get("/_token", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


# -- hosts and sizes -------------------------------------------------------------------------


def test_untrusted_host_is_refused(client):
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "localhost"}).status_code == 200
    assert client.get("/", headers={"Host": "127.0.0.1:5000"}).status_code == 200


def test_trusted_hosts_from_the_environment(small_bills, monkeypatch):
    from billdiff.web import create_app

    monkeypatch.setenv("BILLDIFF_TRUSTED_HOSTS", "bills.example, www.bills.example")
    c = create_app({"BILLS_DIR": str(small_bills)}).test_client()
    assert c.get("/", headers={"Host": "bills.example"}).status_code == 200
    assert c.get("/", headers={"Host": "localhost"}).status_code == 200
    assert c.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_oversize_request_gives_413_fast(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 2 * 1024 * 1024
    body = b"x" * (limit + 1)
    for url in ("/", "/compare", "/api/compare"):
        start = time.perf_counter()
        r = client.post(url, data=body, content_type="application/octet-stream")
        assert r.status_code == 413, url
        assert time.perf_counter() - start < 1
    assert "error" in client.post("/api/compare", data=body).get_json()
    page = client.post("/compare", data=body).get_data(as_text=True)
    assert "too large" in page
    assert "2 MiB" in page


# -- CSRF ------------------------------------------------------------------------------------


def test_csrf_on_every_post_route(app):
    from billdiff.web.security import CSRF_MESSAGE, SESSION_KEY

    posts = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or ())]
    c = app.test_client()
    for rule in posts:
        try:
            url = rule.build({a: "x" for a in rule.arguments}, append_unknown=False)[1]
        except Exception:  # noqa: BLE001
            continue
        r = c.post(url, data={"x": "1"})
        assert r.status_code == 400, f"{url}: POST without a token gave {r.status_code}"
        with c.session_transaction() as sess:
            sess[SESSION_KEY] = "t" * 43
        r = c.post(url, data={"csrf_token": "t" * 43})
        assert CSRF_MESSAGE not in r.get_data(as_text=True).replace("&#39;", "'"), url


def test_csrf_token_mechanism(small_bills):
    from billdiff.web import create_app
    from billdiff.web.security import HEADER

    test_app = create_app({"BILLS_DIR": str(small_bills)})

    @test_app.route("/_form", methods=["GET", "POST"])
    def form():
        from billdiff.web.security import csrf_token

        return csrf_token()

    c = test_app.test_client()
    assert c.post("/_form").status_code == 400
    assert c.post("/_form", data={"csrf_token": "forged" * 8}).status_code == 400
    token = c.get("/_form").get_data(as_text=True)
    assert len(token) >= 32
    assert c.post("/_form", data={"csrf_token": token}).status_code == 200
    assert c.post("/_form", headers={HEADER: token}).status_code == 200
    # a token from another session is refused
    other = test_app.test_client()
    assert other.post("/_form", data={"csrf_token": token}).status_code == 400
    # templates can call it
    with test_app.test_request_context():
        assert test_app.jinja_env.globals["csrf_token"]()


# -- boot safety ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "dev", "x" * 31])
def test_production_refuses_a_missing_or_short_secret(small_bills, key, monkeypatch):
    from billdiff.web import ConfigError, create_app

    monkeypatch.delenv("BILLDIFF_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"ENV": "production", "SECRET_KEY": key, "BILLS_DIR": str(small_bills)})


def test_production_from_the_environment(small_bills, monkeypatch):
    from billdiff.web import ConfigError, create_app

    monkeypatch.setenv("BILLDIFF_ENV", "production")
    monkeypatch.delenv("BILLDIFF_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"BILLS_DIR": str(small_bills)})
    monkeypatch.setenv("BILLDIFF_SECRET_KEY", "s" * 40)
    with pytest.raises(ConfigError, match="BILLDIFF_SITE_URL"):
        create_app({"BILLS_DIR": str(small_bills)})
    monkeypatch.setenv("BILLDIFF_SITE_URL", "https://billdiff.example.org")
    prod = create_app({"BILLS_DIR": str(small_bills), "DEBUG": True})
    assert prod.debug is False
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["SESSION_COOKIE_HTTPONLY"] is True
    assert prod.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_config_layers(small_bills, monkeypatch, tmp_path):
    from billdiff.web import create_app

    monkeypatch.setenv("BILLDIFF_BILLS", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("BILLDIFF_MAX_CONTENT_LENGTH", "1000")
    # the test dict wins over the environment, which wins over the defaults
    a = create_app({"BILLS_DIR": str(small_bills)})
    assert a.config["BILLS_DIR"] == str(small_bills)
    assert a.config["MAX_CONTENT_LENGTH"] == 1000
    assert len(a.config["SECRET_KEY"]) >= 32  # development: random per process


def test_forced_exception_gives_500_without_traceback(small_bills):
    from billdiff.web import create_app

    boom_app = create_app({"BILLS_DIR": str(small_bills)})

    @boom_app.get("/_boom")
    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    @boom_app.get("/api/_boom")
    def api_boom():
        raise RuntimeError("secret internals")

    c = boom_app.test_client()
    r = c.get("/_boom")
    assert r.status_code == 500
    body = r.get_data(as_text=True)
    for leak in ("Traceback", "Werkzeug", "secret internals", "RuntimeError", "__debugger__"):
        assert leak not in body
    assert "Reference:" in body
    j = c.get("/api/_boom")
    assert j.status_code == 500
    assert set(j.get_json()) == {"error", "incident"}


def test_core_does_not_import_flask():
    code = ("import sys; import billdiff.compare, billdiff.align, billdiff.diff, billdiff.load, "
            "billdiff.model, billdiff.render; "
            "bad = [m for m in ('flask', 'werkzeug') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_security_floors_of_installed_libraries():
    """Versions with the fixes RELIABILITY.md relies on (G1)."""
    from importlib.metadata import version

    def parts(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split(".")[:3] if p.isdigit())

    floors = {"weasyprint": (70, 0), "jinja2": (3, 1, 6), "pyyaml": (6, 0, 1), "flask": (3, 1)}
    for name, floor in floors.items():
        assert parts(version(name)) >= floor, f"{name} {version(name)} is below {floor}"


# -- request bodies: any framing, never truncated (issue 11, item 2) -------------------------


def _echo_app(small_bills):
    """The app with a route that says how many body bytes its view received."""
    from flask import request

    from billdiff.web import create_app

    echo = create_app({"BILLS_DIR": str(small_bills), "CSRF_ENABLED": False})

    @echo.post("/_echo")
    def received():
        return str(len(request.get_data()))

    return echo


@pytest.fixture
def live_server(small_bills):
    """The echo app behind Werkzeug's own HTTP server (which de-chunks request bodies)."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _echo_app(small_bills))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _post_chunked(port: int, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
    import http.client

    def chunks():
        for start in range(0, len(body), 256 * 1024):
            yield body[start:start + 256 * 1024]

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=chunks(), encode_chunked=True,
                           headers={"Content-Type": content_type, "Host": "localhost"})
        response = connection.getresponse()
        return response.status, response.read()
    except (ConnectionResetError, BrokenPipeError):
        # the server may answer 413 and close before the client has sent everything
        return 413, b""
    finally:
        connection.close()


def test_chunked_body_over_the_limit_is_413_on_a_real_server(live_server):
    limit = 2 * 1024 * 1024
    # the reported case: a 3.98 MB draft, chunked, was cut to its first 2 MiB and compared
    draft = ("against=bill-2021&text=" + "word " * 796_000).encode()
    assert len(draft) > 3_900_000
    status, _ = _post_chunked(live_server, "/draft", draft, "application/x-www-form-urlencoded")
    assert status == 413
    status, _ = _post_chunked(live_server, "/_echo", b"x" * (limit + 1),
                              "application/octet-stream")
    assert status == 413
    # a chunked body within the limit reaches the view whole
    for size in (0, 1, limit - 7, limit):
        status, body = _post_chunked(live_server, "/_echo", b"y" * size,
                                     "application/octet-stream")
        assert (status, body) == (200, str(size).encode()), size


def test_chunked_body_limits_without_a_server(small_bills):
    import io

    c = _echo_app(small_bills).test_client()
    limit = 2 * 1024 * 1024
    chunked = {"Transfer-Encoding": "chunked"}
    terminated = {"wsgi.input_terminated": True}
    over = c.post("/_echo", input_stream=io.BytesIO(b"z" * (limit + 1)), headers=chunked,
                  environ_overrides=terminated)
    assert over.status_code == 413
    assert "2,097,152-byte limit" in over.get_data(as_text=True)
    under = c.post("/_echo", input_stream=io.BytesIO(b"z" * 1000), headers=chunked,
                   environ_overrides=terminated)
    assert (under.status_code, under.get_data(as_text=True)) == (200, "1000")
    # a server that cannot end a chunked body: refused, never read as an empty body
    unended = c.post("/_echo", input_stream=io.BytesIO(b"z" * 1000), headers=chunked)
    assert unended.status_code == 411
    assert "Content-Length" in unended.get_data(as_text=True)


# -- routing before CSRF, host names in any case (issue 11, item 13) -------------------------


def test_wrong_method_is_405_not_a_csrf_error(app):
    c = app.test_client()
    for url in ("/", "/compare", "/api/compare", "/topics/warrants"):
        r = c.post(url, data={"x": "1"})
        assert r.status_code == 405, url
        assert "GET" in r.headers["Allow"], url
    assert c.post("/no-such-page", data={"x": "1"}).status_code == 404
    assert c.post("/draft", data={"x": "1"}).status_code == 400  # a POST route: the token


def test_trusted_host_names_in_any_case(small_bills, monkeypatch):
    from billdiff.web import create_app

    monkeypatch.setenv("BILLDIFF_TRUSTED_HOSTS", "Bills.Example")
    c = create_app({"BILLS_DIR": str(small_bills)}).test_client()
    for host in ("LOCALHOST", "LocalHost:5000", "bills.example", "BILLS.EXAMPLE:443"):
        assert c.get("/", headers={"Host": host}).status_code == 200, host
    for host in ("EVIL.example", "localhost.evil.example", "bills.example.evil"):
        assert c.get("/", headers={"Host": host}).status_code == 400, host
