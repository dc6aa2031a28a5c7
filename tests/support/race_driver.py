"""One admin in the two-process race test: hundreds of store changes through the services, each logged.

Run as `python -m tests.support.race_driver DB LABEL OPS SEED CONNECTED_IDS OUT` from the repository root. It opens
its own registry, prints "ready", waits for a line on stdin (so both admins start together), then adds,
edits, activates/deactivates and deletes the stores it sees, sometimes from a view a few changes old (as a
screen is), sometimes racing for one of a few contested names. Every call's outcome goes to OUT as a JSON
line: confirmed (with what was saved), refused (with the kind of refusal), or unexpected (a crash, a
database error that is not one sentence): the test reads the two logs against the final database.
"""

from __future__ import annotations

import json
import random
import sys
import traceback
from typing import Any

from asc_tui.domain import StoreDraft, StoreEdit, StoreStatus
from asc_tui.errors import StoreChanged, StoreNameTaken, StoreNotFound, StoreValidationError
from asc_tui.services.registry import open_registry
from asc_tui.storage.models import Store

CONTESTED = [f"Contested {n}" for n in range(4)]


def refusal(exc: BaseException) -> str | None:
    """The conflict an admin is told about, or None for anything else."""
    if isinstance(exc, StoreChanged):
        return "changed"
    if isinstance(exc, StoreNotFound):
        return "not_found"
    if isinstance(exc, StoreNameTaken):
        return "name_taken"
    if isinstance(exc, StoreValidationError) and "already exists" in exc.errors.get("name", "x"):
        return "name_taken" if set(exc.errors) == {"name"} else None
    return None


def saved(store: Store) -> dict[str, Any]:
    return {
        "store_id": store.id,
        "version": store.version,
        "name": store.name,
        "email": store.email,
        "status": store.status,
    }


def main(db: str, label: str, ops: int, seed: int, connected_text: str, out_path: str) -> int:
    rng = random.Random(seed)
    connected = set(json.loads(connected_text))
    registry = open_registry(db)
    stores = registry.stores
    print("ready", flush=True)
    sys.stdin.readline()
    view: list[Store] = stores.list_stores()
    with open(out_path, "w", encoding="utf-8") as out:
        for i in range(ops):
            if rng.random() < 0.4:  # a fresh view; otherwise act on one a few changes old
                view = stores.list_stores()
            roll = rng.random()
            contested = rng.random() < 0.2
            entry: dict[str, Any] = {"i": i}
            try:
                if roll < 0.2 or not view:
                    name = rng.choice(CONTESTED) if contested else f"{label} new {i}"
                    entry |= {"op": "add", "name": name}
                    added = stores.add(
                        StoreDraft(name=name, email=f"{label}-{i}@example.com", country="US", website="base")
                    )
                    entry["result"] = saved(added)
                elif roll < 0.35:
                    target = rng.choice([s for s in view if s.id not in connected] or view)
                    if target.id in connected:
                        continue
                    entry |= {"op": "delete", "store_id": target.id, "from_version": target.version}
                    entry["result"] = saved(registry.delete_store(target.id or 0, target.version))
                elif roll < 0.55 and any(s.id in connected for s in view):
                    target = rng.choice([s for s in view if s.id in connected])
                    activate = target.status != StoreStatus.ACTIVE.value
                    entry |= {
                        "op": "activated" if activate else "deactivated",
                        "store_id": target.id,
                        "from_version": target.version,
                    }
                    entry["result"] = saved(stores.set_active(target.id or 0, activate, target.version))
                else:
                    target = rng.choice(view)
                    name = rng.choice(CONTESTED) if contested else f"{label} edit {i}"
                    email = f"{label.lower()}-{i}@example.com"
                    entry |= {
                        "op": "edited",
                        "store_id": target.id,
                        "from_version": target.version,
                        "name": name,
                        "email": email,
                    }
                    entry["result"] = saved(
                        stores.edit(target.id or 0, StoreEdit(name, email), target.version)
                    )
                entry["outcome"] = "confirmed"
            except Exception as exc:
                kind = refusal(exc)
                if kind is None:
                    entry |= {
                        "outcome": "unexpected",
                        "error": f"{type(exc).__name__}: {exc}",
                        "trace": traceback.format_exc(),
                    }
                else:
                    entry |= {"outcome": "refused", "refusal": kind, "message": str(exc)}
            out.write(json.dumps(entry) + "\n")
    registry.close()
    return 0


if __name__ == "__main__":
    db, label, ops, seed, connected_ids, out = sys.argv[1:7]
    sys.exit(main(db, label, int(ops), int(seed), connected_ids, out))
