"""The docs name every command and every setting, and the layers import as documented."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

from billdiff.cli import cli
from billdiff.settings import SETTINGS, markdown_table

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_names_every_command():
    for name in cli.commands:
        assert f"billdiff {name}" in README, f"README does not document `billdiff {name}`"


def test_every_environment_variable_is_a_documented_setting():
    used = set()
    for path in (ROOT / "billdiff").rglob("*.py"):
        used |= set(re.findall(r"BILLDIFF_[A-Z_]+[A-Z]", path.read_text(encoding="utf-8")))
    registered = {s.env for s in SETTINGS}
    assert used <= registered, f"not in settings.SETTINGS: {sorted(used - registered)}"
    for setting in SETTINGS:
        assert f"`{setting.env}`" in README, f"README does not document {setting.env}"


def test_readme_settings_table_is_the_registry():
    """Names, variables, defaults and descriptions: the README's table is the registry's
    (``billdiff.settings.markdown_table()`` prints it, to paste)."""
    section = README.split("\n## Settings\n", 1)[1]
    start = section.index("| setting |")
    table = section[start:].split("\n\n", 1)[0].strip()
    assert table == markdown_table(), (
        "the README's settings table differs from the registry; paste the output of "
        "`python -c 'from billdiff.settings import markdown_table; print(markdown_table())'`")


def test_quick_start_has_exactly_the_two_commands():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = quick.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make serve", "make test"]


def test_every_command_has_help():
    for name, command in cli.commands.items():
        assert command.help, f"`billdiff {name}` has no help text"


def test_ruff_is_clean():
    """The lint rules in pyproject.toml hold for the whole tree (ruff ships with the tests)."""
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "billdiff", "tests",
                           "benchmarks"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean():
    """mypy strict (configured in pyproject.toml, installed by the test extras with the PyYAML
    stubs) holds for the whole package."""
    proc = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
