"""The backup server under load: appends a second through gunicorn (2 workers, as `make run`), SQLite, loopback.

Each client is one device appending 4 KiB records (the commonest size: a small revision) to its own backup in
order, as the upload queue does; several devices at once, as at an agency. Rate limits are raised for the run:
they exist to slow one device, not to cap the server. Goal (issue 12): >= 500 appends a second on 2 workers.
"""
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from backup_support import API, Device  # noqa: E402
from bench_load import free_port, start_gunicorn, wait_until_up  # noqa: E402

from pwa.backup import wire  # noqa: E402
DEVICES = 8
RECORDS_PER_DEVICE = 150
GOAL_APPENDS_PER_S = 500


class HttpClient:
    """Just enough of Flask's test client for backup_support.Device, over a real connection."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method, path, body=None, headers=None):
        self.connection.request(method, path, body=body, headers=headers or {})
        response = self.connection.getresponse()
        return response.status, response.read()


def run_device(port: int, records: list[bytes], device: Device, times: list[float], failures: list[str]) -> None:
    client = HttpClient(port)
    auth = {**device.auth, "Content-Type": "application/octet-stream"}
    for seq, body in enumerate(records, start=1):
        started = time.perf_counter()
        status, answer = client.request("PUT", f"{API}/{device.id}/records/{seq}", body, auth)
        times.append(time.perf_counter() - started)
        if status != 201:
            failures.append(f"{status} {answer[:120]!r}")
            return


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        env = os.environ | {
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite'}", "SECRET_KEY": "bench-only-not-secret",
            "FLASK_APP": "pwa", "BACKUP_SIGNING_KEY": str(workdir / "signing.pem"),
            "BACKUP_RATE_PER_BACKUP": "1000000", "BACKUP_RATE_PER_ADDRESS": "1000000",
            "BACKUP_CREATES_PER_ADDRESS": "1000",
        }
        for command in (["init-db"], ["backup", "keygen"]):
            subprocess.run([sys.executable, "-m", "flask", *command], cwd=ROOT, env=env, check=True,
                           capture_output=True)
        port = free_port()
        server = start_gunicorn(env, port)
        try:
            wait_until_up(f"http://127.0.0.1:{port}/", server)
            devices, sealed = [], []
            for _ in range(DEVICES):
                device = Device(None)
                status, answer = HttpClient(port).request(
                    "POST", API, f'{{"id": "{device.id}", "tokenHash": "{device.keys.token_hash}"}}',
                    {"Content-Type": "application/json"})
                assert status == 201, answer
                devices.append(device)
                sealed.append([device.record(f"revision {n}") for n in range(RECORDS_PER_DEVICE)])
            assert all(len(body) == wire.bucket(len(body)) == 4096 for body in sealed[0])
            times, failures = [], []
            threads = [threading.Thread(target=run_device, args=(port, records, device, times, failures))
                       for device, records in zip(devices, sealed)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(10)
    assert not failures, failures[:3]
    times.sort()
    rate = len(times) / elapsed
    print(f"backup_server_appends_per_s: {rate:.0f} (goal >= {GOAL_APPENDS_PER_S}; gunicorn 2 workers, SQLite in WAL "
          f"mode, {DEVICES} devices appending 4 KiB records at once, {len(times)} appends)")
    print(f"backup_server_append_p50_p99: {times[len(times) // 2] * 1000:.0f} / "
          f"{times[int(len(times) * 0.99)] * 1000:.0f} ms (for information)")


if __name__ == "__main__":
    main()
