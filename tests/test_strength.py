"""The vendored passphrase strength estimator (zxcvbn-ts): what is served, its size, its licence, and how the
service worker lists it (kept once used, not fetched at install)."""
import gzip
import re

from pwa.settings import PROJECT_ROOT
from test_pwa import urls, worker

VENDOR = PROJECT_ROOT / "pwa" / "static" / "vendor" / "zxcvbn-ts"
SCRIPT = PROJECT_ROOT / "scripts" / "build_strength_data.mjs"
BUDGET_GZIP = 200 * 1024  # both files together, as served (gzip level 6)


def test_vendored_files_are_es_modules_within_budget_and_need_no_eval():
    core = (VENDOR / "core.js").read_text(encoding="utf-8")
    data = (VENDOR / "dictionaries.js").read_text(encoding="utf-8")
    assert "export const { ZxcvbnFactory" in core and "this.zxcvbnts" not in core
    assert "export const dictionary" in data and "export const adjacencyGraphs" in data
    for source in (core, data):
        # script-src 'self' without 'unsafe-eval': neither may build code from strings.
        assert not re.search(r"\beval\s*\(|\bnew\s+Function\b|\bFunction\s*\(", source)
        assert "sourceMappingURL" not in source  # no map is vendored
        # Nothing is fetched, loaded or sent from here (the web addresses in core.js are in comments).
        assert not re.search(r"fetch\(|XMLHttpRequest|import\(|importScripts|sendBeacon|WebSocket|createElement", source)
    served = sum(len(gzip.compress(path.read_bytes(), compresslevel=6)) for path in (VENDOR / "core.js", VENDOR / "dictionaries.js"))
    assert served <= BUDGET_GZIP


def test_vendored_files_carry_their_licences_and_versions():
    licence = (VENDOR / "LICENSE.txt").read_text(encoding="utf-8")
    assert licence.count("Permission is hereby granted, free of charge") == 3
    assert "Dan Wheeler and Dropbox" in licence and "Kasper Unn Weihe" in licence
    assert "ODC-BY" in (VENDOR / "NOTICE.md").read_text(encoding="utf-8")
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    pinned = re.findall(r"'(@zxcvbn-ts/[a-z-]+)': '([0-9.]+)'", SCRIPT.read_text(encoding="utf-8"))
    assert len(pinned) == 4
    for name, version in pinned:
        assert f"| {name} | {version} |" in readme
        assert f"{name} {version}" in (VENDOR / "core.js").read_text(encoding="utf-8")[:400]


def test_worker_keeps_the_estimator_on_demand_not_at_install(client):
    _, precache = worker(client)
    on_demand = [entry["url"] for entry in precache["onDemand"]]
    assert "/static/vendor/zxcvbn-ts/core.js" in on_demand and "/static/vendor/zxcvbn-ts/dictionaries.js" in on_demand
    assert all(re.fullmatch(r"[0-9a-f]{20}", entry["revision"]) for entry in precache["onDemand"])
    assert not [url for url in urls(precache) if url.startswith("/static/vendor/")]
    assert "/static/js/journal/strength.js" in urls(precache)  # the built-in estimate is there offline from the start
