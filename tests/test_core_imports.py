"""The core package knows nothing of the services: importing it loads no Celery, Streamlit or service package.

Workers, producer, trainer and webapp import `fittrack`; the reverse would
make every service depend on every other (and on Celery and Streamlit) and
is what this guards. The umbrella command (`fittrack.cli`, and
`fittrack.__main__` which runs it) is the one module allowed to reach the
services, and does so lazily through importlib when a command is run.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import fittrack

SERVICE_MODULES = ("celery", "streamlit", "producer", "trainer", "webapp", "workers")
UMBRELLA = {"fittrack.cli", "fittrack.__main__"}
CORE_MODULES = sorted(f"fittrack.{m.name}" for m in pkgutil.iter_modules(fittrack.__path__)
                      if f"fittrack.{m.name}" not in UMBRELLA)


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


def test_the_umbrella_command_is_what_reaches_the_services():
    """The probe can see a service import: the CLI's command table loads the services once a command runs."""
    assert _services_loaded_by(["fittrack.cli"]) == {"fittrack.cli": []}
    code = ("import contextlib, sys\nfrom fittrack.cli import main\n"
            "with contextlib.suppress(SystemExit): main(['worker', '--help'])\nprint('workers' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.strip().endswith("True"), done.stderr
