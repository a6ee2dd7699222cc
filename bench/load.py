"""wrk (Debian's package) against one target: a Lua script for POST bodies, `--latency`, and
the figures parsed from its report (requests/s, p50, p99, errors)."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Figures:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True,
                   stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is missing and `apt-get install -y wrk` did not install it")
    return found


def lua_post(body: str) -> Path:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    quoted = body.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    script.write_text('wrk.method = "POST"\n'
                      f'wrk.body = "{quoted}"\n'
                      'wrk.headers["Content-Type"] = "application/json"\n')
    return script


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse(report: str) -> Figures:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", report).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", report).group(1))  # type: ignore[union-attr]
    errors = 0
    if (m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)):
        errors += int(m.group(1))
    if (m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       report)):
        errors += sum(int(g) for g in m.groups())
    return Figures(rps, p50, p99, errors)


def run(url: str, *, script: Path | None, duration: float, connections: int,
        threads: int = 1) -> Figures:
    command = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{duration:g}s",
               "--latency", "--timeout", "10s"]
    if script is not None:
        command += ["-s", str(script)]
    done = subprocess.run(command + [url], check=True, capture_output=True, text=True)
    return parse(done.stdout)
