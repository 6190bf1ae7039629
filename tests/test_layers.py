"""The architecture holds: every import points down the layers (STYLE.md, "Architecture").

One test reads every module's imports from its source (those inside functions too, which the
command line uses to start quickly) and checks each against the layer map below, so an upward
import fails here, not in a review.  The map is the documentation of the layering: a new module
gets a line in it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "billdiff"

#: Layer of each module, bottom (0) to top.  A module imports only from lower layers, or from
#: its own layer inside its own package (``importers.ma_bill`` builds on ``importers.plain``).
LAYERS: dict[str, int] = {
    # no project imports, or only each other's
    "billdiff": 0, "billdiff.wording": 0, "billdiff.normalize": 0,
    "billdiff.ids": 0, "billdiff.urls": 0,
    # errors a person can act on; the schema
    "billdiff.errors": 1, "billdiff.model": 1,
    # the settings registry (its errors are BilldiffErrors); the capped file reader and
    # writer, the engines
    "billdiff.settings": 2, "billdiff.files": 2, "billdiff.match": 2, "billdiff.diff": 3,
    # reading corpus files (through their cache) and official texts
    "billdiff.cache": 3, "billdiff.load": 4,
    "billdiff.importers": 5, "billdiff.align": 5,
    # a copy of the bundled dossier to edit (billdiff init)
    "billdiff.scaffold": 5,
    # pairing and diffing documents; fetching official texts
    "billdiff.compare": 6, "billdiff.fetch": 6,
    # what a comparison means; applying amending instructions
    "billdiff.analysis": 7, "billdiff.amend": 7,
    # outputs: formatting only
    "billdiff.jsonout": 8, "billdiff.textout": 8, "billdiff.render": 8, "billdiff.pdf": 8,
    "billdiff.draft": 8,
    "billdiff.factsheet": 9,
    # the doors
    "billdiff.web.state": 10, "billdiff.web.security": 10, "billdiff.web.limits": 10,
    "billdiff.web.errors": 10, "billdiff.web.live": 10,
    "billdiff.web.paths": 10,
    # stored pages keep the headers every response gets (web.security)
    "billdiff.web.caching": 11,
    "billdiff.web.pages": 11, "billdiff.web.api": 11, "billdiff.web.draft": 11,
    "billdiff.web.factsheet": 11, "billdiff.web.health": 11,
    "billdiff.web": 12,
    # what serves the app and what publishes it as files
    "billdiff.web.build": 13, "billdiff.gunicorn_conf": 13, "billdiff.web.serve": 14,
    "billdiff.cli": 15, "billdiff.__main__": 16,
}


def _module_name(path: Path) -> str:
    parts = ["billdiff", *path.relative_to(PACKAGE).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> tuple[str, int]:
    """The map entry of *module*: itself, or the package it belongs to."""
    name = module
    while name not in LAYERS:
        if "." not in name:
            raise KeyError(module)
        name = name.rsplit(".", 1)[0]
    return name, LAYERS[name]


def _imports(path: Path, module: str) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[str, int]] = []
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.startswith("billdiff")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if not target.startswith("billdiff"):
                continue
            if target in ("billdiff", "billdiff.web", "billdiff.importers", "billdiff.amend"):
                # `from billdiff import analysis` names a module, not the package
                out += [(f"{target}.{a.name}" if f"{target}.{a.name}" in _ALL else target,
                         node.lineno) for a in node.names]
            else:
                out.append((target, node.lineno))
    return out


_FILES = sorted(PACKAGE.rglob("*.py"))
_ALL = {_module_name(p) for p in _FILES}


def test_every_module_is_on_the_map():
    unknown = []
    for path in _FILES:
        try:
            _layer(_module_name(path))
        except KeyError:
            unknown.append(_module_name(path))
    assert not unknown, f"add these modules to LAYERS: {unknown}"


@pytest.mark.parametrize("path", _FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path):
    module = _module_name(path)
    home, level = _layer(module)
    wrong = []
    for target, line in _imports(path, module):
        if target == module:
            continue
        target_home, target_level = _layer(target)
        if target_level < level or (target_home == home and home != "billdiff"):
            continue  # down a layer, or within one package of the map
        wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module} (layer {level}) "
                     f"imports {target} (layer {target_level})")
    assert not wrong, "\n".join(wrong)


def test_the_core_never_imports_the_web_framework_or_weasyprint_at_import_time():
    import subprocess
    import sys

    code = ("import sys; import billdiff.analysis, billdiff.compare, billdiff.jsonout, "
            "billdiff.textout, billdiff.render, billdiff.factsheet, billdiff.importers; "
            "print(sorted(m for m in ('flask', 'werkzeug', 'weasyprint') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout.strip()
    assert out == "[]"
