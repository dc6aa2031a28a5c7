"""What each entry point imports decides how soon the admin sees something: checked in fresh interpreters."""

import subprocess
import sys


def loaded_after(statement: str, *modules: str) -> dict[str, bool]:
    code = f"import sys; {statement}; print(' '.join(str(m in sys.modules) for m in {modules!r}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(zip(modules, (v == "True" for v in out.stdout.split()), strict=True))


def test_core_imports_no_textual() -> None:
    loaded = loaded_after(
        "import asc_tui.cli, asc_tui.services.registry, asc_tui.services.stores, asc_tui.storage.database",
        "textual",
    )
    assert loaded == {"textual": False}


def test_the_ui_leaves_sqlmodel_to_the_worker_that_opens_the_registry() -> None:
    loaded = loaded_after("import asc_tui.ui.app", "sqlmodel", "sqlalchemy", "alembic")
    assert loaded == {"sqlmodel": False, "sqlalchemy": False, "alembic": False}


def test_an_up_to_date_database_opens_without_alembic(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "ready.db"
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"from asc_tui.storage.database import open_database; open_database({str(db)!r})",
        ],
        check=True,
    )
    loaded = loaded_after(
        f"from asc_tui.storage.database import open_database; open_database({str(db)!r})", "alembic"
    )
    assert loaded == {"alembic": False}
