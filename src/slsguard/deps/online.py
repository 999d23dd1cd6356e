"""The network side of the advisory database, used only when asked for.

`OnlineClient.query_batch` answers through the OSV API (`scan --online`): POST
/v1/querybatch for the ids, GET /v1/vulns/<id> for each record (once per client). Fix and
severity are then computed locally, exactly as for the offline store.
`download_exports` fetches the OSV bulk exports (`<ecosystem>/all.zip`) for
`slsguard db update`; `update_database` downloads and swaps in a fresh database.

Standard library only (urllib). Retries are bounded; failures are `OnlineError` with a
one-line message.
"""

from __future__ import annotations

import http.client
import json
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from slsguard import __version__
from slsguard.deps.osv import Advisory, Match, OSVFormatError, PackageRef, describe, parse_advisory
from slsguard.deps.store import AdvisoryDB, Metadata, PackageLike
from slsguard.deps.versions import ECOSYSTEMS, canonical_ecosystem, normalize_name

DEFAULT_API: Final = "https://api.osv.dev"
DEFAULT_EXPORTS: Final = "https://osv-vulnerabilities.storage.googleapis.com"
# The API accepts at most 1000 queries per batch.
BATCH_LIMIT: Final = 1000
# A package with more pages of advisories than this is not a real package.
_MAX_PAGES: Final = 10
_MAX_RESPONSE: Final = 64 * 1024 * 1024
_MAX_EXPORT: Final = 4 * 1024 * 1024 * 1024
_RETRY_STATUS: Final = frozenset({429, 500, 502, 503, 504})
_MAX_RETRY_AFTER: Final = 10.0
_CHUNK: Final = 1024 * 1024


class OnlineError(Exception):
    """A network or API failure; the message is one line, fit for the terminal."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status, when the server answered


class _Http:
    """urllib with bounded retries on timeouts, connection errors, 429 and 5xx."""

    def __init__(self, timeout: float, retries: int, backoff: float) -> None:
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.user_agent = f"slsguard/{__version__}"

    @contextmanager
    def open(
        self, url: str, body: dict[str, Any] | None = None
    ) -> Iterator[http.client.HTTPResponse]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers)
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = urllib.request.urlopen(request, timeout=self.timeout)
            except urllib.error.HTTPError as exc:
                exc.close()
                if last or exc.code not in _RETRY_STATUS:
                    message = _http_message(request, exc, attempt + 1)
                    raise OnlineError(message, exc.code) from None
                self._sleep(attempt, exc.headers.get("Retry-After"))
            except (OSError, http.client.HTTPException) as exc:
                if last:
                    raise OnlineError(_network_message(request, exc, attempt + 1)) from None
                self._sleep(attempt, None)
            else:
                with response:
                    yield response
                return

    def json(self, url: str, body: dict[str, Any] | None = None) -> Any:
        try:
            with self.open(url, body) as response:
                raw = response.read(_MAX_RESPONSE + 1)
        except (OSError, http.client.HTTPException) as exc:  # failures while reading
            raise OnlineError(_network_message_url(url, exc)) from None
        if len(raw) > _MAX_RESPONSE:
            raise OnlineError(f"OSV API {_where(url)}: response larger than 64 MiB")
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise OnlineError(f"OSV API {_where(url)}: response is not JSON") from None

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * 2**attempt
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, min(float(retry_after), _MAX_RETRY_AFTER))
        time.sleep(delay)


class OnlineClient:
    """The OSV API. Each advisory record is fetched once per client (one client per run)."""

    def __init__(
        self,
        base_url: str = DEFAULT_API,
        timeout: float = 10,
        *,
        retries: int = 2,
        backoff: float = 0.5,
        batch_size: int = BATCH_LIMIT,
    ) -> None:
        self.base_url = _http_url(base_url)
        self._http = _Http(timeout, retries, backoff)
        self._batch_size = max(1, min(batch_size, BATCH_LIMIT))
        self._records: dict[str, Advisory | None] = {}

    def query_batch(self, packages: Iterable[PackageLike]) -> dict[PackageRef, list[Match]]:
        """Matches per package with a known version, keyed like `AdvisoryDB.query_many`."""
        refs = list(dict.fromkeys(_refs(packages)))
        found = self._vuln_ids(refs)
        results: dict[PackageRef, list[Match]] = {}
        for ref in refs:
            matches = [self._describe(vuln_id, ref) for vuln_id in sorted(found.get(ref, ()))]
            results[ref] = [m for m in matches if m is not None]
        return results

    def vuln(self, vuln_id: str) -> Advisory | None:
        """The record with this id (None if the API has none), fetched once per client."""
        if vuln_id not in self._records:
            self._records[vuln_id] = self._fetch(vuln_id)
        return self._records[vuln_id]

    def _describe(self, vuln_id: str, ref: PackageRef) -> Match | None:
        advisory = self.vuln(vuln_id)
        if advisory is None or advisory.withdrawn:
            return None
        return describe(advisory, ref.ecosystem, ref.name, ref.version)

    def _fetch(self, vuln_id: str) -> Advisory | None:
        url = f"{self.base_url}/v1/vulns/{urllib.parse.quote(vuln_id, safe='')}"
        try:
            return parse_advisory(self._http.json(url))
        except OnlineError as exc:
            # An id the batch just returned but the API no longer has: nothing to report.
            if exc.status == 404:
                return None
            raise
        except OSVFormatError:
            raise OnlineError(f"OSV API {_where(url)}: not an OSV record") from None

    def _vuln_ids(self, refs: Sequence[PackageRef]) -> dict[PackageRef, set[str]]:
        found: dict[PackageRef, set[str]] = {ref: set() for ref in refs}
        pending: list[tuple[PackageRef, str | None]] = [(ref, None) for ref in refs]
        for _ in range(_MAX_PAGES):
            if not pending:
                break
            next_pending: list[tuple[PackageRef, str | None]] = []
            for start in range(0, len(pending), self._batch_size):
                chunk = pending[start : start + self._batch_size]
                for (ref, _), (ids, token) in zip(chunk, self._batch(chunk), strict=True):
                    found[ref].update(ids)
                    if token:
                        next_pending.append((ref, token))
            pending = next_pending
        return found

    def _batch(self, chunk: Sequence[tuple[PackageRef, str | None]]) -> list[tuple[list[str], str]]:
        url = f"{self.base_url}/v1/querybatch"
        reply = self._http.json(url, {"queries": [_query(ref, token) for ref, token in chunk]})
        results = reply.get("results") if isinstance(reply, dict) else None
        if not isinstance(results, list) or len(results) != len(chunk):
            raise OnlineError(f"OSV API {_where(url)}: unexpected response shape")
        return [_ids_and_token(result) for result in results]


def _refs(packages: Iterable[PackageLike]) -> Iterator[PackageRef]:
    for package in packages:
        if canonical_ecosystem(package.ecosystem) and package.version:
            yield PackageRef(package.ecosystem, package.name, package.version)


def _query(ref: PackageRef, page_token: str | None) -> dict[str, Any]:
    ecosystem = canonical_ecosystem(ref.ecosystem) or ref.ecosystem
    query: dict[str, Any] = {
        "package": {"ecosystem": ecosystem, "name": normalize_name(ecosystem, ref.name)},
        "version": ref.version,
    }
    if page_token:
        query["page_token"] = page_token
    return query


def _ids_and_token(result: object) -> tuple[list[str], str]:
    if not isinstance(result, dict):
        return [], ""
    vulns = result.get("vulns")
    entries = vulns if isinstance(vulns, list) else []
    ids = [v["id"] for v in entries if isinstance(v, dict) and isinstance(v.get("id"), str)]
    token = result.get("next_page_token")
    return ids, token if isinstance(token, str) else ""


# --- bulk exports ----------------------------------------------------------------------------


def download_exports(
    dest_dir: Path | str,
    ecosystems: Sequence[str] = ECOSYSTEMS,
    base: str = DEFAULT_EXPORTS,
    *,
    timeout: float = 60,
    retries: int = 2,
) -> list[Path]:
    """Download `<base>/<ecosystem>/all.zip` for each ecosystem into `dest_dir` as
    `<ecosystem>-all.zip`; returns the paths. A partial download never replaces a file."""
    base = _http_url(base)
    http_ = _Http(timeout, retries, backoff=1.0)
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for ecosystem in ecosystems:
        url = f"{base}/{urllib.parse.quote(ecosystem, safe='')}/all.zip"
        target = dest / f"{ecosystem}-all.zip"
        _download(http_, url, target)
        paths.append(target)
    return paths


def _download(http_: _Http, url: str, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            _stream(http_, url, out)
        if not zipfile.is_zipfile(tmp):
            raise OnlineError(f"OSV export {_where(url)}: not a zip file")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _stream(http_: _Http, url: str, out: Any) -> None:
    written = 0
    try:
        with http_.open(url) as response:
            while chunk := response.read(_CHUNK):
                written += len(chunk)
                if written > _MAX_EXPORT:
                    raise OnlineError(f"OSV export {_where(url)}: larger than 4 GiB")
                out.write(chunk)
    except (OSError, http.client.HTTPException) as exc:
        raise OnlineError(_network_message_url(url, exc)) from None


def update_database(
    path: Path | str | None = None,
    ecosystems: Sequence[str] = ECOSYSTEMS,
    base: str = DEFAULT_EXPORTS,
    *,
    timeout: float = 60,
) -> Metadata:
    """`slsguard db update`: download the exports and swap in a database built from them."""
    with tempfile.TemporaryDirectory(prefix="slsguard-osv-") as tmp:
        zips = download_exports(tmp, ecosystems, base, timeout=timeout)
        with AdvisoryDB.build(path, zips) as db:
            return db.metadata()


# --- messages --------------------------------------------------------------------------------


def _http_url(base: str) -> str:
    # urllib would also open file:// and ftp:// URLs; only HTTP(S) endpoints are meant.
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        raise ValueError(f"not an http(s) URL: {base!r}")
    return base.rstrip("/")


def _where(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _http_message(request: urllib.request.Request, exc: urllib.error.HTTPError, tries: int) -> str:
    reason = " ".join(str(exc.reason).split())
    return f"OSV {_where(request.full_url)}: HTTP {exc.code} {reason} (after {tries} attempt(s))"


def _network_message(request: urllib.request.Request, exc: BaseException, tries: int) -> str:
    return f"{_network_message_url(request.full_url, exc)} (after {tries} attempt(s))"


def _network_message_url(url: str, exc: BaseException) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    text = " ".join(str(reason).split()) or type(reason).__name__
    return f"OSV {_where(url)} unreachable: {text}"
