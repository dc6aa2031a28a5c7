"""The product as a user gets it: a wheel built from this tree, installed (not editable) in a fresh venv."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A venv holding only the built wheel; its dependencies come from the test venv through a .pth file,
    so the test needs no network and still runs the wheel's own files (code and stylesheet)."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next((work / "dist").glob("asc_tui-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3.*/site-packages"))
    deps = sysconfig.get_paths()["purelib"]
    (site / "zz_test_deps.pth").write_text(deps + "\n", encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    # pip --target writes no console script; write the one the wheel declares, as pip would.
    script = venv / "bin" / "asc-tui"
    script.write_text(
        f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom asc_tui.cli import main\nsys.exit(main())\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    yield venv
