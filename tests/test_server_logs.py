"""gunicorn, configured as `make run` starts it, keeps no client addresses or request paths in its log.

A real gunicorn on a free loopback port gets malformed requests over a raw socket, a request the app
fails on, and one that outlives the worker timeout. Every request path holds the word "private", so
the log must not contain it anywhere, nor the client's address, yet still say what went wrong.
"""
import logging
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gunicorn.http.errors import NoMoreData

from pwa.gunicorn_logging import NoClientDetails
from pwa.settings import PROJECT_ROOT

GUNICORN = Path(sys.executable).with_name("gunicorn")
WORKER_TIMEOUT = 2

# A bare WSGI app: only a failure outside any framework reaches gunicorn's own error handling.
TEST_APP = '''
import time


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path.startswith("/fail/"):
        raise RuntimeError(f"could not serve {path}")  # an exception message that repeats the path
    if path.startswith("/slow/"):
        time.sleep(30)  # far beyond the worker timeout
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
'''
MALFORMED = {  # request: what the log should still say
    b"G=T /private-method HTTP/1.1\r\nHost: a\r\n\r\n": "Invalid request: Invalid HTTP method",
    b"GET /private-header HTTP/1.1\r\nHost: a\r\nBad Name: b\r\n\r\n": "Invalid request: Invalid header name",
    b"GET /private-value HTTP/1.1\r\nHost: a\r\nX-Private: a\x00b\r\n\r\n": "Invalid request: Invalid header",
    b"GET /private-folded HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n": "Invalid request: Obsolete header line folding",
    b"GET /private-" + b"x" * 9000 + b" HTTP/1.1\r\nHost: a\r\n\r\n": "Invalid request: Request line too long",
    b"GET /private-version HTTP/9.9\r\nHost: a\r\n\r\n": "Invalid request: Invalid HTTP version",
    b"GET /private-line\r\n\r\n": "Invalid request: Invalid request line",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def exchange(port: int, request: bytes) -> bytes:
    """Send raw bytes; the status line of the answer (gunicorn closes the connection after it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def wait_until_listening(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, f"gunicorn stopped:\n{log.read_text()}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not start listening:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def test_make_run_uses_the_config():
    assert "gunicorn -c gunicorn.conf.py " in (PROJECT_ROOT / "Makefile").read_text()


def test_gunicorn_logs_what_went_wrong_but_no_client_address_or_path(tmp_path):
    (tmp_path / "app_under_test.py").write_text(TEST_APP)
    log = tmp_path / "gunicorn.log"
    port = free_port()
    # Debug level, to cover the most messages (a deployment runs at info).
    command = [str(GUNICORN), "-c", str(PROJECT_ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "--timeout", str(WORKER_TIMEOUT), "--graceful-timeout", "2", "--log-level", "debug",
               "--pythonpath", str(tmp_path), "app_under_test:app"]
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(server, port, log)
        for request in MALFORMED:
            assert exchange(port, request).split(b" ")[1] in (b"400", b"414")
        assert exchange(port, b"GET /private-fine?private-query HTTP/1.1\r\nHost: a\r\n\r\n").endswith(b"200 OK")
        for failing in (b"/fail/private-path?private-query", b"/slow/private-path"):
            assert exchange(port, b"GET " + failing + b" HTTP/1.1\r\nHost: a\r\n\r\n").split(b" ")[1] == b"500"
    finally:
        stop(server)
    text = log.read_text()

    assert "private" not in text
    assert [line for line in text.splitlines() if "127.0.0.1" in line and "Listening at:" not in line] == []
    for what_went_wrong in MALFORMED.values():
        assert what_went_wrong in text
    assert "Error handling request\n" in text and "RuntimeError: could not serve [path]" in text
    assert "WORKER TIMEOUT" in text and "SystemExit: 1" in text


def scrubbed(message: str, *args) -> str:
    record = logging.LogRecord("gunicorn.error", logging.WARNING, __file__, 1, message, args or None, None)
    assert NoClientDetails().filter(record)
    return record.getMessage()


def test_the_filter_takes_out_ipv6_addresses_and_parser_errors_quoted_in_other_messages():
    # Outside gunicorn's exception handler there is no exception to name.
    assert scrubbed("Invalid request from ip=2001:db8::7: Invalid method: 'X'") == "Invalid request: unknown problem"
    assert scrubbed("Proxy request from %r refused", "::ffff:192.0.2.7") == "Proxy request from '[address]' refused"
    assert scrubbed("Socket error from [2001:db8::7]:443") == "Socket error from [[address]]:443"
    assert (scrubbed("Ignored premature client disconnection. %s", NoMoreData(b"GET /private HTTP/1.1"))
            == "Ignored premature client disconnection. Connection closed before the request was complete")
    assert scrubbed("Booting worker with pid: %s", 12345) == "Booting worker with pid: 12345"
    assert scrubbed("Worker timeout at 12:30:45") == "Worker timeout at 12:30:45"
