"""Moving packages between nodes over HTTP, with the standard library only (urllib).

A node reaches another through the other's API: log in (POST /api/auth/login/),
download an export (GET /api/sync/export/) or upload an import (POST /api/sync/import/).
Files are streamed in both directions; nothing is held in memory whole.
"""

import json
import secrets
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

TIMEOUT = 120
CHUNK = 1024 * 1024


class TransportError(Exception):
    """The other node could not be reached, or refused; the message says which."""

    def __init__(self, message: str, *, unreachable: bool = False):
        super().__init__(message)
        self.unreachable = unreachable


def _open(request: urllib.request.Request):
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT)  # noqa: S310  (http/https URLs we were given)
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("detail", "")
        except ValueError:
            detail = ""
        raise TransportError(f"{request.full_url} answered {exc.code}: {detail or exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TransportError(f"{request.full_url} is unreachable ({reason}).", unreachable=True) from exc


def _url(base: str, path: str, query: dict | None = None) -> str:
    if not base.startswith(("http://", "https://")):
        raise TransportError(f"{base!r} is not an http(s) URL.")
    url = base.rstrip("/") + path
    if query:
        url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
    return url


def _request(url: str, **kwargs) -> urllib.request.Request:
    # `url` comes from _url(), which only lets http(s) through.
    return urllib.request.Request(url, **kwargs)  # noqa: S310


def login(base: str, username: str, password: str) -> str:
    """An access token for `username` at the node `base`."""
    body = json.dumps({"username": username, "password": password}).encode()
    request = _request(
        _url(base, "/api/auth/login/"), data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with _open(request) as response:
        return json.loads(response.read())["access"]


def download(base: str, token: str, query: dict, destination: Path) -> None:
    request = _request(_url(base, "/api/sync/export/", query), headers={"Authorization": f"Bearer {token}"})
    with _open(request) as response, open(destination, "wb") as out:
        shutil.copyfileobj(response, out, CHUNK)


class _MultipartFile:
    """A multipart/form-data body with one file field, read in chunks (for urllib)."""

    def __init__(self, path: Path, field: str = "file"):
        self.boundary = secrets.token_hex(16)
        self._head = (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{path.name}"\r\n'
            "Content-Type: application/zip\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._file = open(path, "rb")  # noqa: SIM115  (closed by close())
        self.length = len(self._head) + path.stat().st_size + len(self._tail)
        self._parts = [self._head, None, self._tail]

    def read(self, size: int = -1) -> bytes:
        while self._parts:
            part = self._parts[0]
            if part is None:
                chunk = self._file.read(CHUNK if size is None or size < 0 else size)
                if chunk:
                    return chunk
                self._parts.pop(0)
                continue
            self._parts.pop(0)
            return part
        return b""

    def close(self):
        self._file.close()


def upload(base: str, token: str, path: Path, *, dry_run: bool = False) -> dict:
    """POST the package at `path` to the node `base`; returns its import report."""
    body = _MultipartFile(Path(path))
    query = {"dry_run": "1"} if dry_run else None
    request = _request(
        _url(base, "/api/sync/import/", query),
        data=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={body.boundary}",
            "Content-Length": str(body.length),
        },
        method="POST",
    )
    try:
        with _open(request) as response:
            return json.loads(response.read())
    finally:
        body.close()
