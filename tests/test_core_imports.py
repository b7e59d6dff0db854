"""The core package knows nothing of the services: importing it loads no Celery, Streamlit or service package.

Workers, producer, trainer and webapp import `fittrack`; the reverse would
make every service depend on every other (and on Celery and Streamlit) and
is what this guards. The umbrella command (`fittrack.cli`, and
`fittrack.__main__` which runs it) is the one module allowed to reach the
services, and does so lazily through importlib when a command is run.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import fittrack

SERVICE_MODULES = ("celery", "streamlit", "producer", "trainer", "webapp", "workers")
UMBRELLA = {"fittrack.cli", "fittrack.__main__"}
CORE_MODULES = sorted(f"fittrack.{m.name}" for m in pkgutil.iter_modules(fittrack.__path__)
                      if f"fittrack.{m.name}" not in UMBRELLA)


def _services_loaded_by(imports: list[str]) -> list[str]:
    """The service modules in sys.modules after a fresh interpreter imports `imports`."""
    code = ("import sys\n" + "".join(f"import {name}\n" for name in imports)
            + f"print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {SERVICE_MODULES!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.split()


def test_importing_fittrack_loads_no_service():
    assert _services_loaded_by(["fittrack"]) == []


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_loads_no_service(module: str):
    assert _services_loaded_by([module]) == [], f"{module} imports a service or celery/streamlit"


def test_the_umbrella_command_is_what_reaches_the_services():
    """The check above can fail: the CLI's command table does load the services once a command runs."""
    code = "from fittrack.cli import main; import contextlib\nwith contextlib.suppress(SystemExit): main(['worker', '--help'])"
    assert "celery" not in _services_loaded_by(["fittrack.cli"])
    done = subprocess.run([sys.executable, "-c", code + "\nimport sys; print('workers' in sys.modules)"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.strip().endswith("True"), done.stderr
