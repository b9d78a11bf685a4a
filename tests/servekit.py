"""Helpers for the preview-server tests: a real `blog serve` process, raw HTTP, bounded waiting.

Everything talks to 127.0.0.1 only, and every wait has a deadline, so a broken server fails a
test instead of hanging the suite.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from blog.server import LiveState, PreviewServer, Status

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # lowercased names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def raw_request(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send `data` as it is and read until the server closes or `timeout` passes."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if _complete(b"".join(chunks)):
                break
        return b"".join(chunks)


def read_until(sock: socket.socket, marker: bytes, timeout: float = 5.0) -> bytes:
    """Read from `sock` until `marker` has arrived (or the peer closed, or `timeout` passed)."""
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data and time.monotonic() < deadline:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _complete(data: bytes) -> bool:
    """True once a whole response with a Content-Length has arrived."""
    head, sep, body = data.partition(b"\r\n\r\n")
    match = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    return bool(sep and match and len(body) >= int(match.group(1)))


def raw_get(port: int, target: str, host: str = f"{HOST}", extra: str = "") -> Reply:
    """GET with the request target written byte for byte, as no client library would."""
    request = f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}\r\n"
    return parse_reply(raw_request(port, request.encode("latin-1")))


def parse_reply(data: bytes) -> Reply:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Reply(status, headers, body)


def get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 10.0) -> Reply:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def wait_until(check: Callable[[], object], timeout: float, step: float = 0.05, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)


class InProcessServer:
    """The real PreviewServer on a loopback port, serving a folder the test prepared."""

    def __init__(self, root: Path, status: Status = Status("test-1")) -> None:
        self.live = LiveState(status)
        self.server = PreviewServer(root, self.live, HOST, 0)
        self.port = int(self.server.server_address[1])

    def __enter__(self) -> InProcessServer:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


class ServeProcess:
    """`python -m blog -C root serve --port 0` with its output collected line by line."""

    def __init__(self, root: Path, *args: str, env: dict[str, str] | None = None) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
        command = [sys.executable, "-m", "blog", "-C", str(root), "serve", "--port", "0", *args]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.lines), daemon=True),
            threading.Thread(target=self._read, args=(self.process.stderr, self.errors), daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        line = self.wait_for_line(r"^Serving .* at (http://\S+) ", timeout=60)
        match = re.search(r"at (http://\S+) ", line)
        assert match, line
        self.url = match.group(1)
        self.port = int(self.url.rstrip("/").rsplit(":", 1)[1])

    def _read(self, stream, into: list[str]) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            with self._changed:
                into.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for_line(self, pattern: str, timeout: float, start: int = 0) -> str:
        """The first stdout line from index `start` on matching `pattern`."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines[start:]:
                    if regex.search(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None and not self._readers_alive():
                    raise AssertionError(
                        f"no line matching {pattern!r} within {timeout} s\nstdout: {self.lines}\nstderr: {self.errors}"
                    )
                self._changed.wait(min(left, 0.2))

    def _readers_alive(self) -> bool:
        return any(reader.is_alive() for reader in self._readers)

    def builds(self) -> list[str]:
        """The result line of every build after the first one (which comes before "Serving")."""
        with self._changed:
            serving = next(i for i, line in enumerate(self.lines) if line.startswith("Serving "))
            return [line for line in self.lines[serving:] if line.startswith(("Rebuilt ", "Build failed"))]

    def wait_for_builds(self, count: int, timeout: float) -> list[str]:
        try:
            wait_until(lambda: len(self.builds()) >= count, timeout, what=f"{count} builds")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nstdout: {self.lines}\nstderr: {self.errors}") from None
        return self.builds()

    def threads(self) -> int:
        return len(os.listdir(f"/proc/{self.process.pid}/task"))

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise AssertionError("blog serve did not stop within 20 s")
        finally:
            for reader in self._readers:
                reader.join(timeout=5)

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def sse_events(port: int, host: str = f"{HOST}", timeout: float = 10.0) -> Iterator[tuple[str, str]]:
    """(event, data) pairs read from the live-reload stream, until it ends or `timeout` passes."""
    sock = socket.create_connection((HOST, port), timeout=timeout)
    try:
        sock.sendall(f"GET /__blog__/events HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        buffer = b""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in buffer and time.monotonic() < deadline:
            buffer += sock.recv(4096)
        _, _, buffer = buffer.partition(b"\r\n\r\n")
        while time.monotonic() < deadline:
            while b"\n\n" in buffer:
                block, _, buffer = buffer.partition(b"\n\n")
                fields = dict(line.split(": ", 1) for line in block.decode().split("\n") if ": " in line)
                if "event" in fields:
                    yield fields["event"], fields.get("data", "")
            try:
                chunk = sock.recv(4096)
            except TimeoutError:
                return
            if not chunk:
                return
            buffer += chunk
    finally:
        sock.close()
