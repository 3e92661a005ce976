"""axe-core (vendored) run in the page: what a screen-reader or keyboard user would trip on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe.min.js"

# axe judges the page as it settles: CSS transitions still running (a button's focus colour
# fading in) are let finish first, for at most a second; endless animations are not waited for.
SETTLE = """async () => {
  const finite = document.getAnimations().filter(
    (animation) => animation.effect && animation.effect.getComputedTiming().endTime !== Infinity
  );
  await Promise.race([
    Promise.allSettled(finite.map((animation) => animation.finished)),
    new Promise((resolve) => setTimeout(resolve, 1000)),
  ]);
}"""

# One line per rule: "rule: help at target (what axe measured), ...". The measurements (the
# colours and ratio of a contrast failure, say) make a failure readable from a CI log.
VIOLATIONS = """async () => (await axe.run(document)).violations
  .filter((v) => ['serious', 'critical'].includes(v.impact))
  .map((v) => v.id + ': ' + v.help + ' at ' + v.nodes.map((n) => {
    const data = n.any.concat(n.all, n.none).map((check) => check.data).filter(Boolean);
    return n.target.join(' ') + (data.length ? ' ' + JSON.stringify(data) : '');
  }).join(', '))"""


def serious_violations(page: Any) -> list[str]:
    """The serious and critical axe violations on the page, as "rule: where" lines.
    The page's context needs `bypass_csp=True` (axe is injected as a script)."""
    page.evaluate(SETTLE)
    page.add_script_tag(content=AXE.read_text())
    return page.evaluate(VIOLATIONS)  # type: ignore[no-any-return]
