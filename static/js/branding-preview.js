// Live preview of the company's branding on the settings page: follows the colour, the
// portal text, the name and a newly chosen logo as the admin types. The page works without it.
(() => {
  "use strict";
  const HEX = /^#[0-9a-fA-F]{6}$/;
  const PREVIEWABLE = /^image\/(png|jpeg|svg\+xml)$/;
  const MAX_PREVIEW_BYTES = 1024 * 1024; // the upload limit: larger files are refused on save

  // WCAG relative luminance of #rrggbb.
  function luminanceOf(hex) {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  // Black or white, whichever reads better on the colour (as branding.text_colour_on).
  function textColourOn(hex) {
    const luminance = luminanceOf(hex);
    return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? "#ffffff" : "#000000";
  }

  // Links: the colour darkened until it reads at 4.5:1 on the client page's grey panels,
  // and so on white (as branding.link_colour).
  const LINK_BACKGROUND = luminanceOf("#f6f8fa");
  function inkOf(hex) {
    let [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const toHex = () => "#" + [r, g, b].map((c) => c.toString(16).padStart(2, "0")).join("");
    for (let step = 0; step < 40; step += 1) {
      if ((LINK_BACKGROUND + 0.05) / (luminanceOf(toHex()) + 0.05) >= 4.5) return toHex();
      [r, g, b] = [r, g, b].map((c) => Math.floor(c * 0.93));
    }
    return toHex();
  }

  function init() {
    const form = document.getElementById("settings-form");
    const card = document.getElementById("branding-preview");
    if (!form || !card) return;
    const colourInput = form.elements.namedItem("brand_colour");
    const textInput = form.elements.namedItem("portal_text");
    const nameInput = form.elements.namedItem("name");
    const logoInput = form.elements.namedItem("logo");
    const removeLogo = form.elements.namedItem("remove_logo");
    const picker = document.getElementById("brand-colour-picker");
    const pickerWrap = document.getElementById("brand-colour-picker-wrap");
    const logo = card.querySelector('[data-preview="logo"]');
    const name = card.querySelector('[data-preview="name"]');
    const text = card.querySelector('[data-preview="text"]');
    const savedLogo = logo ? logo.dataset.savedSrc || "" : "";

    function applyColour(value) {
      if (!HEX.test(value)) return false;
      card.style.setProperty("--brand", value);
      card.style.setProperty("--on-brand", textColourOn(value));
      card.style.setProperty("--brand-ink", inkOf(value));
      return true;
    }

    if (colourInput) {
      colourInput.addEventListener("input", () => {
        const value = colourInput.value.trim();
        if (applyColour(value) && picker) picker.value = value.toLowerCase();
      });
    }
    if (picker && pickerWrap && colourInput) {
      pickerWrap.hidden = false;
      picker.addEventListener("input", () => {
        colourInput.value = picker.value;
        applyColour(picker.value);
      });
    }
    if (textInput && text) {
      textInput.addEventListener("input", () => {
        text.textContent = textInput.value;
        text.hidden = textInput.value.trim() === "";
      });
    }
    if (nameInput && name) {
      nameInput.addEventListener("input", () => {
        name.textContent = nameInput.value.trim() || name.dataset.fallback || "";
        if (logo) logo.alt = name.textContent;
      });
      name.dataset.fallback = name.textContent;
    }

    let reading = 0;
    // The client page's header shows the logo, or the company's name when there is none.
    function logoShown(shown) {
      logo.hidden = !shown;
      if (name) name.hidden = shown;
    }
    function showLogo() {
      if (!logo) return;
      const file = logoInput && logoInput.files ? logoInput.files[0] : null;
      const attempt = ++reading;
      if (file && PREVIEWABLE.test(file.type) && file.size <= MAX_PREVIEW_BYTES) {
        // A data: URL, which the page's Content-Security-Policy allows for images. An <img>
        // never runs an SVG's script; the server sanitises the file on save anyway.
        const reader = new FileReader();
        reader.addEventListener("load", () => {
          if (attempt !== reading) return; // a newer choice won
          logo.src = String(reader.result);
          logoShown(true);
        });
        reader.readAsDataURL(file);
      } else if (savedLogo && !(removeLogo && removeLogo.checked)) {
        logo.src = savedLogo;
        logoShown(true);
      } else {
        logo.removeAttribute("src");
        logoShown(false);
      }
    }
    if (logoInput) logoInput.addEventListener("change", showLogo);
    if (removeLogo) removeLogo.addEventListener("change", showLogo);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
