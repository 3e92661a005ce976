"""One check's outcome, as `manage.py verify` prints it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CheckResult:
    """`at` names where a failing check broke ("event #5", "acceptance #3"); `notes` say
    what a passing check could not compare."""

    name: str
    ok: bool
    detail: str
    at: str = ""
    notes: tuple[str, ...] = ()

    def line(self) -> str:
        if self.ok:
            notes = "".join(f"; {note}" for note in self.notes)
            return f"{self.name}: ok ({self.detail}{notes})"
        where = f" at {self.at}" if self.at else ""
        return f"{self.name}: BROKEN{where}: {self.detail}"


@dataclass
class Findings:
    """Problems (the check fails) and notes (it passes, with a remark), in plain words."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def result(self, name: str, ok_detail: str, *, at: str = "") -> CheckResult:
        if self.problems:
            return CheckResult(name, False, "; ".join(self.problems), at=at)
        return CheckResult(name, True, ok_detail, notes=tuple(self.notes))
