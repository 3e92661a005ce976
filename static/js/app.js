// Small progressive enhancements for the rep's pages. Everything works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive buttons that declare data-confirm.
  document.body.addEventListener("click", (event) => {
    const button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
});
