// What the client looked at (quotery/portal/attention.py). Only on a page whose open the
// view beacon can count (portal.js; staff visits and previews carry neither script).
// Measures how long each marked part of the quote (data-attention: "section:<n>", "totals",
// "notes") was at least half on screen, or filled at least half of it, while the tab was
// visible, and sends the running whole seconds of every part: every 30 s while something
// grew, and when the tab is hidden or the page left. Running totals, not increments: a batch
// lost on the way costs nothing, the next one carries it.
(() => {
  "use strict";
  const SEND_EVERY_MS = 30000;
  const main = document.querySelector("main[data-attention-url]");
  if (!main || !("IntersectionObserver" in window) || !navigator.sendBeacon) return;
  const parts = document.querySelectorAll("[data-attention]");
  if (!parts.length) return;

  const totals = new Map(); // part -> milliseconds on screen so far
  const onScreen = new Set();
  let tick = performance.now();
  let lastSent = "";
  let lastShown = ""; // the part that came on screen most recently

  // Whether the tab was visible since the last tick: when "visibilitychange" fires, the
  // state already says hidden, but the time up to that moment was seen.
  let visible = document.visibilityState === "visible";

  function settle() {
    const at = performance.now();
    if (visible) {
      for (const part of onScreen) totals.set(part, (totals.get(part) || 0) + (at - tick));
    }
    tick = at;
    visible = document.visibilityState === "visible";
  }

  function send() {
    settle();
    const report = {};
    for (const [part, ms] of totals) {
      const seconds = Math.floor(ms / 1000);
      if (seconds > 0) report[part] = seconds;
    }
    const text = JSON.stringify(report);
    if (text === "{}" || text === lastSent) return;
    const body = new URLSearchParams({
      open: main.dataset.open,
      sections: text,
      last: lastShown,
      csrfmiddlewaretoken: main.dataset.csrf,
    });
    if (navigator.sendBeacon(main.dataset.attentionUrl, body)) lastSent = text;
  }

  const thresholds = Array.from({ length: 21 }, (_, i) => i / 20);
  const observer = new IntersectionObserver((entries) => {
    settle();
    for (const entry of entries) {
      const part = entry.target.dataset.attention;
      const view = entry.rootBounds ? entry.rootBounds.height : window.innerHeight;
      const shown =
        entry.isIntersecting &&
        (entry.intersectionRatio >= 0.5 || entry.intersectionRect.height >= view / 2);
      if (shown && !onScreen.has(part)) lastShown = part;
      if (shown) onScreen.add(part);
      else onScreen.delete(part);
    }
  }, { threshold: thresholds });
  parts.forEach((part) => observer.observe(part));

  document.addEventListener("visibilitychange", () => {
    settle();
    if (document.visibilityState === "hidden") send();
  });
  window.addEventListener("pagehide", send);
  window.setInterval(send, SEND_EVERY_MS);
})();
