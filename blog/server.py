"""The preview's HTTP server: one built site from one folder, live reload, and the error overlay.

It serves only regular files whose real path lies inside the build folder: the request path is
percent-decoded once, refused when it holds a NUL, a backslash, a control character, a `.` or
`..` segment or a hidden name, and every hit is resolved with `realpath` and checked against the
folder, so neither an encoding trick nor a symlink can reach a byte outside it. Requests naming
any host other than a loopback name, an IP address or the name it was bound to are refused, which
defeats DNS rebinding; the live-reload stream also refuses a foreign `Origin`.

Each connection has its own daemon thread, a socket timeout and the standard library's header
limits, and the number of connections is capped, so one slow or broken client cannot stall the
others. HTML responses get a small script that listens for Server-Sent Events and, while the last
build failed, an overlay listing its diagnostics.
"""

from __future__ import annotations

import html
import ipaddress
import json
import mimetypes
import os
import select
import socket
import stat
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote_to_bytes

from .errors import Diagnostic, format_diagnostic

RESERVED_SEGMENT = "__blog__"
EVENTS_PATH = f"/{RESERVED_SEGMENT}/events"
MAX_CONNECTIONS = 128
SOCKET_TIMEOUT = 10.0  # seconds a client may stay silent while we wait for its request
HEARTBEAT_SECONDS = 15.0  # a comment on idle event streams, so proxies and browsers keep them open
CLIENT_CHECK_SECONDS = 1.0  # how often an idle event stream checks that its client is still there

EventKind = Literal["reload", "css"]

# Types a browser needs right; the rest come from the `mimetypes` table.
CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".xsl": "application/xml",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".webmanifest": "application/manifest+json",
}
_TEXTUAL = ("application/json", "application/xml", "image/svg+xml", "application/manifest+json")

# The live-reload client. `hello` arrives on every (re)connection: a page from an older build
# or an earlier server reloads, so a restart or a build missed while disconnected is caught up.
CLIENT_SCRIPT = """\
(function () {
  var generation = __GENERATION__;
  var source = null;
  function swapStylesheets() {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("__blog__", String(Date.now()));
      links[i].href = url.href;
    }
  }
  function connect() {
    source = new EventSource("/__blog__/events");
    source.addEventListener("hello", function (e) { if (e.data !== generation) location.reload(); });
    source.addEventListener("reload", function () { location.reload(); });
    source.addEventListener("css", function (e) { generation = e.data; swapStylesheets(); });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) { source.close(); setTimeout(connect, 1000); }
    };
  }
  connect();
})();
"""

_OVERLAY_STYLE = (
    "position:fixed;top:0;left:0;right:0;max-height:70vh;overflow:auto;z-index:2147483647;"
    "margin:0;padding:1.25em 1.5em;background:#1e1e1e;color:#f5f5f5;border-bottom:4px solid #e53935;"
    "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left;"
    "box-shadow:0 4px 24px rgba(0,0,0,.5)"
)
_OVERLAY_PRE_STYLE = (
    "margin:0;padding:0;border:0;border-radius:0;background:transparent;box-shadow:none;"
    "white-space:pre-wrap;overflow-wrap:anywhere;color:#ffcdd2;font:inherit"
)
NOT_FOUND_PAGE = (
    b"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>\n"
    b"<body><h1>Not found</h1><p>Nothing lives at this address in the preview.</p></body></html>\n"
)


# ---------------------------------------------------------------------------------------------
# What the browser must be told


@dataclass(frozen=True, slots=True)
class Status:
    """The state of the latest build, as pages and event streams show it."""

    generation: str  # new for every build and every server start
    problems: tuple[Diagnostic, ...] = ()  # not empty: the latest build failed

    @property
    def failed(self) -> bool:
        return any(d.is_error for d in self.problems)


class LiveState:
    """The current `Status` and a numbered stream of events that event-stream handlers wait on."""

    def __init__(self, status: Status) -> None:
        self._changed = threading.Condition()
        self._status = status
        self._sequence = 0
        self._last_reload = 0
        self._closed = False

    @property
    def status(self) -> Status:
        with self._changed:
            return self._status

    @property
    def closed(self) -> bool:
        with self._changed:
            return self._closed

    def position(self) -> tuple[int, Status]:
        with self._changed:
            return self._sequence, self._status

    def publish(self, status: Status, kind: EventKind) -> None:
        """Make `status` current and wake every event stream; call only after the swap."""
        with self._changed:
            self._status = status
            self._sequence += 1
            if kind == "reload":
                self._last_reload = self._sequence
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[int, EventKind, Status] | None:
        """The news after event number `seen`, or None on timeout or close.

        A stream that missed several events gets one `reload` unless all of them were `css`.
        """
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._sequence > seen, timeout)
            if self._closed or self._sequence <= seen:
                return None
            kind: EventKind = "reload" if self._last_reload > seen else "css"
            return self._sequence, kind, self._status

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()


# ---------------------------------------------------------------------------------------------
# Pure helpers: request paths, hosts, content types, what HTML pages get


def request_segments(target: str) -> tuple[str, ...] | None:
    """The path segments a request target names, or None when it must be refused.

    Decoded exactly once (so `%252e` stays the name `%2e`), strict UTF-8, and no NUL, backslash,
    control character, empty-after-decoding trick, `.`/`..` or hidden segment survives.
    """
    if not target.startswith("/"):
        return None
    path = target.split("?", 1)[0].split("#", 1)[0]
    try:
        decoded = unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\\" in decoded or any(ord(c) < 0x20 or ord(c) == 0x7F for c in decoded):
        return None
    segments = tuple(s for s in decoded.split("/") if s)
    if any(s.startswith(".") for s in segments):
        return None
    return segments


def host_name(header: str) -> str | None:
    """The host name of a `Host` header value (`name`, `name:port`, `[v6]:port`), lowercased."""
    value = header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        rest = value[end + 1 :] if end > 0 else "x"
        if rest and not (rest.startswith(":") and rest[1:].isdigit()):
            return None
        return value[1:end]
    name, colon, port = value.partition(":")
    if colon and not port.isdigit():
        return None
    return name.rstrip(".") or None


def host_allowed(header: str, names: frozenset[str]) -> bool:
    """Loopback names, IP literals (a rebinding attack needs a domain name) and `names`."""
    name = host_name(header)
    if name is None:
        return False
    if name == "localhost" or name.endswith(".localhost") or name in names:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def same_origin(origin: str, host_header: str) -> bool:
    """True when a page served by us (the scheme is always http) made the request."""
    return origin.strip().lower() == "http://" + host_header.strip().lower()


def content_type(name: str) -> str:
    """The Content-Type for a file name, with `charset=utf-8` on every textual type."""
    suffix = os.path.splitext(name)[1].lower()
    kind = CONTENT_TYPES.get(suffix) or mimetypes.guess_type("x" + suffix)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in _TEXTUAL:
        return kind + "; charset=utf-8"
    return kind


def overlay_html(problems: tuple[Diagnostic, ...]) -> str:
    """A fixed panel listing the failed build's diagnostics, every one HTML-escaped."""
    errors = sum(1 for d in problems if d.is_error)
    lines = "\n".join(html.escape(format_diagnostic(d)) for d in problems)
    title = f"The site did not build: {errors} error{'s' if errors != 1 else ''}"
    return (
        f'<div id="blog-error-overlay" role="alert" style="{_OVERLAY_STYLE}">'
        '<button type="button" onclick="this.parentNode.remove()" aria-label="Hide" '
        'style="float:right;font:inherit;background:none;color:inherit;border:1px solid #888;'
        'border-radius:4px;cursor:pointer">Hide</button>'
        f'<strong style="color:#ff8a80;font-size:1.1em">{html.escape(title)}</strong>'
        "<p style=\"margin:.5em 0\">You are looking at the last good build. "
        "Fix the problem and save: this page reloads by itself.</p>"
        f'<pre style="{_OVERLAY_PRE_STYLE}">{lines}</pre></div>'
    )


def live_snippet(status: Status) -> bytes:
    """What every HTML response gets before its last `</body>`: the overlay and the client."""
    script = CLIENT_SCRIPT.replace("__GENERATION__", json.dumps(status.generation).replace("</", "<\\/"))
    overlay = overlay_html(status.problems) if status.failed else ""
    return (overlay + "<script>\n" + script + "</script>\n").encode("utf-8")


def inject(page: bytes, snippet: bytes) -> bytes:
    """Insert `snippet` before the last `</body>` (any case), or append it when there is none."""
    at = page.lower().rfind(b"</body>")
    if at < 0:
        return page + snippet
    return page[:at] + snippet + page[at:]


# ---------------------------------------------------------------------------------------------
# Finding files


@dataclass(frozen=True, slots=True)
class Located:
    """Where a request leads: a real file path inside the root, a redirect, or nothing."""

    file: str | None = None
    redirect: str | None = None


def locate(root: Path, segments: tuple[str, ...], trailing_slash: bool, query: str) -> Located:
    """Resolve `segments` below `root`; `index.html` for folders, which need a trailing slash."""
    base = os.path.realpath(root)
    real = os.path.realpath(os.path.join(base, *segments))
    if not _inside(real, base):
        return Located()
    if os.path.isdir(real):
        if segments and not trailing_slash:
            location = "/" + "/".join(quote(s) for s in segments) + "/"
            return Located(redirect=location + (f"?{query}" if query else ""))
        real = os.path.realpath(os.path.join(real, "index.html"))
        if not _inside(real, base):
            return Located()
    elif trailing_slash:
        return Located()
    return Located(file=real) if os.path.isfile(real) else Located()


def _inside(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


def read_regular(path: str) -> bytes | None:
    """The bytes of the regular file at `path` (never through a final symlink), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with open(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return stream.read()


# ---------------------------------------------------------------------------------------------
# The server


class PreviewServer(ThreadingHTTPServer):
    """Serves `root` with live reload driven by `live`; call `start()` and later `stop()`."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 64

    def __init__(self, root: Path, live: LiveState, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root)
        self.live = live
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        names = {host.strip("[]").lower()}
        if not is_loopback(host):
            names.add(socket.gethostname().lower())
        self.host_names = frozenset(names)
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._thread: threading.Thread | None = None
        super().__init__((host.strip("[]"), port), _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup, which can stall start-up for seconds."""
        super(ThreadingHTTPServer, self).server_bind()  # TCPServer.server_bind, skipping HTTPServer's
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    @property
    def url(self) -> str:
        host = str(self.server_address[0])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.server_address[1]}/"

    def start(self) -> None:
        """Serve in a background thread (the main thread stays free for builds and signals)."""
        self._thread = threading.Thread(target=self.serve_forever, args=(0.2,), name="blog-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the event streams, stop accepting, close the listening socket."""
        self.live.close()
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
        self.server_close()

    def process_request(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        """Refuse a connection beyond the cap at once instead of starting yet another thread."""
        if not self._slots.acquire(blocking=False):
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        """A client that hangs up or times out is its own business: no traceback on the terminal."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            print(f"blog serve: internal error answering {client_address[0]}: {exc!r}", file=sys.stderr)


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"
    server_version = "blog-preview"
    sys_version = ""
    timeout = SOCKET_TIMEOUT

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal is for build results, not for one line per request."""

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            return self._text(400, "exactly one Host header is required", send_body)
        if not host_allowed(hosts[0], self.server.host_names):
            return self._text(403, "this preview answers only to localhost and its own address", send_body)
        path, _, query = self.path.partition("?")
        if path == EVENTS_PATH:
            return self._events(hosts[0], send_body)
        segments = request_segments(self.path)
        if segments is None:
            return self._text(400, "bad request path", send_body)
        found = Located() if segments[:1] == (RESERVED_SEGMENT,) else locate(
            self.server.root, segments, path.endswith("/"), query.split("#", 1)[0]
        )
        if found.redirect is not None:
            return self._send(301, b"", "text/plain; charset=utf-8", send_body, (("Location", found.redirect),))
        status = self.server.live.status  # read before the file: a page is never newer than its status
        data = read_regular(found.file) if found.file is not None else None
        if data is None:
            return self._not_found(status, send_body)
        kind = content_type(found.file or "")
        if kind.startswith("text/html"):
            data = inject(data, live_snippet(status))
        self._send(200, data, kind, send_body)

    def _not_found(self, status: Status, send_body: bool) -> None:
        """The theme's 404 page from the build when there is one, else a plain one; both live."""
        page = locate(self.server.root, ("404.html",), False, "")
        data = (read_regular(page.file) if page.file else None) or NOT_FOUND_PAGE
        self._send(404, inject(data, live_snippet(status)), "text/html; charset=utf-8", send_body)

    def _text(self, code: int, message: str, send_body: bool) -> None:
        self.close_connection = True
        self._send(code, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8", send_body)

    def _send(self, code: int, data: bytes, kind: str, send_body: bool, extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in extra:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def _events(self, host: str, send_body: bool) -> None:
        """A Server-Sent Events stream: `hello` with the current generation, then each build."""
        origin = self.headers.get("Origin")
        if origin is not None and not same_origin(origin, host):
            return self._text(403, "foreign origin", send_body)
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        if not send_body:
            return
        live = self.server.live
        seen, status = live.position()
        try:
            self._event("hello", status.generation, retry=1000)
            idle = 0.0
            while not live.closed:
                news = live.wait(seen, CLIENT_CHECK_SECONDS)
                if news is not None:
                    seen, kind, status = news
                    self._event(kind, status.generation)
                    idle = 0.0
                    continue
                if self._client_gone():
                    return
                idle += CLIENT_CHECK_SECONDS
                if idle >= HEARTBEAT_SECONDS:
                    self.wfile.write(b": ping\n\n")
                    idle = 0.0
        except OSError:
            return

    def _event(self, kind: str, data: str, retry: int | None = None) -> None:
        head = f"retry: {retry}\n" if retry is not None else ""
        self.wfile.write(f"{head}event: {kind}\ndata: {data}\n\n".encode("utf-8"))

    def _client_gone(self) -> bool:
        """True when the client closed its side (or sent something, which a stream never expects)."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True
