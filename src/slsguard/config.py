"""Project configuration: [tool.slsguard] in pyproject.toml or .slsguard.yml, typed.

Command-line flags win over the file; the file wins over built-in defaults.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from slsguard.findings import Severity


class ConfigError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: Severity | None = None
    min_severity: Severity | None = None
    severity: dict[str, Severity] = field(default_factory=dict)  # rule id -> severity
    per_path_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)  # glob -> ids
    source: str = ""


_KEYS = {
    "select",
    "ignore",
    "exclude",
    "fail-on",
    "min-severity",
    "severity",
    "per-path-ignores",
}


def load_config(root: Path, explicit: Path | None = None) -> Config:
    if explicit is not None:
        return _from_file(explicit)
    for name in (".slsguard.yml", ".slsguard.yaml", "pyproject.toml"):
        candidate = root / name
        if candidate.is_file():
            config = _from_file(candidate)
            if config.source:
                return config
    return Config()


def _from_file(path: Path) -> Config:
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(path.read_text("utf-8")).get("tool", {}).get("slsguard")
            if data is None:
                return Config()
        else:
            data = yaml.safe_load(path.read_text("utf-8")) or {}
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: configuration must be a mapping")
    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s): {', '.join(sorted(unknown))}")
    try:
        return Config(
            select=_strings(data.get("select")),
            ignore=_strings(data.get("ignore")),
            exclude=_strings(data.get("exclude")),
            fail_on=Severity(data["fail-on"]) if "fail-on" in data else None,
            min_severity=Severity(data["min-severity"]) if "min-severity" in data else None,
            severity={str(k): Severity(v) for k, v in (data.get("severity") or {}).items()},
            per_path_ignores={
                str(k): _strings(v) for k, v in (data.get("per-path-ignores") or {}).items()
            },
            source=str(path),
        )
    except (ValueError, AttributeError) as exc:
        raise ConfigError(f"{path}: invalid setting: {exc}") from None


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)
