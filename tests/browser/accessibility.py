"""axe-core (vendored) run in the page: what a screen-reader or keyboard user would trip on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def serious_violations(page: Any) -> list[str]:
    """The serious and critical axe violations on the page, as "rule: where" lines.
    The page's context needs `bypass_csp=True` (axe is injected as a script)."""
    page.add_script_tag(content=AXE.read_text())
    return page.evaluate(  # type: ignore[no-any-return]
        "async () => (await axe.run(document)).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
