"""The rooms of the house: each package imports only from its own layer or the layers below.

docs/architecture.md draws the same order. A module that needs something from a layer above it
is in the wrong room (or the thing it needs is).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. `data` is the demo generator, which needs nothing of the app.
LAYERS = [
    ("analytics", "data"),
    ("radar.store",),
    ("radar.ingest",),
    ("radar.views",),
    ("radar.handouts",),
    ("radar.ui",),
    ("radar.cli", "radar.serve"),
    ("pages", "app"),
]
# Streamlit belongs to the UI: its widgets, its cache, its server.
STREAMLIT_ALLOWED = ("radar.ui", "radar.serve", "pages", "app")


def layer_of(module: str) -> int | None:
    for level, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return level
    return None


def modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"}
    for folder in ("analytics", "data", "radar", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # «from radar import ui» imports the subpackage radar.ui
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_every_module_has_a_layer():
    assert [m for m in modules() if layer_of(m) is None and m != "radar"] == []


def test_no_module_imports_upward():
    upward = []
    for module, path in modules().items():
        own = layer_of(module)
        if own is None:
            continue
        for imported in imports_of(path):
            level = layer_of(imported)
            if level is not None and level > own:
                upward.append(f"{module} → {imported}")
    assert upward == []


def test_only_the_ui_imports_streamlit():
    offenders = [
        module
        for module, path in modules().items()
        if any(i == "streamlit" or i.startswith("streamlit.") for i in imports_of(path))
        and not any(module == p or module.startswith(p + ".") for p in STREAMLIT_ALLOWED)
    ]
    assert offenders == []


def test_the_pages_shared_modules_do_not_load_the_numeric_libraries():
    """A page's first visit after a start imports what its modules import: scikit-learn and
    scipy take seconds and only the refresh and a few live calculations need them, so
    the modules every page shares import them where they are used, not at the top."""
    import subprocess
    import sys

    shared = (
        "radar.ui.layout, radar.ui.live, radar.ui.notices, radar.handouts.reports, "
        "radar.handouts.page_exports, radar.views.profile, radar.views.charts"
    )
    code = (
        f"import sys, {shared}; "
        "print(' '.join(m for m in ('sklearn', 'scipy', 'statsmodels') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
