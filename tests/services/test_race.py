"""Two admins at once, for real: two processes change the same stores hundreds of times, interleaved.

Afterwards the database and the two processes' logs must tell the same story: every change that was
confirmed is there, every refusal was a conflict the admin was told about (changed by someone else, gone,
name taken), names are unique, and each store's activity log lists exactly its confirmed changes.
Runs on SQLite (one file, two writers) and on PostgreSQL.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from asc_tui.domain import StoreDraft, name_key
from asc_tui.services.registry import open_registry
from asc_tui.storage.database import resolve_url

ROOT = Path(__file__).resolve().parents[2]
OPS_PER_ADMIN = int(os.environ.get("ASC_TUI_RACE_OPS", "300"))
SEEDED = 8
CONNECTED = 3  # seeded stores marked connected (as if through Amazon), so they can be (de)activated


def replay(start: dict[str, Any], log: list[Any]) -> tuple[str, str, str]:
    """The store's name, email and status as its activity log tells them (details as the service writes)."""
    name, email, status = start["name"], start["email"], start["status"]
    for row in log:
        if row.action in ("activated", "deactivated"):
            status = "active" if row.action == "activated" else "inactive"
            continue
        assert row.action == "edited", row
        for part in row.detail.split("; "):
            if part.startswith("name "):
                before, after = part.removeprefix("name ").split(" → ")
                assert ast.literal_eval(before) == name, (row, name)
                name = ast.literal_eval(after)
            else:
                before, after = part.removeprefix("email ").split(" → ")
                assert before == email, (row, email)
                email = after
    return name, email, status


def run_admins(db: str, connected: list[int], tmp_path: Path) -> list[dict[str, Any]]:
    logs = [tmp_path / f"admin{n}.jsonl" for n in (1, 2)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.race_driver",
                db,
                f"P{n}",
                str(OPS_PER_ADMIN),
                str(n * 7919),
                json.dumps(connected),
                str(log),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, log in zip((1, 2), logs, strict=True)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:  # both are open and waiting: start them together
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [proc.communicate(timeout=240) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert [p.returncode for p in procs] == [0, 0], [err[-3000:] for _out, err in results]
    entries = []
    for n, log in enumerate(logs, 1):
        for line in log.read_text(encoding="utf-8").splitlines():
            entries.append(json.loads(line) | {"admin": n})
    return entries


@pytest.mark.slow
def test_two_admins_changing_the_same_stores_lose_nothing(backend: str, tmp_path: Path) -> None:
    registry = open_registry()  # the SQLite file in the test's home, or PostgreSQL (ASC_TUI_DATABASE)
    db = resolve_url(None)
    seeded = registry.stores.add_many(
        [
            StoreDraft(name=f"Store {n}", email=f"s{n}@example.com", country="US", website="base")
            for n in range(SEEDED)
        ]
    )
    connected = [s.id or 0 for s in seeded[:CONNECTED]]
    with registry.database.engine.begin() as conn:
        for store_id in connected:
            conn.execute(
                text("UPDATE store SET status='active', seller_id=:s WHERE id=:i"),
                {"s": f"A1SELLER{store_id:04d}", "i": store_id},
            )
    revision_before = registry.stores.revision()
    seeded_state = {
        s.id: {"name": s.name, "email": s.email, "status": s.status} for s in registry.stores.list_stores()
    }

    entries = run_admins(db, connected, tmp_path)

    final = {s.id: s for s in registry.stores.list_stores()}
    activity = {store_id: registry.stores.activity(store_id) for store_id in final}
    with registry.database.engine.connect() as conn:
        orphans = conn.execute(
            text("SELECT count(*) FROM activity WHERE store_id NOT IN (SELECT id FROM store)")
        )
        orphan_rows = orphans.scalar()
    revision_after = registry.stores.revision()
    registry.close()

    outcomes = Counter(e["outcome"] for e in entries)
    refusals = Counter(e.get("refusal") for e in entries if e["outcome"] == "refused")
    print(f"\n{backend}: {len(entries)} calls, {dict(outcomes)}, refusals {dict(refusals)}")

    # Every refusal was a conflict the admin was told about; nothing crashed, nothing was "busy".
    unexpected = [e for e in entries if e["outcome"] == "unexpected"]
    assert unexpected == [], (
        "\n".join(sorted({e["error"] for e in unexpected})) + "\n" + unexpected[0]["trace"]
    )
    assert set(refusals) <= {"changed", "not_found", "name_taken"}
    assert len(entries) >= 2 * OPS_PER_ADMIN * 0.9
    # The race was real: both admins got changes in, and both were refused some.
    assert outcomes["confirmed"] > OPS_PER_ADMIN / 2 and outcomes["refused"] > 10
    assert refusals["changed"] > 0 and {e["admin"] for e in entries if e["outcome"] == "refused"} == {1, 2}

    confirmed = [e for e in entries if e["outcome"] == "confirmed"]
    adds = {e["result"]["store_id"]: e for e in confirmed if e["op"] == "add"}
    deletes = [e for e in confirmed if e["op"] == "delete"]
    changes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in confirmed:
        if e["op"] in ("edited", "activated", "deactivated"):
            assert e["result"]["version"] == e["from_version"] + 1, e  # every confirmed change changed
            changes[e["store_id"]].append(e)

    # A store is deleted once, and a confirmed delete is final; nothing else disappeared.
    deleted = Counter(e["store_id"] for e in deletes)
    assert all(n == 1 for n in deleted.values()), deleted
    assert not set(deleted) & set(final)
    known = {s.id for s in seeded} | set(adds)
    assert set(final) == known - set(deleted), "a store appeared or vanished without a confirmed add/delete"
    assert orphan_rows == 0

    # Names stay unique (case-insensitively), whatever the two admins raced for.
    keys = [name_key(s.name) for s in final.values()]
    assert len(keys) == len(set(keys)) and all(s.name_key == name_key(s.name) for s in final.values())

    for store_id, store in final.items():
        mine = sorted(changes.get(store_id, []), key=lambda e: e["result"]["version"])
        # Versions 2..N each come from exactly one confirmed change: none was overwritten by another.
        assert [e["result"]["version"] for e in mine] == list(range(2, store.version + 1)), (store_id, mine)
        last = mine[-1]["result"] if mine else None
        if last is not None:
            assert (store.name, store.email, store.status) == (last["name"], last["email"], last["status"])
        # The activity log tells the same story: created, then each confirmed change in order; replaying
        # what it says from the store's first state gives exactly the final state.
        log = list(reversed(activity[store_id]))
        assert [a.action for a in log] == ["created"] + [e["op"] for e in mine], store_id
        start = adds[store_id]["result"] if store_id in adds else seeded_state[store_id]
        assert replay(start, log[1:]) == (store.name, store.email, store.status), store_id
        edits = [a for a in log if a.action == "edited"]
        if edits:  # the last edit names the final email (and the final name, when it changed it)
            assert edits[-1].detail.endswith(f"→ {store.email}") or f"→ {store.email};" in edits[-1].detail
    assert revision_after > revision_before
