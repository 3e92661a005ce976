// Runs the client page's totals (static/js/quote-options.js) for the Python tests: one JSON
// case per input line ({content, config, digits}), one JSON answer per output line.
"use strict";
const path = require("path");
const readline = require("readline");
const options = require(path.join(__dirname, "../../../static/js/quote-options.js"));

const input = readline.createInterface({ input: process.stdin });
input.on("line", (text) => {
  const item = JSON.parse(text);
  let answer;
  try {
    answer = options.totals(item.content, item.config, item.digits);
  } catch (error) {
    answer = { error: String(error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
