"""docker-compose.yml read the way Compose reads it: .env values interpolated, anchors merged."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .services import ROOT

COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}")


def env_file(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def interpolate(text: str, values: dict[str, str]) -> str:
    """${VAR}, ${VAR:-default} and ${VAR:?error}, as Compose does; `$$` stays a literal `$`."""

    def replace(match: re.Match) -> str:
        name, kind, argument = match.groups()
        if values.get(name):
            return values[name]
        if kind == "?":
            raise KeyError(f"{name}: {argument}")
        return argument or ""

    return _VARIABLE.sub(replace, text).replace("$$", "$")


def compose_services(values: dict[str, str] | None = None) -> dict[str, dict]:
    text = interpolate(COMPOSE_FILE.read_text(), env_file() if values is None else values)
    return yaml.safe_load(text)["services"]


def fittrack_services(services: dict[str, dict]) -> dict[str, dict]:
    """The services built from this project (the others are stock images)."""
    return {name: spec for name, spec in services.items() if spec.get("build")}
