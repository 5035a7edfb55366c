"""The journal's backup in Chromium at 4x CPU throttle: back up and restore 1,000 entries and 20 photos of 2 MB.

Seeds the journal through its own modules (as bench_journal does), turns the backup on, then times the upload of
everything (sealing each revision and photo into records, one PUT each, receipts checked and kept sealed) and, in
a fresh profile, the restore (fetching every record, opening and checking it, re-assembling photos, writing the
journal, verifying the whole chain). Bytes sent are counted at the server (request lines, headers and bodies);
the upload overhead is what the records add to the ciphertext the journal holds (padding to size buckets,
headers, commitments, AES-GCM), and with HTTP on top. The request limits are raised for the run: at the default
600 requests a minute per backup, a first upload of this journal takes at least two minutes by design.
"""
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import make_app  # noqa: E402
from support import LAUNCH, LiveServer  # noqa: E402

ENTRIES = 1000
PHOTOS = 20
PHOTO_BYTES = 2 * 1024 * 1024
PASSPHRASE = "benchmark passphrase with several words"
CPU = 4
GOAL_RESTORE_S = 10
GOAL_OVERHEAD = 0.15

SEED = """async ({ passphrase, count, photos, photoBytes }) => {
  const { openStore } = await import('/static/js/journal/store.js')
  const { Vault } = await import('/static/js/journal/vault.js')
  const { Journal } = await import('/static/js/journal/entries.js')
  const { addPhoto } = await import('/static/js/journal/photos.js')
  const vault = new Vault(await openStore())
  await vault.setup(passphrase)
  const journal = new Journal(vault)
  await journal.load()
  const words = 'shouted door keys phone money car sister work kitchen night threatened followed messages bank'.split(' ')
  const every = Math.floor(count / photos)
  for (let i = 0; i < count; i++) {
    const day = new Date(Date.UTC(2024, 0, 1) + i * 86400000).toISOString().slice(0, 10)
    const pick = (n) => Array.from({ length: n }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ')
    const refs = []
    if (i % every === 0 && i / every < photos) {
      const bytes = new Uint8Array(photoBytes)
      for (let at = 0; at < bytes.length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536))
      refs.push(await addPhoto(vault, new File([bytes], `photo-${i}.jpg`, { type: 'image/jpeg' })))
    }
    await journal.save(null, {
      occurredDate: day, occurredTime: '21:15', approximate: i % 3 === 0, partOfDay: 'evening', occurredNote: '',
      place: `Place ${i}`, what: `Entry ${i}: ${pick(60)}`, who: pick(3), injuries: i % 5 ? '' : pick(10), medical: '',
      effect: pick(25), witnesses: '', childrenPresent: i % 2 ? 'yes' : 'no', children: '', evidence: pick(5),
      policeOfficer: '', crimeReference: i % 10 ? '' : `CC-${i}`, tags: ['threats']
    }, refs)
  }
  const log = await vault.store.getAll('log')
  const attachments = await vault.store.getAll('attachments')
  vault.lock()
  return { revisions: log.length, revisionBytes: log.reduce((n, item) => n + item.body.length, 0),
    photos: attachments.length, photoBytes: attachments.reduce((n, a) => n + a.body.length, 0) }
}"""

BACK_UP = """async (passphrase) => {
  const { openStore } = await import('/static/js/journal/store.js')
  const { Session } = await import('/static/js/journal/session.js')
  const { Backup } = await import('/static/js/journal/backup/device.js')
  const session = new Session(await openStore(), { idleMs: 3600000 })
  await session.unlock(passphrase)
  const backup = new Backup(session)
  const code = await backup.turnOn(passphrase)
  const started = performance.now()
  await backup.kick()
  while (await backup.waiting()) await (backup.running || new Promise((resolve) => setTimeout(resolve, 200)).then(() => backup.kick()))
  return { code, ms: performance.now() - started, receipts: (await backup.receipts()).length }
}"""

RESTORE = """async ({ code, passphrase }) => {
  const { openStore } = await import('/static/js/journal/store.js')
  const { Session } = await import('/static/js/journal/session.js')
  const { fetchCopy, fromServer, install } = await import('/static/js/journal/backup/device.js')
  const started = performance.now()
  const copy = await fetchCopy(code)
  const fetched = performance.now()
  const restored = await fromServer(copy, passphrase)
  const session = new Session(await openStore(), { idleMs: 3600000 })
  await install(session.vault.store, restored, passphrase)
  await session.unlock(passphrase)
  await session.journal.load()
  const check = await session.journal.verify()
  return { ms: performance.now() - started, fetchMs: fetched - started, revisions: check.count, photos: check.photos,
    problems: check.problems.length + restored.problems.length, receipts: restored.checked }
}"""


class CountingMiddleware:
    """Counts what reaches the server: request lines, headers and bodies of the backup's writes."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.sent = self.bodies = self.puts = 0

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "PUT" and environ["PATH_INFO"].startswith("/api/v1/backups/"):
            body = int(environ.get("CONTENT_LENGTH") or 0)
            line = len(f"PUT {environ['PATH_INFO']} HTTP/1.1\r\n")
            headers = sum(len(f"{k[5:].replace('_', '-')}: {v}\r\n") for k, v in environ.items() if k.startswith("HTTP_"))
            headers += len(f"Content-Type: {environ.get('CONTENT_TYPE', '')}\r\nContent-Length: {body}\r\n\r\n")
            with self.lock:
                self.sent += line + headers + body
                self.bodies += body
                self.puts += 1
        return self.app(environ, start_response)


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", BACKUP_RATE_PER_BACKUP=100_000,
                       BACKUP_RATE_PER_ADDRESS=100_000)
        counter = CountingMiddleware(app)
        server = LiveServer(counter).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**LAUNCH)
                page = browser.new_page(base_url=server.url)
                page.goto("/journal")
                started = time.perf_counter()
                seeded = page.evaluate(SEED, {"passphrase": PASSPHRASE, "count": ENTRIES, "photos": PHOTOS,
                                              "photoBytes": PHOTO_BYTES})
                print(f"backup_seed: {time.perf_counter() - started:.1f} s (setup only, no goal; {seeded['revisions']} "
                      f"revisions, {seeded['photos']} photos)", flush=True)
                cdp = page.context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU})
                backed = page.evaluate(BACK_UP, PASSPHRASE)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
                records = counter.puts
                print(f"backup_upload_{ENTRIES}_entries_{PHOTOS}_photos_{CPU}x_cpu: {backed['ms'] / 1000:.1f} s "
                      f"(no goal; {records} records, {records / (backed['ms'] / 1000):.0f} a second, "
                      f"{backed['receipts']} receipts checked and kept)", flush=True)
                ciphertext = seeded["revisionBytes"] + seeded["photoBytes"]
                print(f"backup_bytes_sent: {counter.sent / 1024 / 1024:.1f} MiB (no goal; {counter.bodies / 1024 / 1024:.1f} "
                      f"MiB of records for {ciphertext / 1024 / 1024:.1f} MiB of ciphertext on the phone)", flush=True)
                overhead = counter.bodies / ciphertext - 1
                print(f"backup_upload_overhead: {overhead * 100:.1f} % (goal <= {GOAL_OVERHEAD * 100:.0f} %) "
                      f"{'ok' if overhead <= GOAL_OVERHEAD else 'OVER'}; with HTTP requests "
                      f"{(counter.sent / ciphertext - 1) * 100:.1f} %; revisions alone "
                      f"{(ENTRIES * 4096 / seeded['revisionBytes'] - 1) * 100:.0f} % (each padded to 4 KiB)", flush=True)

                fresh = browser.new_context(base_url=server.url).new_page()
                fresh.goto("/journal")
                cdp = fresh.context.new_cdp_session(fresh)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU})
                restored = fresh.evaluate(RESTORE, {"code": backed["code"], "passphrase": PASSPHRASE})
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
                assert restored["revisions"] == seeded["revisions"] and restored["photos"] == PHOTOS, restored
                assert restored["problems"] == 0 and restored["receipts"] == records, restored
                seconds = restored["ms"] / 1000
                print(f"backup_restore_{ENTRIES}_entries_{PHOTOS}_photos_{CPU}x_cpu: {seconds:.1f} s "
                      f"(goal <= {GOAL_RESTORE_S} s) {'ok' if seconds <= GOAL_RESTORE_S else 'OVER'}; fetching "
                      f"{restored['fetchMs'] / 1000:.1f} s, every receipt and the whole chain checked", flush=True)
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    raise SystemExit("run it with: .venv/bin/python benchmarks/run.py backup")
