"""The core package knows nothing of the services, and its sub-packages import each other one way only.

Workers, producer, trainer and webapp import `fittrack`; the reverse would
make every service depend on every other (and on Celery and Streamlit) and
is what this guards. The umbrella command (`fittrack.cli`) reaches the
services only through the entry points they declare in pyproject.toml.

Inside the core, the sub-packages form layers (each `__init__.py` says
which): storage < pose < recognition < movement < history < accounts < jobs, with settings,
errors, labels and logs below them all. A module may import its own
sub-package and those below it; only `jobs` (and the umbrella `cli`)
reach across all of them.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import fittrack

SERVICE_MODULES = ("celery", "streamlit", "producer", "trainer", "webapp", "workers")
CORE = Path(fittrack.__file__).parent
CORE_MODULES = sorted(m.name for m in pkgutil.walk_packages(fittrack.__path__, "fittrack.")
                      if m.name != "fittrack.__main__")  # runs the command when imported
TOP = "top"  # settings, errors, labels, logs: the modules directly in fittrack/
MAY_IMPORT = {
    TOP: set(),
    "storage": {TOP},
    "pose": {TOP, "storage"},
    "recognition": {TOP, "storage", "pose"},
    "movement": {TOP, "storage", "pose", "recognition"},
    "history": {TOP, "storage", "pose", "recognition", "movement"},
    "accounts": {TOP, "storage", "history"},
    "jobs": {TOP, "storage", "pose", "recognition", "movement", "history", "accounts"},
}
UMBRELLA = {"cli.py", "__main__.py"}  # the command line joins everything, by design


def _services_loaded_by(imports: list[str]) -> dict[str, list[str]]:
    """For each of `imports`, imported in turn by one fresh interpreter: the service modules it brought in."""
    code = f"""import importlib, json, sys
loaded = {{}}
for name in {imports!r}:
    importlib.import_module(name)
    loaded[name] = sorted(m for m in sys.modules if m.split('.')[0] in {SERVICE_MODULES!r})
print(json.dumps(loaded))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def test_importing_fittrack_loads_no_service():
    assert _services_loaded_by(["fittrack"]) == {"fittrack": []}


def test_no_core_module_loads_a_service():
    loaded = _services_loaded_by(CORE_MODULES)
    assert {module: services for module, services in loaded.items() if services} == {}


def _imported_modules(source: str, package: str) -> list[str]:
    """Every module an import statement names, the lazy ones inside functions too, relative ones resolved."""
    named = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            named.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            named.extend([module] if node.module else [f"{module}.{alias.name}" for alias in node.names])
    return named


def _layer(module: str) -> str | None:
    """The sub-package of a fittrack module (`TOP` for the top-level ones), None outside fittrack."""
    parts = module.split(".")
    if parts[0] != "fittrack":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in MAY_IMPORT else TOP


def forbidden_imports(source: str, module: str) -> list[str]:
    """The fittrack modules that `source`, the text of `module`, may not import by MAY_IMPORT."""
    own = _layer(module)
    package = module if module.endswith(".__init__") else module.rsplit(".", 1)[0]
    found = []
    for name in _imported_modules(source, package.removesuffix(".__init__")):
        layer = _layer(name)
        if layer is not None and layer != own and layer not in MAY_IMPORT[own] and name != "fittrack":
            found.append(name)
    return found


def _core_sources() -> dict[str, str]:
    """Module name -> source of every core module but the umbrella command."""
    sources = {}
    for path in sorted(CORE.rglob("*.py")):
        relative = path.relative_to(CORE)
        if str(relative) in UMBRELLA:
            continue
        sources[".".join(("fittrack", *relative.with_suffix("").parts))] = path.read_text()
    return sources


def test_no_core_source_names_a_service_in_an_import():
    """Also the lazy imports inside functions, which importing a module does not run."""
    named = {}
    for module, source in _core_sources().items():
        named.update({f"{module}: {m}": True for m in _imported_modules(source, module)
                      if m.split(".")[0] in SERVICE_MODULES})
    assert named == {}


def test_every_core_module_lives_in_a_known_layer():
    layers = {_layer(module) for module in _core_sources()}
    assert layers == set(MAY_IMPORT), "a new sub-package needs its place in MAY_IMPORT and its __init__ docstring"


def test_sub_packages_import_one_way_only():
    crossing = {module: found for module, source in _core_sources().items()
                if (found := forbidden_imports(source, module))}
    assert crossing == {}


@pytest.mark.parametrize(("module", "source", "forbidden"), [
    ("fittrack.pose.video", "from fittrack.recognition.decision import decide\n", ["fittrack.recognition.decision"]),
    ("fittrack.storage.store", "def f():\n    import fittrack.pose.angles\n", ["fittrack.pose.angles"]),
    ("fittrack.recognition.features", "from ..movement import reps\n", ["fittrack.movement"]),
    ("fittrack.movement.reps", "from fittrack.jobs.analysis import run_analysis\n", ["fittrack.jobs.analysis"]),
    ("fittrack.labels", "from fittrack.storage.keys import rows_key\n", ["fittrack.storage.keys"]),
    ("fittrack.jobs.analysis", "from fittrack.movement.predict import predict_rows\n", []),
    ("fittrack.pose.table", "from fittrack.storage.files import write_atomically\nfrom .angles import X\n", []),
])
def test_the_direction_check_catches_a_forbidden_import(module, source, forbidden):
    """The check itself fails on a module that imports upward (a fixture source), and passes allowed ones."""
    assert forbidden_imports(source, module) == forbidden


def test_the_command_reaches_the_services_through_their_entry_points():
    """The probe can see a service import: building the command table loads the installed services."""
    code = ("import contextlib, sys\nfrom fittrack.cli import main\n"
            "with contextlib.suppress(SystemExit): main(['worker', '--help'])\nprint('workers' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.strip().endswith("True"), done.stderr
