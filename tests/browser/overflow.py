"""Text that does not fit its box, found in the rendered page: a long number, name or email
running out of its tile, cell or card, or past the edge of a phone's screen.

    from tests.browser.overflow import assert_no_text_overflow
    assert_no_text_overflow(page)               # the whole page
    assert_no_text_overflow(page, "main")       # a part of it

Every visible text node is measured (its line boxes, through a DOM Range) against the box of
its nearest enclosing element that is not `display: inline` (the tile, cell or paragraph
that holds it) and against the viewport. Text inside an element that scrolls sideways on
purpose (`overflow-x: auto | scroll`, e.g. a wide table in a scrolling region) is measured
against its box only. Hidden text (`display: none`, `visibility: hidden`, the visually
hidden pattern's 1 px clipped box, a skip link parked off the left edge) is skipped.
"""

from __future__ import annotations

from typing import Any

# One pixel of slack for sub-pixel rounding; vertical checks allow a little more because a
# glyph's box may rise above or drop below a tight line-height without being clipped.
_FIND_OVERFLOWS = """
([selector, slack, verticalSlack]) => {
  const root = document.querySelector(selector);
  if (!root) return [`nothing matches ${selector}`];
  const viewport = document.documentElement.clientWidth;
  const describe = (element) => {
    const id = element.id ? `#${element.id}` : '';
    const classes = element.classList.length ? '.' + [...element.classList].join('.') : '';
    return element.tagName.toLowerCase() + id + classes;
  };
  const scrolls = (element) => {
    for (let at = element; at && at !== document.body; at = at.parentElement) {
      const overflowX = getComputedStyle(at).overflowX;
      if (overflowX === 'auto' || overflowX === 'scroll') return true;
    }
    return false;
  };
  const problems = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (!text || !parent || parent.closest('script, style, template, noscript, title')) continue;
    if (!parent.checkVisibility({ visibilityProperty: true })) continue;
    let box = parent;
    while (box.parentElement && ['inline', 'contents'].includes(getComputedStyle(box).display)) {
      box = box.parentElement;
    }
    const outer = box.getBoundingClientRect();
    // visually hidden, or moved off the left of the screen on purpose (a skip link)
    if (outer.width <= 1 || outer.height <= 1 || outer.right <= 0) continue;
    range.selectNodeContents(node);
    const lines = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
    const label = `"${text.slice(0, 60)}" in ${describe(box)}`;
    for (const line of lines) {
      if (line.left < outer.left - slack || line.right > outer.right + slack) {
        problems.push(`${label}: ${Math.round(line.left)}-${Math.round(line.right)} px ` +
          `sticks out of its box ${Math.round(outer.left)}-${Math.round(outer.right)} px`);
        break;
      }
      if (line.top < outer.top - verticalSlack || line.bottom > outer.bottom + verticalSlack) {
        problems.push(`${label}: lines ${Math.round(line.top)}-${Math.round(line.bottom)} px ` +
          `stick out of its box ${Math.round(outer.top)}-${Math.round(outer.bottom)} px`);
        break;
      }
      if (!scrolls(box) && (line.left < -slack || line.right > viewport + slack)) {
        problems.push(`${label}: ${Math.round(line.left)}-${Math.round(line.right)} px ` +
          `is outside the ${viewport} px wide screen`);
        break;
      }
    }
  }
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth) {
    problems.push(`the page scrolls sideways: ${page.scrollWidth} > ${page.clientWidth} px`);
  }
  return problems;
}
"""

# Elements whose text wraps onto a second line (a quote number, an amount).
_FIND_WRAPPED = """
(selector) => [...document.querySelectorAll(selector)].filter((el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
  return tops.size > 1;
}).map((el) => el.textContent.trim())
"""


def text_overflows(page: Any, selector: str = "body") -> list[str]:
    """Each visible text node under `selector` that sticks out of its box or off the
    screen (and the page itself scrolling sideways), as a line saying which and by how
    much."""
    return page.evaluate(_FIND_OVERFLOWS, [selector, 1, 3])  # type: ignore[no-any-return]


def wrapped(page: Any, selector: str) -> list[str]:
    """The text of each element matching `selector` that runs onto a second line."""
    return page.evaluate(_FIND_WRAPPED, selector)  # type: ignore[no-any-return]


def assert_no_text_overflow(page: Any, selector: str = "body") -> None:
    """Fails, naming every offender, when any visible text under `selector` overflows."""
    problems = text_overflows(page, selector)
    width = page.viewport_size["width"] if page.viewport_size else "?"
    assert problems == [], f"text overflows at {width} px:\n" + "\n".join(problems)
