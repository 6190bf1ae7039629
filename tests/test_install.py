"""billdiff as a user installs it: the wheel, installed into a fresh virtual environment
outside the checkout, gives a complete billdiff (every command, the app's pages, the static
build) with everything found from the package.  And the Dockerfile names only what exists.

The fresh environment has no internet: the wheel is installed with ``--no-deps``, and its
dependencies come from this test run's own environment through a ``.pth`` file (which adds
that environment's site-packages as a plain path, so its editable billdiff is *not* active:
the test checks that ``billdiff`` is imported from the fresh environment).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from test_build import GOLDEN_CORPUS, env_without_settings, free_port, wait_for

PACKAGE_DATA = ("templates", "static", "dossier", "assets")
A, B = "mgl-c6-s220-2020", "ma-194-s1053"
HOST = "bills.example.org"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from this checkout (as ``pip wheel .`` builds it)."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                           "-w", str(out), str(ROOT)], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = sorted(out.glob("billdiff-*.whl"))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment, outside the checkout, with the wheel installed."""
    home = tmp_path_factory.mktemp("user")
    venv = home / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    new_site = Path(subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; "
         "print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True,
        check=True, timeout=60).stdout.strip())
    # this environment's packages (Flask, WeasyPrint, gunicorn...), as a plain path
    (new_site / "billdiff-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n",
                                                    encoding="utf-8")
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                           "--no-deps", "--no-index", str(wheel)], capture_output=True,
                          text=True, timeout=300, cwd=home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return venv


def run(venv: Path, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``billdiff ARGS`` from the fresh environment, in *cwd*, with no BILLDIFF_ setting."""
    return subprocess.run([str(venv / "bin" / "billdiff"), *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300,
                          env=env_without_settings(BILLDIFF_CACHE_DIR="off", **env))


def test_the_wheel_holds_every_template_static_file_asset_and_dossier_file(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    package = ROOT / "billdiff"
    for folder in PACKAGE_DATA:
        files = {p.relative_to(ROOT).as_posix() for p in (package / folder).rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts}
        assert files, folder
        assert files <= names, f"missing from the wheel: {sorted(files - names)[:5]}"
    modules = {p.relative_to(ROOT).as_posix() for p in package.rglob("*.py")}
    assert modules <= names, f"modules missing from the wheel: {sorted(modules - names)}"
    assert "billdiff/gunicorn_conf.py" in names


@pytest.mark.slow
def test_every_command_works_from_the_installed_wheel(installed, tmp_path):
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import billdiff.settings as s; print(s.PACKAGE_DIR)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True,
                           timeout=60).stdout.strip()
    assert Path(where).is_relative_to(installed), where  # not the checkout

    listed = run(installed, "list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert B in listed.stdout
    assert A in listed.stdout

    compared = run(installed, "compare", A, B, "--format", "json", cwd=tmp_path)
    assert compared.returncode in (0, 1), compared.stderr  # 0: the same, 1: they differ
    assert json.loads(compared.stdout)["b"]["id"] == B

    sheet = run(installed, "factsheet", A, B, "--out", "sheet.pdf", cwd=tmp_path)
    assert sheet.returncode == 0, sheet.stderr
    from pypdf import PdfReader

    assert len(PdfReader(tmp_path / "sheet.pdf").pages) == 1

    made = run(installed, "init", "mine", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert run(installed, "--bills", "mine", "validate", cwd=tmp_path).returncode == 0

    shutil.copytree(GOLDEN_CORPUS, tmp_path / "small")
    built = run(installed, "--bills", "small", "build", "site", "--base-url",
                "https://example.org/billdiff/", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "site" / "compare" / A / B / "index.html").read_text(encoding="utf-8")
    assert 'href="/billdiff/static/app.css"' in page
    assert len(PdfReader(next((tmp_path / "site").rglob("*.pdf"))).pages) == 1


@pytest.mark.slow
def test_the_app_serves_every_kind_of_page_from_the_installed_wheel(installed, tmp_path):
    port = free_port()
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [str(installed / "bin" / "billdiff"), "serve", "--production", "--workers", "1",
             "--port", str(port)], cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
            env=env_without_settings(BILLDIFF_CACHE_DIR="off", BILLDIFF_SECRET_KEY="s" * 40,
                                     BILLDIFF_SITE_URL=f"https://{HOST}"))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", 60)
        for path in ("/", f"/documents/{B}", f"/compare?a={A}&b={B}", "/topics/definitions",
                     "/guide", "/draft", f"/factsheet?a={A}&b={B}",
                     f"/factsheet.pdf?a={A}&b={B}", "/api/documents", f"/api/compare?a={A}&b={B}",
                     "/api/openapi.json", "/static/app.css", "/healthz", "/status"):
            request = urllib.request.Request(base + path, headers={"Host": HOST})
            with urllib.request.urlopen(request, timeout=60) as response:
                assert response.status == 200, path
                response.read()
    finally:
        server.terminate()
        server.wait(timeout=40)
    assert "Traceback" not in log.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_example_organisation_logo_is_found_from_the_installed_wheel(installed, tmp_path):
    org = tmp_path / "org.yaml"
    shutil.copy(ROOT / "examples" / "org.yaml", org)
    sheet = run(installed, "factsheet", A, B, "--org", str(org), "--out", "sheet.pdf",
                cwd=tmp_path)
    assert sheet.returncode == 0, sheet.stderr


# -- the Dockerfile ------------------------------------------------------------------------------

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_the_dockerfile_names_only_files_and_commands_that_exist():
    from click.testing import CliRunner

    from billdiff.cli import cli
    from billdiff.pdf import WEASYPRINT_LIBRARIES

    steps = _instructions()
    assert steps[0][0] == "FROM"
    assert "bookworm" in steps[0][1]
    copied = [rest.split()[:-1] for word, rest in steps if word == "COPY"]
    for sources in copied:
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such file"
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8")
    for sources in copied:
        for source in sources:
            assert f"!{source.rstrip('/')}" in ignore.replace("/\n", "\n"), \
                f"{source} is excluded by .dockerignore"
    # the system libraries WeasyPrint loads, by Debian package
    packages = {"gobject-2.0": "libglib2.0-0", "pango-1.0": "libpango-1.0-0",
                "harfbuzz": "libharfbuzz0b", "fontconfig": "libfontconfig1",
                "pangoft2-1.0": "libpangoft2-1.0-0"}
    for library in WEASYPRINT_LIBRARIES:
        assert packages[library] in DOCKERFILE, library
    assert "fonts-liberation" in DOCKERFILE
    # the command it runs is a real command with real options
    cmd = json.loads(next(rest for word, rest in steps if word == "CMD"))
    assert cmd[:2] == ["billdiff", "serve"]
    help_text = CliRunner().invoke(cli, ["serve", "--help"]).output
    for option in (c for c in cmd if c.startswith("--")):
        assert option in help_text, option
    health = next(rest for word, rest in steps if word == "HEALTHCHECK")
    assert "/healthz" in health
    assert any(word == "USER" and rest != "root" for word, rest in steps)


@pytest.mark.slow
def test_the_docker_image_builds_where_docker_runs(tmp_path):
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker client on this machine")
    info = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        pytest.skip("no Docker engine answers here (`docker info` fails): the image is "
                    "untested on this machine, as the README says")
    proc = subprocess.run([docker, "build", "-t", "billdiff-test", str(ROOT)],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
