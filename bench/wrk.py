"""Measuring with wrk: a page (or a stream of prepared requests) against a gunicorn server.

`bench/load.py` builds the measures; this runs them, portal and bare pages alternately
round after round, and keeps requests per second, the median latency, the answers that
were errors and the load average of each run.
"""

import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync"]


@dataclass
class Measure:
    """One line of the table: a request (or a stream of them) and its goal."""

    name: str
    kind: str  # "html", "json" or "write": which bare page it is compared with
    goal: str  # "share 0.40", "p50 10" (ms, one user) ...
    url: str = ""
    method: str = "GET"
    headers: dict = field(default_factory=dict)
    body: str = ""
    lines: list[str] = field(default_factory=list)  # one request each, for writes
    one_user: bool = False
    baseline: float = 0.0
    results: list[dict] = field(default_factory=list)


# --- the servers --------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    url: str


class server:
    """A gunicorn server on a free loopback port, stopped on leaving the block."""

    def __init__(self, target: list[str], env: dict):
        self.target, self.env = target, env

    def __enter__(self) -> Server:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        command = [*GUNICORN, "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
        self.process = subprocess.Popen([*command, *self.target], cwd=ROOT, env=self.env)
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/", timeout=2).read()
                break
            except Exception:
                time.sleep(0.2)
        return Server(self.process, url)

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def worker_memory(process: subprocess.Popen) -> list[int]:
    """Resident memory of each gunicorn worker, in MB."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024)
    return sizes


# --- measuring ------------------------------------------------------------------------------

LUA = """
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  lines = {}
  local file = os.getenv("BENCH_LINES")
  if file and file ~= "" then
    for line in io.lines(file) do table.insert(lines, line) end
  end
  index = tid + 1
  bad = 0
end
function request()
  if #lines == 0 then return wrk.request() end
  local line = lines[index]
  index = index + 2
  if line == nil then
    return wrk.format("GET", "/healthz")
  end
  local field = "([^\\t]*)\\t"
  local method, path, credential, kind, body = line:match(field:rep(4) .. "(.*)")
  local headers = {}
  if kind == "json" then
    headers["Content-Type"] = "application/json"
    headers["Authorization"] = credential
  else
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Cookie"] = credential
  end
  return wrk.format(method, path, headers, body)
end
function response(status, headers, body)
  if status >= 400 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total, last = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
    last = math.max(last, thread:get("index"))
  end
  io.write(string.format("bad_answers %d\\nlines_used %d\\n", total, last))
end
"""


def run_rounds(measures, portal: Server, bare: Server, args, folder: Path) -> None:
    lua = folder / "bench.lua"
    lua.write_text(LUA)
    bare_measures = {
        "html": Measure("bare page", "html", "", "/"),
        "json": Measure(
            "bare JSON POST", "json", "", "/json", "POST", {"Content-Type": "application/json"}
        ),
        "write": Measure(
            "bare insert", "write", "", "/insert", "POST", {"Content-Type": "application/json"}
        ),
    }
    bare_measures["json"].body = json.dumps({"car_model_id": 1, "mileage_km": 45000})
    bare_measures["write"].body = json.dumps({"payload": "one row"})
    for measure in [*measures, *bare_measures.values()]:  # warm both servers up
        measure_once(measure, portal if measure.name[:4] != "bare" else bare, lua, folder, 1)
        measure.results.clear()
    for round_number in range(1, args.rounds + 1):
        print(f"Round {round_number} of {args.rounds}")
        # Each round measures the bare pages of the kinds it needs, then the portal's pages:
        # the rounds alternate the two servers (once per page took the run past 15 minutes).
        for kind in dict.fromkeys(m.kind for m in measures if not m.one_user):
            measure_once(bare_measures[kind], bare, lua, folder, args.duration, args.connections)
        for measure in measures:
            result = measure_once(measure, portal, lua, folder, args.duration, args.connections)
            print(
                f"  {measure.name:32} {result['rps']:8.1f} req/s  p50 {result['p50']:7.1f} ms"
                f"  load {result['load']}"
            )
    for kind, bare_measure in bare_measures.items():
        if bare_measure.results:
            rps = statistics.median(r["rps"] for r in bare_measure.results)
            print(f"bare {kind}: {rps:.1f} req/s")
    html = bare_measures["html"].results
    for measure in measures:
        results = bare_measures[measure.kind].results or html
        measure.baseline = statistics.median(r["rps"] for r in results) if results else 0.0


def measure_once(
    measure: Measure, target: Server, lua: Path, folder: Path, duration: int, connections=32
) -> dict:
    """Run wrk once; record requests/s, the median latency and the load average."""
    connections, threads = (1, 1) if measure.one_user else (connections, 2)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    command += ["-s", str(lua), "--timeout", "30s"]
    for name, value in measure.headers.items():
        command += ["-H", f"{name}: {value}"]
    env = os.environ.copy()
    if measure.lines:
        lines = folder / "lines.tsv"
        lines.write_text("\n".join(measure.lines) + "\n")
        env["BENCH_LINES"] = str(lines)
    else:
        env["BENCH_LINES"] = ""
    if measure.method != "GET":
        script = folder / f"{abs(hash(measure.name))}.lua"
        body = json.dumps(measure.body)
        script.write_text(
            LUA.replace(
                "return wrk.request()", f"return wrk.format('{measure.method}', nil, nil, {body})"
            )
        )
        command[command.index(str(lua))] = str(script)
    load = Path("/proc/loadavg").read_text().split()[0]
    output = subprocess.run(
        [*command, target.url + (measure.url or "/")], capture_output=True, text=True, env=env
    ).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "bad": int(re.search(r"bad_answers (\d+)", output).group(1)),
        "load": load,
    }
    if measure.lines:  # each write is made once: drop the lines this run used
        used = int(re.search(r"lines_used (\d+)", output).group(1))
        if used > len(measure.lines):
            print(f"  ({measure.name}: ran out of prepared requests; figure too high)")
        measure.lines = measure.lines[used:]
    measure.results.append(result)
    return result


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
