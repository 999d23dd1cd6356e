"""The OSV API client and the export download, against a loopback server that speaks the
/v1/querybatch and /v1/vulns/<id> shapes; and proof that an offline query opens no socket."""

from __future__ import annotations

import io
import json
import socket
import threading
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from slsguard.deps import osv
from slsguard.deps.online import OnlineClient, OnlineError, download_exports, update_database
from slsguard.deps.osv import PackageRef
from slsguard.deps.store import AdvisoryDB

RECORDS = Path(__file__).parent / "fixtures" / "osv" / "records"

PACKAGES = [
    PackageRef("PyPI", "requests", "2.30.0"),
    PackageRef("PyPI", "requests", "2.31.0"),
    PackageRef("PyPI", "urllib3", "1.26.16"),
    PackageRef("PyPI", "urllib3", "2.0.0a1"),
    PackageRef("PyPI", "urllib3", "2.0.5"),
    PackageRef("PyPI", "PyYAML", "5.3.1"),
    PackageRef("PyPI", "pyyaml", "5.4"),
    PackageRef("PyPI", "py", "1.11.0"),
    PackageRef("PyPI", "loguru", "0.5.3"),
    PackageRef("npm", "lodash", "4.17.20"),
    PackageRef("npm", "lodash-es", "4.17.15"),
    PackageRef("npm", "minimist", "0.2.3"),
    PackageRef("npm", "minimist", "1.2.6"),
]


@dataclass
class FakeOSV:
    """What the loopback server serves and what it saw."""

    records: dict[str, dict[str, Any]]
    page_size: int = 100
    fail_first: int = 0  # answer 503 to this many requests first
    fail_status: int = 503
    base_url: str = ""
    requests: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def affected_ids(self, query: dict[str, Any]) -> list[str]:
        package = query["package"]
        found = []
        for vuln_id, data in sorted(self.records.items()):
            advisory = osv.parse_advisory(data)
            if osv.affected(advisory, package["ecosystem"], package["name"], query["version"]):
                found.append(vuln_id)
        return found

    def batch(self, body: dict[str, Any]) -> dict[str, Any]:
        results = []
        for query in body["queries"]:
            found = self.affected_ids(query)
            start = int(query.get("page_token") or 0)
            page = found[start : start + self.page_size]
            result: dict[str, Any] = {}
            if page:
                result["vulns"] = [{"id": i, "modified": "2024-01-01T00:00:00Z"} for i in page]
            if start + self.page_size < len(found):
                result["next_page_token"] = str(start + self.page_size)
            results.append(result)
        return {"results": results}

    def export(self, ecosystem: str) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for vuln_id, data in sorted(self.records.items()):
                if ecosystem in {a["package"]["ecosystem"] for a in data["affected"]}:
                    archive.writestr(f"{vuln_id}.json", json.dumps(data))
        return buffer.getvalue()


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        if self.injected_failure():
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/v1/querybatch" or "queries" not in body:
            self.reply(400, {"code": 3, "message": "Invalid query."})
        else:
            self.reply(200, self.server.fake.batch(body))

    def do_GET(self) -> None:
        if self.injected_failure():
            return
        fake = self.server.fake
        if self.path.startswith("/v1/vulns/"):
            data = fake.records.get(self.path.removeprefix("/v1/vulns/"))
            self.reply(200, data) if data else self.reply(404, {"message": "Bug not found."})
        elif self.path in ("/PyPI/all.zip", "/npm/all.zip"):
            self.send_bytes(200, fake.export(self.path.split("/")[1]), "application/zip")
        else:
            self.reply(404, {"message": "not found"})

    def injected_failure(self) -> bool:
        fake = self.server.fake
        with fake.lock:
            fake.requests[f"{self.command} {self.path}"] += 1
            failing = fake.fail_first > 0
            fake.fail_first -= 1
        if failing:
            self.reply(fake.fail_status, {"message": "try later"})
        return failing

    def reply(self, status: int, payload: Any) -> None:
        self.send_bytes(status, json.dumps(payload).encode(), "application/json")

    def send_bytes(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(ThreadingHTTPServer):
    fake: FakeOSV


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # urllib honours *_proxy variables; the loopback server must be reached directly.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake() -> Iterator[FakeOSV]:
    records = {p.stem: json.loads(p.read_text()) for p in RECORDS.glob("*.json")}
    # The API never returns withdrawn records.
    state = FakeOSV({k: v for k, v in records.items() if not v.get("withdrawn")})
    server = Server(("127.0.0.1", 0), Handler)
    server.fake = state
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdvisoryDB]:
    with AdvisoryDB.open(tmp_path_factory.mktemp("db") / "osv.sqlite", create=True) as db:
        db.import_osv(RECORDS)
        yield db


def client(fake: FakeOSV, **kwargs: Any) -> OnlineClient:
    return OnlineClient(fake.base_url, timeout=5, backoff=0, **kwargs)


def test_online_results_equal_the_offline_store(fake: FakeOSV, offline: AdvisoryDB) -> None:
    online = client(fake).query_batch(PACKAGES)
    assert online == offline.query_many(PACKAGES)
    assert {m.advisory_id for m in online[PackageRef("npm", "lodash", "4.17.20")]} == {
        "GHSA-35jh-r3h4-6jhm"
    }
    assert fake.requests["POST /v1/querybatch"] == 1


def test_pages_and_small_batches_give_the_same_results(fake: FakeOSV, offline: AdvisoryDB) -> None:
    fake.page_size = 1
    assert client(fake, batch_size=4).query_batch(PACKAGES) == offline.query_many(PACKAGES)
    assert fake.requests["POST /v1/querybatch"] >= 5  # 4 batches, then the second pages


def test_each_record_is_fetched_once_per_client(fake: FakeOSV) -> None:
    online = client(fake)
    online.query_batch(PACKAGES)
    online.query_batch(PACKAGES)
    fetches = {k: n for k, n in fake.requests.items() if k.startswith("GET /v1/vulns/")}
    assert fetches and set(fetches.values()) == {1}


def test_transient_failures_are_retried(fake: FakeOSV, offline: AdvisoryDB) -> None:
    fake.fail_first = 2
    assert client(fake, retries=2).query_batch(PACKAGES[:3]) == offline.query_many(PACKAGES[:3])
    assert fake.requests["POST /v1/querybatch"] == 3


def test_retries_are_bounded(fake: FakeOSV) -> None:
    fake.fail_first = 10
    with pytest.raises(OnlineError) as caught:
        client(fake, retries=1).query_batch(PACKAGES)
    assert fake.requests["POST /v1/querybatch"] == 2
    assert "HTTP 503" in str(caught.value) and "\n" not in str(caught.value)
    assert caught.value.status == 503


def test_client_errors_are_not_retried(fake: FakeOSV) -> None:
    fake.fail_first, fake.fail_status = 1, 400
    with pytest.raises(OnlineError, match="HTTP 400"):
        client(fake, retries=3).query_batch(PACKAGES)
    assert fake.requests["POST /v1/querybatch"] == 1


def test_unreachable_api_is_one_line() -> None:
    with socket.socket() as probe:  # a loopback port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(OnlineError, match="unreachable") as caught:
        OnlineClient(f"http://127.0.0.1:{port}", timeout=2, retries=1, backoff=0).query_batch(
            PACKAGES
        )
    assert "\n" not in str(caught.value)


def test_only_http_urls(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an http"):
        OnlineClient("file:///etc")
    with pytest.raises(ValueError, match="not an http"):
        download_exports(tmp_path, base="ftp://example.org")


def test_a_record_the_api_no_longer_has_is_skipped(fake: FakeOSV) -> None:
    online = client(fake)
    assert online.vuln("GHSA-0000-0000-0000") is None
    assert online.vuln("GHSA-35jh-r3h4-6jhm") is not None


def test_download_exports_then_build(fake: FakeOSV, offline: AdvisoryDB, tmp_path: Path) -> None:
    zips = download_exports(tmp_path / "dl", base=fake.base_url, timeout=5)
    assert [p.name for p in zips] == ["PyPI-all.zip", "npm-all.zip"]
    with AdvisoryDB.build(tmp_path / "osv.sqlite", zips) as built:
        assert built.metadata().per_ecosystem == {"PyPI": 8, "npm": 2}
        assert built.query_many(PACKAGES) == offline.query_many(PACKAGES)
    meta = update_database(tmp_path / "updated.sqlite", base=fake.base_url, timeout=5)
    assert meta.advisories == 10 and meta.sources == ("PyPI-all.zip", "npm-all.zip")


def test_a_failed_download_leaves_no_file(fake: FakeOSV, tmp_path: Path) -> None:
    with pytest.raises(OnlineError, match="HTTP 404"):
        download_exports(tmp_path, ecosystems=("Go",), base=fake.base_url, timeout=5)
    assert list(tmp_path.iterdir()) == []


def test_an_offline_query_opens_no_socket(
    offline: AdvisoryDB, fake: FakeOSV, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access during an offline query")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    with AdvisoryDB.open(offline.path, readonly=True) as db:
        assert {m.advisory_id for m in db.query("PyPI", "requests", "2.30.0")} == {
            "GHSA-j8r2-6x86-q33q",
            "PYSEC-2023-74",
        }
        assert db.query_many(PACKAGES) == offline.query_many(PACKAGES)
    # The guard is live: the online client, which does need the network, is refused.
    with pytest.raises(AssertionError, match="network access"):
        client(fake, retries=0).query_batch(PACKAGES)
