"""Merge translations from another .po file (a translator's, or a part done separately) into a catalog.

    python scripts/i18n_add.py PART.po [--language zh_Hant]

Entries of PART.po with a translation replace or add entries in asc_tui/locale/LANG/LC_MESSAGES/asc_tui.po
(under a lock, so several people can merge at once), then the catalog is compiled. Nothing is removed:
`make i18n-update` drops entries whose string left the code.
"""

from __future__ import annotations

import argparse
import fcntl
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", type=Path)
    parser.add_argument("--language", default="zh_Hant")
    args = parser.parse_args()
    folder = ROOT / "asc_tui" / "locale" / args.language / "LC_MESSAGES"
    target = folder / "asc_tui.po"
    with args.part.open("rb") as handle:
        part = read_po(handle, locale=args.language)
    with (folder / ".merge.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with target.open("rb") as handle:
            catalog = read_po(handle, locale=args.language)
        added = 0
        for message in part:
            if not message.id or not message.string:
                continue
            existing = catalog.get(message.id)
            if existing is None:
                catalog.add(message.id, message.string, flags=())
            else:
                existing.string = message.string
                existing.flags.discard("fuzzy")
            added += 1
        with target.open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False, no_location=True)
        with (folder / "asc_tui.mo").open("wb") as handle:
            write_mo(handle, catalog)
    print(f"{added} translation(s) merged into {target.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
