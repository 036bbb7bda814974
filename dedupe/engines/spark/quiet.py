"""A local Spark session started for ``dedupe run --engine spark -q``: no progress bars, no warnings, and
none of the lines the JVM prints while it starts (Spark's log set-up, Hadoop's native library, the JDK's
incubator modules), which no log setting reaches.

Only a session dedupe starts itself is made quiet: a running one, a Spark Connect one and one whose JVM
already exists (``spark-submit``) are used as they are.
"""

from __future__ import annotations

import os
import threading

QUIET_CONF = {"spark.ui.showConsoleProgress": "false", "spark.log.level": "ERROR"}
"""Spark's own settings for a quiet session: no progress bars, only errors logged."""


def can_start_quietly() -> bool:
    """Whether :func:`start_quietly` would start the session here: no Spark context is running in this
    process, and nothing asks for Spark Connect or an existing JVM."""
    env = os.environ
    if any(name in env for name in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED", "PYSPARK_GATEWAY_PORT")):
        return False
    try:
        import pyspark.util
        from pyspark import SparkContext
        from pyspark.java_gateway import launch_gateway  # noqa: F401 - absent from a Connect-only client
    except ImportError:
        return False
    api_mode = getattr(pyspark.util, "default_api_mode", lambda: "classic")()
    if env.get("SPARK_API_MODE", api_mode).lower() == "connect":
        return False
    return SparkContext._active_spark_context is None  # the same test SparkSession.builder makes


def start_quietly(master: str | None, settings: dict[str, str] | None = None) -> None:
    """Start this process's SparkContext with ``settings`` and :data:`QUIET_CONF`, the JVM's stderr through
    a pipe: what it prints until the context is up is held back, and printed only if the start fails;
    everything after that (errors only, at log level ERROR, and the Python workers' own stderr) passes
    unchanged. ``SparkSession.builder.getOrCreate()`` then takes this context."""
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway

    conf = SparkConf().setAppName("dedupe")
    if master:
        conf.setMaster(master)
    for key, value in {**(settings or {}), **QUIET_CONF}.items():
        conf.set(key, value)
    relay = StartupRelay()
    try:
        gateway = launch_gateway(conf, popen_kwargs={"stderr": relay.write_end})
        relay.close_write_end()  # the JVM holds its own copy
        SparkContext(conf=conf, gateway=gateway).setLogLevel("ERROR")
    except BaseException:
        relay.close_write_end()
        relay.pass_through(show_held=True)
        raise
    relay.pass_through(show_held=False)


class StartupRelay:
    """A pipe for a child's stderr, copied to this process's stderr (file descriptor 2, where the child's
    own stderr would have gone) by a daemon thread: held back until :meth:`pass_through`."""

    def __init__(self) -> None:
        self._read_end, self.write_end = os.pipe()
        self._lock = threading.Lock()
        self._held: list[bytes] | None = []
        threading.Thread(target=self._pump, name="dedupe-spark-stderr", daemon=True).start()

    def close_write_end(self) -> None:
        if self.write_end >= 0:
            os.close(self.write_end)
            self.write_end = -1

    def pass_through(self, *, show_held: bool) -> None:
        """From now on copy everything; what was held back is written first, or dropped."""
        with self._lock:
            held, self._held = self._held or [], None
            if show_held:
                for chunk in held:
                    _write_all(chunk)

    def _pump(self) -> None:
        with os.fdopen(self._read_end, "rb", buffering=0) as pipe:
            while chunk := pipe.read(1 << 16):
                with self._lock:
                    if self._held is not None:
                        self._held.append(chunk)
                    else:
                        _write_all(chunk)


def _write_all(data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(2, view) :]
        except OSError:  # stderr closed: nothing to tell
            return
