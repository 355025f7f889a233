"""What a validation finds: one Finding per (check, focus node, constraint), whatever produced it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Finding:
    """One result: which check (shape or QC rule) fired on which node, why, and the words behind it."""

    severity: str
    check: str
    focus: str
    component: str = ""
    path: str = ""
    value: str = ""
    message: str = ""
    quote: str = ""

    def key(self) -> tuple[str, str, str, str]:
        """What identifies a result across validation paths: check, component, focus node, severity."""
        return (self.check, self.component, self.focus, self.severity)
