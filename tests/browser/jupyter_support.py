"""Real notebook servers for the end-to-end tests (JupyterLab, Notebook 7, marimo), each isolated
in a temporary directory.

The server runs the venv's own interpreter (`sys.executable -m jupyterlab`), so the `python3`
kernelspec in `sys.prefix/share/jupyter` (always on Jupyter's data path) starts the same venv
Python. Every per-user directory (Jupyter config/data/runtime, IPython, XDG, HOME) points into
the temporary directory, so nothing from the machine's user leaks in and nothing is left behind.
The server binds 127.0.0.1 on a free port and is stopped by its PID.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

REPO = Path(__file__).resolve().parents[2]


class PortTaken(RuntimeError):
    """Another process bound the free port between our check and the server's start."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def isolated_env(base: Path) -> dict[str, str]:
    """The server's (and the kernel's) environment, with every per-user directory under `base`."""
    dirs = {
        "HOME": "home",
        "JUPYTER_CONFIG_DIR": "jupyter-config",
        "JUPYTER_DATA_DIR": "jupyter-data",
        "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
        "IPYTHONDIR": "ipython",
        "XDG_CONFIG_HOME": "xdg-config",
        "XDG_DATA_HOME": "xdg-data",
        "XDG_CACHE_HOME": "xdg-cache",
        "XDG_RUNTIME_DIR": "xdg-runtime",
        "MPLCONFIGDIR": "matplotlib",
    }
    env = {key: value for key, value in os.environ.items() if not key.startswith("JUPYTER")}
    for key, name in dirs.items():
        path = base / name
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        env[key] = str(path)
    # The kernel must import this working tree's package even where it is not installed.
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(REPO), env.get("PYTHONPATH", "")] if p)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("JUPYTER_PATH", None)
    return env


# JupyterLab user settings: offline, so never fetch news nor ask about it in a toast that would
# cover the notebook.
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def write_lab_settings(settings_dir: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


def kernelspecs(env: dict[str, str]) -> dict[str, Any]:
    """`jupyter kernelspec list --json` as the server sees it (same interpreter, same env)."""
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    specs = json.loads(result.stdout)["kernelspecs"]
    assert isinstance(specs, dict)
    return specs


class JupyterLab:
    """`with JupyterLab(notebook_dir) as lab:` serves `notebook_dir` at `lab.url` until the end.
    Subclasses serve the same way with another front end (`command`, `is_up`)."""

    name = "JupyterLab"

    def __init__(self, notebook_dir: Path, startup_timeout: float = 90.0):
        self.notebook_dir = notebook_dir
        self.startup_timeout = startup_timeout
        self.base = Path(tempfile.mkdtemp(prefix="rnnvis-jupyter-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.base / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.env: dict[str, str] = {}

    def __enter__(self) -> JupyterLab:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self, attempts: int = 3) -> None:
        """Launch and wait until /api/status answers; on a port taken meanwhile, take another."""
        for attempt in range(attempts):
            try:
                self._launch()
                self._wait_until_up()
                return
            except PortTaken:
                if attempt == attempts - 1:
                    raise
                self.port = free_port()
                self.url = f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The server's command line (run with the isolated environment, in `notebook_dir`)."""
        return [
            sys.executable,
            "-m",
            "jupyterlab",
            *self.server_flags(),
            # Offline machine: no news or update checks, no pop-up asking about them.
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]

    def server_flags(self) -> list[str]:
        """jupyter_server's flags: 127.0.0.1 on our port, no token, no browser."""
        return [
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            f"--ServerApp.root_dir={self.notebook_dir}",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
        ]

    def is_up(self) -> None:
        """Returns once the server answers; raises OSError or ValueError until then."""
        self.api("/api/status", timeout=2.0)

    def _launch(self) -> None:
        command = self.command()
        env = self.env = isolated_env(self.base)
        write_lab_settings(Path(env["JUPYTER_CONFIG_DIR"]) / "lab" / "user-settings")
        log = self.log_path.open("wb")
        try:
            self.process = subprocess.Popen(
                command,
                cwd=self.notebook_dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        finally:
            log.close()

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"

    def log_tail(self, lines: int = 80, width: int = 400) -> str:
        """The end of the server log, long lines cut (node prints whole minified bundles)."""
        kept = self.log().splitlines()[-lines:]
        return "\n".join(line[:width] + (" ..." if len(line) > width else "") for line in kept)

    def api(self, path: str, timeout: float = 5.0) -> Any:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))

    def _wait_until_up(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                if "already in use" in self.log():
                    raise PortTaken(f"port {self.port} was taken:\n{self.log_tail(10)}")
                raise RuntimeError(
                    f"{self.name} exited with code {code} before answering.\n"
                    f"--- server log ---\n{self.log_tail()}"
                )
            try:
                self.is_up()
                return
            except (urllib.error.URLError, OSError, ValueError) as error:
                last_error = error
            time.sleep(0.25)
        raise RuntimeError(
            f"{self.name} did not answer {self.url} within {self.startup_timeout:.0f} s "
            f"(last error: {last_error!r}).\n--- server log ---\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the server by its PID (SIGTERM, then SIGKILL), then remove the temporary dirs.

        Its kernels are its children: recorded before, and killed by PID if they outlive it.
        """
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            kernels = children(process.pid)
            # jupyter_server asks for confirmation on the first SIGINT; SIGTERM stops it cleanly,
            # shutting down its kernels first.
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)
            for pid, started in kernels:
                if start_time(pid) == started:  # still the same process, not a reused PID
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        shutil.rmtree(self.base, ignore_errors=True)


class Notebook7(JupyterLab):
    """Jupyter Notebook 7 (`python -m notebook`), the classic-looking front end on JupyterLab's
    components; notebooks open at `/notebooks/NAME`."""

    name = "Notebook 7"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "notebook", *self.server_flags()]


class Marimo(JupyterLab):
    """`marimo run` of one app file (`notebook_dir / app`): the cells run when a page connects."""

    name = "marimo"

    def __init__(self, notebook_dir: Path, app: str, startup_timeout: float = 90.0):
        super().__init__(notebook_dir, startup_timeout)
        self.app = app

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "marimo",
            "-y",  # never prompt (there is no terminal)
            "run",
            self.app,
            "--headless",
            "--host=127.0.0.1",
            f"--port={self.port}",
            "--no-token",
            "--no-sandbox",
            "--no-check",
        ]

    def is_up(self) -> None:
        with urllib.request.urlopen(f"{self.url}/health", timeout=2.0) as response:
            response.read()


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks (field 22 of /proc/PID/stat), None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[19])


def children(parent: int) -> list[tuple[int, int]]:
    """(pid, start time) of the live direct children of `parent`, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == parent:
            found.append((int(entry.name), int(fields[19])))
    return found
