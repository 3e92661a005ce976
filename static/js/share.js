// The Share dialog and the share panel's copy buttons. Without this script, Share is a
// link to the share page and the link fields can still be selected and copied by hand.
(() => {
  // Loaded by both the Share action and the share panel: set up once.
  if (window.quoteryShareReady) return;
  window.quoteryShareReady = true;

  function counter(textarea) {
    const out = document.querySelector(`[data-counter-for="${textarea.id}"]`);
    if (!out) return;
    const max = Number(textarea.dataset.counterMax);
    const update = () => {
      const used = textarea.value.length;
      out.textContent = `${used} of ${max} characters`;
      out.classList.toggle("share-counter--over", used > max);
      out.style.color = used > max ? "var(--danger, #b42318)" : "";
    };
    out.hidden = false;
    textarea.addEventListener("input", update);
    update();
  }

  function setUpDialog(opener) {
    const dialog = document.getElementById(opener.dataset.shareOpen);
    if (!(dialog instanceof HTMLDialogElement)) return;
    const fallback = opener.parentElement.querySelector(".share-fallback");
    if (fallback) fallback.hidden = true;
    opener.hidden = false;
    const steps = (name) => dialog.querySelectorAll(`[data-share-step="${name}"]`);
    const show = (name) => {
      dialog.querySelectorAll("[data-share-step]").forEach((step) => {
        step.hidden = step.dataset.shareStep !== name;
      });
    };
    opener.addEventListener("click", () => {
      show("choose");
      dialog.showModal();
      steps("choose")[0].querySelector("button")?.focus();
    });
    dialog.querySelector("[data-share-choose='portal']")?.addEventListener("click", () => {
      show("portal");
      steps("portal")[0].querySelector("input")?.focus();
    });
    dialog.querySelectorAll("[data-share-close]").forEach((button) => {
      button.addEventListener("click", () => dialog.close());
    });
    // A second click would send a second email: the first one is on its way.
    dialog.querySelector("form")?.addEventListener("submit", (event) => {
      const send = event.target.querySelector("button[type=submit]");
      if (send) setTimeout(() => { send.disabled = true; }, 0);
    });
  }

  function setUpCopy(button) {
    const input = document.getElementById(button.dataset.copyTarget);
    if (!(input instanceof HTMLInputElement) || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(input.value);
        button.textContent = "Copied";
      } catch {
        input.select();
        button.textContent = "Press Ctrl+C to copy";
      }
      setTimeout(() => { button.textContent = "Copy link"; }, 2000);
    });
  }

  function start() {
    document.querySelectorAll("[data-share-open]").forEach(setUpDialog);
    document.querySelectorAll("[data-copy-target]").forEach(setUpCopy);
    document.querySelectorAll("textarea[data-counter-max]").forEach(counter);
    document.querySelectorAll("[data-select-on-focus]").forEach((input) => {
      input.addEventListener("focus", () => input.select());
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
