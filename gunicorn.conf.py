"""gunicorn settings for `make run`: the server keeps no record of who asked for what.

No access log, and an error log that says what went wrong without client addresses, request lines or
paths (pwa/gunicorn_logging.py). Bind address and workers come from the command line.
"""
accesslog = None
logger_class = "pwa.gunicorn_logging.PrivateLogger"
# No control socket (gunicorn 25+): nothing here uses one, and a second server on the machine would take over
# the first one's at the shared default path. Older gunicorn ignores the unknown name.
control_socket_disable = True


def pre_request(worker, req):
    """Nothing per request: gunicorn's default logs each method and path at debug level."""
