"""The core package knows nothing of the services: importing it loads no Celery, Streamlit or service package.

Workers, producer, trainer and webapp import `fittrack`; the reverse would
make every service depend on every other (and on Celery and Streamlit) and
is what this guards. The umbrella command (`fittrack.cli`) reaches the
services only through the entry points they declare in pyproject.toml.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import fittrack

SERVICE_MODULES = ("celery", "streamlit", "producer", "trainer", "webapp", "workers")
CORE_MODULES = sorted(f"fittrack.{m.name}" for m in pkgutil.iter_modules(fittrack.__path__)
                      if m.name != "__main__")  # runs the command when imported


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


def test_no_core_source_names_a_service_in_an_import():
    """Also the lazy imports inside functions, which importing a module does not run."""
    named = {}
    for path in Path(fittrack.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                       [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            named.update({f"{path.name}: {m}": True for m in modules if m.split(".")[0] in SERVICE_MODULES})
    assert named == {}


def test_the_command_reaches_the_services_through_their_entry_points():
    """The probe can see a service import: building the command table loads the installed services."""
    code = ("import contextlib, sys\nfrom fittrack.cli import main\n"
            "with contextlib.suppress(SystemExit): main(['worker', '--help'])\nprint('workers' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.strip().endswith("True"), done.stderr
