"""gunicorn's error log without client addresses, request lines or paths (gunicorn.conf.py turns it on).

Left alone, gunicorn logs "Invalid request from ip=ADDRESS: <part of the request>" for every malformed
request, and "Error handling request GET /guides/leaving-safely" when a request fails outside the app
(including a worker timeout): a record of who asked for what. This logger keeps what went wrong and
drops who asked and for what.
"""
from __future__ import annotations

import ipaddress
import logging
import re
import sys
from urllib.parse import unquote

from gunicorn import glogging

# gunicorn's own messages quote the request (method, line, header); say what kind of problem it was instead.
CLIENT_ERRORS = {
    "InvalidRequestLine": "Invalid request line",
    "InvalidRequestMethod": "Invalid HTTP method",
    "InvalidHTTPVersion": "Invalid HTTP version",
    "InvalidHeader": "Invalid header",
    "InvalidHeaderName": "Invalid header name",
    "ObsoleteFolding": "Obsolete header line folding",
    "LimitRequestLine": "Request line too long",
    "LimitRequestHeaders": "Too many or too large headers",
    "UnsupportedTransferCoding": "Unsupported transfer coding",
    "InvalidChunkSize": "Invalid chunk size",
    "ChunkMissingTerminator": "Invalid chunk terminator",
    "InvalidChunkExtension": "Invalid chunk extension",
    "ExpectationFailed": "Unsupported Expect header",
    "InvalidProxyLine": "Invalid PROXY protocol line",
    "InvalidProxyHeader": "Invalid PROXY protocol header",
    "ForbiddenProxyRequest": "PROXY protocol from an address not allowed",
    "InvalidSchemeHeaders": "Contradictory scheme headers",
    "InvalidH2CPreface": "Invalid HTTP/2 preface",
    "ConfigurationProblem": "Server configuration problem",
    "NoMoreData": "Connection closed before the request was complete",
    "SSLError": "TLS error",
}
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6_CANDIDATE = re.compile(r"[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*")
ADDRESS = "[address]"
PATH = "[path]"


def describe(error: BaseException | None) -> str:
    if error is None:
        return "unknown problem"
    return CLIENT_ERRORS.get(type(error).__name__, type(error).__name__)


def without_addresses(text: str) -> str:
    def ipv6(match: re.Match) -> str:
        try:
            ipaddress.ip_address(match[0])
        except ValueError:
            return match[0]
        return ADDRESS
    return IPV4.sub(ADDRESS, IPV6_CANDIDATE.sub(ipv6, text))


def from_the_parser(value) -> bool:
    """An exception from gunicorn's HTTP parser: its text quotes what the client sent."""
    return isinstance(value, BaseException) and type(value).__module__.startswith("gunicorn.http")


class NoClientDetails(logging.Filter):
    """Rewrites each record on gunicorn's error log so that it names no client address and no request target."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self.rewrite(record)
        except Exception:  # a log line must never break a worker, nor slip through unchecked
            record.msg, record.args, record.exc_info, record.exc_text = "(log message withheld)", (), None, None
        return True

    def rewrite(self, record: logging.LogRecord) -> None:
        template, targets = str(record.msg), []
        if template.startswith("Listening at:"):
            return  # the server's own address, from its configuration, not a client's
        if template.startswith("Invalid request from"):
            # Logged within gunicorn's handler for the exception, which says what kind of problem it was.
            message = f"Invalid request: {describe(sys.exc_info()[1])}"
        elif template.startswith("Error handling request") and isinstance(record.args, tuple) and record.args:
            # The arguments are (method, uri) or (uri,): keep neither, and take the path out of the traceback.
            uri = str(record.args[-1])
            path = uri.split("?", 1)[0]
            targets = [uri, path, unquote(path)]
            message = "Error handling request"
        else:
            if isinstance(record.args, tuple):
                record.args = tuple(describe(arg) if from_the_parser(arg) else arg for arg in record.args)
            message = record.getMessage()
        record.msg, record.args = without_addresses(message), ()
        if record.exc_info:
            trace = logging.Formatter().formatException(record.exc_info)
            for target in sorted((t for t in targets if len(t) > 1), key=len, reverse=True):
                trace = trace.replace(target, PATH)
            record.exc_text = without_addresses(trace)


class PrivateLogger(glogging.Logger):
    """gunicorn's logger, with NoClientDetails on the error log."""

    def setup(self, cfg):
        super().setup(cfg)  # runs again on reload: add the filter once
        if not any(isinstance(f, NoClientDetails) for f in self.error_log.filters):
            self.error_log.addFilter(NoClientDetails())
