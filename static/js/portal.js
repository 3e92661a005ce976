// The view beacon of the client page (SECURITY.md 10). Loading the page records an "open";
// a link scanner or mail preview stops there. Once the page has been visible in a browser
// for about a second, this script confirms the open, and only then does it count as a view.
// data-open is the server's signed token for this page's own open (valid for a while):
// it is sent back as it is, and it confirms that open and no other.
(() => {
  "use strict";
  const VISIBLE_FOR_MS = 1000;
  const main = document.querySelector("main[data-seen-url]");
  if (!main) return;
  let timer = null;
  let sent = false;

  function send() {
    if (sent) return;
    sent = true;
    document.removeEventListener("visibilitychange", watch);
    const body = new URLSearchParams({ open: main.dataset.open });
    fetch(main.dataset.seenUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": main.dataset.csrf },
    }).catch(() => {
      // Offline or closed: the open stays an open. Nothing to tell the reader.
    });
  }

  function watch() {
    if (document.visibilityState === "visible") {
      if (timer === null) timer = window.setTimeout(send, VISIBLE_FOR_MS);
    } else if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
  }

  document.addEventListener("visibilitychange", watch);
  watch();
})();
