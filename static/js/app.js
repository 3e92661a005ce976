// Small progressive enhancements for the rep's pages. Everything works without them.
document.addEventListener("DOMContentLoaded", () => {
  // On a phone the navigation collapses behind a Menu button (CSS hides the links only
  // once this script has shown the button; without script they stay listed).
  const navToggle = document.querySelector(".nav-toggle");
  const navLinks = document.getElementById("main-nav-links");
  if (navToggle && navLinks) {
    const setOpen = (open) => {
      navToggle.setAttribute("aria-expanded", String(open));
      navLinks.classList.toggle("is-open", open);
    };
    navToggle.hidden = false;
    document.documentElement.classList.add("nav-collapsible");
    navToggle.addEventListener("click", () => {
      setOpen(navToggle.getAttribute("aria-expanded") !== "true");
    });
    navLinks.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && navToggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        navToggle.focus();
      }
    });
  }

  // Confirm destructive buttons that declare data-confirm.
  document.body.addEventListener("click", (event) => {
    const button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // A link that names a field to write in (the request banner's Reply) moves the focus
  // there too; without script the link still scrolls to it.
  document.body.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-focus-target]");
    const field = link && document.getElementById(link.dataset.focusTarget);
    if (field) {
      event.preventDefault();
      history.replaceState(null, "", link.getAttribute("href"));
      field.focus();
    }
  });

  // Picking a product fills its line: press the line's "Use product details" button. A
  // delegated listener also covers lines that htmx has just swapped in and not yet
  // processed; an unprocessed button submits the form the plain way, with the same result.
  document.body.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.name.endsWith(".product")) return;
    const fill = select.closest(".line-row")?.querySelector("[data-fill-line]");
    if (fill) fill.click();
  });
});
