"""The settings registry is the source of every value: typed defaults, one parser each, one
policy for a bad value (one line naming the variable and the fix, never a silent default), and
the web app's configuration derived from it.  Production refuses settings that cannot work."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BILLS, ROOT

from billdiff import settings
from billdiff.cli import cli
from billdiff.settings import SETTINGS, SettingError, Settings

pytest_plugins = ("web_helpers",)

STRONG = "k" * 40
SITE = "https://bills.example.org"


def test_the_registry_and_the_settings_object_name_the_same_settings():
    assert [f.name for f in dataclasses.fields(Settings)] == [s.name for s in SETTINGS]
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)
    assert all(s.env.startswith("BILLDIFF_") for s in SETTINGS)


def test_defaults_are_typed_and_match_what_the_library_used():
    value = Settings.from_environ({})
    assert value.max_file_bytes == 5_000_000
    assert isinstance(value.max_file_bytes, int)
    assert value.max_text_words == 400_000
    assert value.max_content_length == 2 * 1024 * 1024
    assert value.env == "development"
    assert not value.production
    assert value.trusted_hosts == ("localhost", "127.0.0.1")
    assert value.bills == settings.DEFAULT_BILLS_DIR
    assert value.assets == settings.ASSETS_DIR
    assert (value.assets / "example-logo.png").is_file()
    assert value.pdf_render_timeout == 10.0
    assert value.debug is False
    assert value.site_url is None
    assert value.secret_key is None


def test_the_settings_are_frozen_and_read_once_per_environment(monkeypatch):
    monkeypatch.delenv("BILLDIFF_MAX_TEXT_WORDS", raising=False)
    first = settings.current()
    assert settings.current() is first  # not read again
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.max_text_words = 3  # type: ignore[misc]
    monkeypatch.setenv("BILLDIFF_MAX_TEXT_WORDS", "7")
    assert settings.current().max_text_words == 7
    assert settings.max_text_words() == 7


@pytest.mark.parametrize(("env", "raw", "value"), [
    ("BILLDIFF_MAX_FILE_BYTES", " 1_000 ", 1000),
    ("BILLDIFF_PROXY_HOPS", "0", 0),
    ("BILLDIFF_ENV", "Production", "production"),
    ("BILLDIFF_TRUSTED_HOSTS", "Bills.Example, .example.net",
     ("localhost", "127.0.0.1", "bills.example", ".example.net")),
    ("BILLDIFF_SITE_URL", "https://bills.example.org/site/", "https://bills.example.org/site"),
    ("BILLDIFF_PDF_RENDER_TIMEOUT", "2.5", 2.5),
    ("BILLDIFF_CORPUS_CHECK_SECONDS", "0", 0.0),
    ("BILLDIFF_DEBUG", "yes", True),
    ("BILLDIFF_BILLS", "~/corpus", Path("~/corpus").expanduser()),
    ("BILLDIFF_MAX_TEXT_WORDS", "", 400_000),  # empty: unset
])
def test_good_values_are_parsed_to_their_type(env, raw, value):
    name = settings.BY_ENV[env].name
    assert getattr(Settings.from_environ({env: raw}), name) == value


@pytest.mark.parametrize(("env", "raw"), [
    ("BILLDIFF_MAX_FILE_BYTES", "abc"),  # used to become the default without a word
    ("BILLDIFF_MAX_FILE_BYTES", "0"),
    ("BILLDIFF_MAX_TEXT_WORDS", "-5"),  # so did this
    ("BILLDIFF_MAX_TEXT_WORDS", "1e6"),
    ("BILLDIFF_MAX_CONTENT_LENGTH", "-1"),
    ("BILLDIFF_MAX_CONTENT_LENGTH", "0"),
    ("BILLDIFF_PROXY_HOPS", "abc"),
    ("BILLDIFF_PDF_RENDERS_PER_MINUTE", "-1"),
    ("BILLDIFF_PDF_RENDER_TIMEOUT", "0"),
    ("BILLDIFF_PDF_RENDER_TIMEOUT", "nan"),
    ("BILLDIFF_CORPUS_CHECK_SECONDS", "soon"),
    ("BILLDIFF_ENV", "prod"),  # used to mean development, silently
    ("BILLDIFF_ENV", "staging"),
    ("BILLDIFF_SITE_URL", "bills.example.org"),
    ("BILLDIFF_SITE_URL", "ftp://bills.example.org"),
    ("BILLDIFF_SITE_URL", "https://bills.example.org/?utm=x"),
    ("BILLDIFF_SITE_URL", "https://bills.example.org:99999"),
    ("BILLDIFF_TRUSTED_HOSTS", "https://bills.example.org"),
    ("BILLDIFF_DEBUG", "maybe"),
    ("BILLDIFF_THREADS", "0"),
])
def test_a_bad_value_is_one_line_naming_the_variable_and_the_fix(env, raw):
    with pytest.raises(SettingError) as caught:
        Settings.from_environ({env: raw})
    message = caught.value.message
    assert message.startswith(f"{env}=")
    assert "\n" not in message
    assert "unset it for the default" in message


def test_a_secret_is_never_printed(monkeypatch):
    setting = dataclasses.replace(settings.BY_NAME["secret_key"], parse=_refuse)
    with pytest.raises(SettingError) as caught:
        setting.read({"BILLDIFF_SECRET_KEY": "hunter2-hunter2"})
    assert "hunter2" not in caught.value.message
    assert caught.value.message.startswith("BILLDIFF_SECRET_KEY:")


def _refuse(raw: str) -> str:
    raise ValueError("refused")


def test_every_command_refuses_a_bad_setting_with_exit_code_2():
    env = {k: v for k, v in os.environ.items() if k != "BILLDIFF_DEBUG"}
    env["BILLDIFF_MAX_FILE_BYTES"] = "abc"
    proc = subprocess.run([sys.executable, "-m", "billdiff", "list"], capture_output=True,
                          text=True, env=env, timeout=60, cwd=ROOT)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "BILLDIFF_MAX_FILE_BYTES='abc': not a whole number" in lines[0]
    assert "Traceback" not in proc.stderr


def test_a_bad_debug_value_does_not_hide_the_error_it_is_about():
    result = CliRunner().invoke(cli, ["list"], env={"BILLDIFF_DEBUG": "maybe"})
    assert result.exit_code == 2
    assert "BILLDIFF_DEBUG='maybe'" in result.output


# -- the web app's configuration is derived from the registry ----------------------------------


def test_the_web_config_tables_are_derived_from_the_registry():
    from billdiff.web import DEFAULTS, ENV_VARS, FIXED

    configured = {s.config: s for s in SETTINGS if s.config}
    assert set(DEFAULTS) == set(configured) | set(FIXED)
    for key, setting in configured.items():
        assert DEFAULTS[key] == setting.default
        assert ENV_VARS[setting.env] == (key, setting.parse)
    # the web app's own keys are registry settings too
    for key in ("FACTSHEET_RENDER_TIMEOUT", "FACTSHEET_RENDER_MEMORY", "FACTSHEET_CACHE_SIZE",
                "FACTSHEET_RENDERS_PER_MINUTE", "PAGE_CACHE_BYTES", "CORPUS_CHECK_SECONDS"):
        assert key in configured


def test_the_app_reads_its_keys_from_the_environment_through_the_registry(monkeypatch,
                                                                          small_bills):
    from billdiff.web import create_app

    monkeypatch.setenv("BILLDIFF_PDF_RENDER_TIMEOUT", "3.5")
    monkeypatch.setenv("BILLDIFF_PDF_CACHE_SIZE", "7")
    monkeypatch.setenv("BILLDIFF_PAGE_CACHE_BYTES", "0")
    app = create_app({"TESTING": True, "BILLS_DIR": str(small_bills)})
    assert app.config["FACTSHEET_RENDER_TIMEOUT"] == 3.5
    assert app.config["FACTSHEET_CACHE_SIZE"] == 7
    assert app.config["PAGE_CACHE_BYTES"] == 0
    assert app.config["MAX_FORM_MEMORY_SIZE"] == app.config["MAX_CONTENT_LENGTH"]


# -- production refuses what cannot work (issue 11, item 9) -------------------------------------


def _production(small_bills: Path, **extra: object) -> dict[str, object]:
    return {"ENV": "production", "SECRET_KEY": STRONG, "SITE_URL": SITE,
            "BILLS_DIR": str(small_bills), **extra}


def test_production_starts_with_settings_that_work(small_bills):
    from billdiff.web import create_app

    app = create_app(_production(small_bills))
    assert app.debug is False
    # the public host is trusted, or every request from the public would be refused
    assert "bills.example.org" in app.config["TRUSTED_HOSTS"]
    assert app.test_client().get("/", headers={"Host": "bills.example.org"}).status_code == 200


@pytest.mark.parametrize(("extra", "expected"), [
    ({"SITE_URL": "https://localhost"}, "points at the computer that opens it"),
    ({"SITE_URL": "https://127.0.0.1:8443"}, "points at the computer that opens it"),
    ({"SITE_URL": "https://[::1]"}, "every fact sheet would refuse"),
    ({"SITE_URL": "https://app.localhost"}, "points at the computer that opens it"),
    ({"SITE_URL": "http://bills.example.org"}, "https://"),
    ({"SITE_URL": "https://bills.example.org/a b"}, "every fact sheet would refuse"),
    ({"SITE_URL": None}, "BILLDIFF_SITE_URL"),
    ({"FACTSHEET_ORG": "/nonexistent/org.yaml"}, "BILLDIFF_FACTSHEET_ORG"),
    ({"ENV": "prod"}, "unknown environment"),
    ({"MAX_CONTENT_LENGTH": -1}, "BILLDIFF_MAX_CONTENT_LENGTH"),
    ({"MAX_CONTENT_LENGTH": 0}, "BILLDIFF_MAX_CONTENT_LENGTH"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY"),
])
def test_production_refuses_settings_that_cannot_work(small_bills, extra, expected):
    from billdiff.web import ConfigError, create_app

    with pytest.raises(ConfigError) as caught:
        create_app(_production(small_bills, **extra))
    assert expected in caught.value.message
    assert "\n" not in caught.value.message


def test_an_organisation_file_that_cannot_be_used_stops_any_environment(small_bills,
                                                                        tmp_path):
    from billdiff.web import ConfigError, create_app

    bad = tmp_path / "org.yaml"
    bad.write_text("name: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="BILLDIFF_FACTSHEET_ORG"):
        create_app({"TESTING": True, "BILLS_DIR": str(small_bills), "FACTSHEET_ORG": str(bad)})


def test_the_production_server_refuses_bad_settings_in_one_line(tmp_path):
    """A real `billdiff serve --production`: exit code 2, one line, no traceback, no server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILLDIFF_")}
    env.update(BILLDIFF_CACHE_DIR="off", BILLDIFF_SECRET_KEY=STRONG,
               BILLDIFF_SITE_URL="https://localhost", BILLDIFF_BILLS=str(BILLS))
    proc = subprocess.run([sys.executable, "-m", "billdiff", "serve", "--production",
                           "--port", "1"], capture_output=True, text=True, env=env,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "BILLDIFF_SITE_URL='https://localhost'" in lines[0], proc.stderr


# -- a corpus with errors is never served (docs/decisions.md) ----------------------------------


def _break(root: Path) -> None:
    (root / "documents" / "bill-2023.yaml").write_text("id: [\n", encoding="utf-8")


def test_production_refuses_to_start_on_a_corpus_with_errors(small_bills):
    from billdiff.web import ConfigError, create_app

    _break(small_bills)
    with pytest.raises(ConfigError, match="the corpus cannot be served: .*bill-2023.yaml"):
        create_app(_production(small_bills))


def test_development_shows_the_status_page_on_a_corpus_with_errors(small_bills):
    from billdiff.web import create_app

    _break(small_bills)
    client = create_app({"TESTING": True, "BILLS_DIR": str(small_bills)}).test_client()
    for url in ("/", "/compare", "/api/documents", "/documents/bill-2021"):
        page = client.get(url)
        assert page.status_code == 503, url
        assert "bill-2023.yaml" in page.get_data(as_text=True)
        assert page.headers["Retry-After"]
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["corpus"] == {"loaded": False, "stale": False, "problems": 2}
    with client.get("/static/app.css") as css:
        assert css.status_code == 200
