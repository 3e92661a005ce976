"""gunicorn settings for Quotery (`gunicorn -c gunicorn.conf.py`).

Defaults serve the local demo on 127.0.0.1:$PORT with two sync workers. Behind a proxy on
another machine, override the address with GUNICORN_CMD_ARGS="--bind 0.0.0.0:8000" (gunicorn
reads it after this file) and the worker count with WEB_CONCURRENCY.
"""

import os

wsgi_app = "config.wsgi:application"
bind = [f"127.0.0.1:{os.environ.get('PORT', '').strip() or '8000'}"]
workers = int(os.environ.get("WEB_CONCURRENCY", "").strip() or "2")
# gunicorn's sync worker, except that on SIGTERM it also answers the connections already
# queued on the listening socket instead of leaving them to be reset (see the module).
worker_class = "quotery.core.gunicorn_worker.DrainingSyncWorker"
# A worker silent for `timeout` seconds is killed and restarted (its request is lost). On
# SIGTERM, each worker finishes its request and those it took from the queue within
# `graceful_timeout`, then is killed: as long as `timeout`, so that a stop cuts short no
# request the running instance would have let finish. The supervisor's own stop timeout
# (systemd TimeoutStopSec, docker stop -t, Kubernetes terminationGracePeriodSeconds) must be
# longer still, e.g. 40 s.
timeout = 30
graceful_timeout = 30
# Each process keeps its database connection (CONN_MAX_AGE), so app loading is not shared
# before the fork: every worker opens its own connection.
preload_app = False

# Access and error logs go to stdout/stderr, where the process supervisor collects them.
accesslog = "-"
errorlog = "-"
# Time, request line, status, size, referer, user agent, duration. No client address:
# addresses are personal data and stay in the database (SECURITY.md 24).
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

# No runtime control socket: several instances on one machine would share its default path.
control_socket_disable = True

# Both logs pass every line through the same filters as Django's handlers: link tokens
# (SECURITY.md 7) and email addresses and gunicorn's "Invalid request from ip=..." address
# (SECURITY.md 24) are redacted, in request lines, Referers and tracebacks alike.
logger_class = "quotery.core.logging.RedactingGunicornLogger"
