"""One row of `asc-tui doctor`'s report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckResult:
    """One row of the report; `fix` is one sentence, set exactly when the row is a problem.

    Every text is in the current language (`asc-tui doctor --json` runs in English).
    """

    check: str
    ok: bool
    detail: str
    fix: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"check": self.check, "ok": self.ok, "detail": self.detail, "fix": self.fix}


def ok(check: str, detail: str) -> CheckResult:
    return CheckResult(check, True, detail)


def problem(check: str, detail: str, fix: str) -> CheckResult:
    return CheckResult(check, False, detail, fix)
