// Options the client chooses, on the client page: the total follows each choice at once.
// The figures are computed by the server's money rules (quotery/quotes/options.py and
// totals.py): exact decimals (BigInt, never floats), each line rounded half-up to the
// currency's minor unit, totals summed from rounded lines, tax per rate rounded once per
// rate. The server's figure is the one that counts: every change is also posted, and the
// Update total button does the same without this script.
(() => {
  "use strict";

  // "12.5" -> {n: 125n, s: 1}. Only plain decimals; anything else is null.
  function parse(text) {
    const match = /^([0-9]{1,15})(?:\.([0-9]{1,6}))?$/.exec(String(text).trim());
    if (!match) return null;
    const fraction = match[2] || "";
    return { n: BigInt(match[1] + fraction), s: fraction.length };
  }

  function pow10(k) {
    return 10n ** BigInt(k);
  }

  // numerator / denominator (both >= 0) rounded half-up to an integer.
  function roundHalfUp(numerator, denominator) {
    return (2n * numerator + denominator) / (2n * denominator);
  }

  // A line's net in minor units: quantity x price x (100 - discount %) / 100, rounded.
  function lineNet(quantity, price, discount, digits) {
    const hundred = 100n * pow10(discount.s);
    const numerator = quantity.n * price.n * (hundred - discount.n) * pow10(digits);
    const denominator = pow10(quantity.s + price.s + discount.s) * 100n;
    return roundHalfUp(numerator, denominator);
  }

  function lineGross(quantity, price, digits) {
    return roundHalfUp(quantity.n * price.n * pow10(digits), pow10(quantity.s + price.s));
  }

  // Minor units -> the canonical string ("1796.40"), as quotery.core.money.money_str.
  function moneyStr(minor, digits) {
    const text = minor.toString().padStart(digits + 1, "0");
    if (digits === 0) return text;
    return text.slice(0, -digits) + "." + text.slice(-digits);
  }

  function compare(a, b) {
    const scale = Math.max(a.s, b.s);
    const x = a.n * pow10(scale - a.s);
    const y = b.n * pow10(scale - b.s);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  function counts(section, line, key, config, sectionIndex) {
    if (section.choose_one) return (config.chosen || {})[String(sectionIndex)] === key;
    if (line.optional) return Boolean((config.included || {})[key]);
    return true;
  }

  // content: a revision's canonical content (or the page's copy of it); config: as
  // quotery.quotes.options.Configuration.as_data(). Money as canonical strings.
  function totals(content, config, digits) {
    const byRate = new Map();
    const lines = [];
    const sectionSubtotals = [];
    let subtotal = 0n;
    let discount = 0n;
    content.sections.forEach((section, i) => {
      let sectionTotal = 0n;
      section.lines.forEach((line, j) => {
        const key = i + "." + j;
        const quantity = parse(((config.quantities || {})[key]) || line.quantity);
        const price = parse(line.unit_price);
        const net = lineNet(quantity, price, parse(line.discount_percent), digits);
        const counted = counts(section, line, key, config, i);
        lines.push({ key, net: moneyStr(net, digits), counted });
        if (!counted) return;
        sectionTotal += net;
        subtotal += net;
        discount += lineGross(quantity, price, digits) - net;
        const rate = line.tax_rate;
        const entry = byRate.get(rate) || { rate: parse(rate), base: 0n };
        entry.base += net;
        byRate.set(rate, entry);
      });
      sectionSubtotals.push(moneyStr(sectionTotal, digits));
    });
    const taxes = [...byRate.entries()]
      .sort((a, b) => compare(a[1].rate, b[1].rate))
      .map(([rate, entry]) => ({
        rate,
        amount: roundHalfUp(entry.base * entry.rate.n, pow10(entry.rate.s) * 100n),
      }));
    const tax = taxes.reduce((sum, t) => sum + t.amount, 0n);
    return {
      lines,
      section_subtotals: sectionSubtotals,
      subtotal: moneyStr(subtotal, digits),
      discount: moneyStr(discount, digits),
      taxes: taxes.map((t) => ({ rate: t.rate, amount: moneyStr(t.amount, digits) })),
      tax: moneyStr(tax, digits),
      total: moneyStr(subtotal + tax, digits),
    };
  }

  // "1796.40" -> "€1,796.40", or "1.796,40 €" in German (quotery.core.money.format_money):
  // the page's language gives the separators and where the symbol goes.
  function formatMoney(text, currency) {
    const [whole, fraction] = text.split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, currency.group || ",");
    const decimal = currency.decimal || ".";
    const number = fraction === undefined ? grouped : grouped + decimal + fraction;
    if (currency.symbol_after) return number + " " + (currency.symbol || currency.code).trim();
    return currency.symbol ? currency.symbol + number : number + " " + currency.code;
  }

  const api = { totals, formatMoney, parse };
  if (typeof module === "object" && module.exports) {
    module.exports = api;
    return;
  }

  // ---- the page ------------------------------------------------------------------------
  const form = document.getElementById("quote-options");
  const data = document.getElementById("quote-options-data");
  if (!form || !data) return;
  const model = JSON.parse(data.textContent);
  const status = form.querySelector("[data-option-status]");
  const digits = model.currency.digits;

  // The controls sit in the line rows, tied to the form by their form attribute.
  function controls() {
    return Array.from(form.elements);
  }

  function configuration() {
    const config = { included: {}, chosen: {}, quantities: {} };
    for (const input of controls()) {
      if (input.type === "checkbox" && input.name === "include") {
        config.included[input.value] = input.checked;
      } else if (input.type === "radio" && input.checked) {
        config.chosen[input.name.slice("choose.".length)] = input.value;
      } else if (input.name && input.name.startsWith("quantity.")) {
        const key = input.name.slice("quantity.".length);
        const value = parse(input.value);
        const range = model.lines[key];
        // Outside the range it is the server's to refuse; the figures wait for a good one.
        if (!value || compare(value, parse(range.min)) < 0 || compare(value, parse(range.max)) > 0) {
          return null;
        }
        config.quantities[key] = input.value.trim();
      }
    }
    return config;
  }

  function show(name, text) {
    for (const cell of document.querySelectorAll(`[data-option-total="${name}"]`)) {
      cell.textContent = formatMoney(text, model.currency);
    }
  }

  function update() {
    const config = configuration();
    if (config === null) return false;
    const result = totals(model.content, config, digits);
    for (const line of result.lines) {
      const row = document.querySelector(`[data-option-line="${line.key}"]`);
      if (row) row.classList.toggle("is-left-out", !line.counted);
      show("line-" + line.key, line.net);
    }
    result.section_subtotals.forEach((amount, i) => show("section-" + i, amount));
    show("subtotal", result.subtotal);
    show("discount", result.discount);
    show("before-discount", moneyStr(parse(result.subtotal).n + parse(result.discount).n, digits));
    show("total", result.total);
    if (model.deposit_percent) {
      const percent = parse(model.deposit_percent);
      const total = parse(result.total).n;
      show("deposit", moneyStr(roundHalfUp(total * percent.n, pow10(percent.s) * 100n), digits));
    }
    const rates = new Set(result.taxes.map((tax) => tax.rate));
    for (const tax of result.taxes) show("tax-" + tax.rate, tax.amount);
    for (const row of document.querySelectorAll("[data-option-tax-row]")) {
      row.hidden = !rates.has(row.dataset.optionTaxRow);
    }
    return true;
  }

  // Saves the choices for this link; the server's answer is the one that counts.
  let pending = null;
  function save() {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(() => {
      pending = null;
      fetch(form.action, {
        method: "POST",
        // URL-encoded, as the form itself posts without the script: the server reads it
        // several times faster than multipart data, on every tick.
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        headers: { "X-Quotery-Choices": "1" },
      })
        .then((response) => {
          if (response.ok) {
            status.textContent = "";
            return null;
          }
          return response.text().then((text) => {
            status.textContent = text;
          });
        })
        .catch(() => {
          status.textContent = form.dataset.saveFailed || "";
        });
    }, 300);
  }

  function changed(event) {
    if (event.target.form !== form) return;
    if (update()) save();
  }

  document.addEventListener("change", changed);
  document.addEventListener("input", (event) => {
    if (event.target.form === form && event.target.type === "number") update();
  });
})();
