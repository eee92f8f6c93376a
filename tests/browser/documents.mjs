// Documents Quartier draws for people — report charts (SVG) and printable reports (HTML) —
// as headless Chromium shows them. The script reports what the browser laid out as JSON on
// stdout; the Rust test that runs it (tests/tests/api/report_charts.rs) judges the report.
//
//   node documents.mjs plan.json
//
// The plan: { chromium, headers, screenshots, documents: [{ name, url, inline }] }. `headers`
// go with every request (a bearer token). With `screenshots` (a folder) each document is
// saved there as `<name>.png`. With `inline`, an SVG is also put into an HTML page of its
// own and checked with axe-core, as a page embedding it would be.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

// What an SVG document shows: its text alternative, its texts, and the drawn bars with the
// element the browser finds at the middle of each.
function readSvg() {
  const svg = document.documentElement;
  const bars = [...svg.querySelectorAll("rect")]
    .map((rect) => ({ rect, box: rect.getBoundingClientRect(), fill: rect.getAttribute("fill") }))
    .filter(({ box, fill }) => fill && fill.toUpperCase() === "#174782" && box.width > 0 && box.height > 0);
  return {
    root: svg.localName,
    role: svg.getAttribute("role"),
    lang: svg.getAttribute("lang"),
    title: svg.querySelector("title") ? svg.querySelector("title").textContent : null,
    desc: svg.querySelector("desc") ? svg.querySelector("desc").textContent : null,
    width: svg.getBoundingClientRect().width,
    height: svg.getBoundingClientRect().height,
    texts: [...svg.querySelectorAll("text")].map((t) => t.textContent.trim()).filter((t) => t),
    bars: bars.map(({ rect, box }) => {
      const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
      return { width: box.width, height: box.height, hit: hit === rect };
    }),
  };
}

// What an HTML document shows: its title, language, headings, text and embedded charts.
function readHtml() {
  return {
    root: document.documentElement.localName,
    lang: document.documentElement.getAttribute("lang"),
    title: document.title,
    headings: [...document.querySelectorAll("h1, h2, h3")].map((h) => h.textContent.trim()),
    text: document.body.innerText,
    charts: [...document.querySelectorAll("svg[role=img]")].map((svg) => ({
      label: svg.querySelector("title") ? svg.querySelector("title").textContent : null,
      width: svg.getBoundingClientRect().width,
      height: svg.getBoundingClientRect().height,
    })),
  };
}

async function axe(tab) {
  await tab.addScriptTag({ content: axeSource });
  return tab.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });
}

async function visit(browser, document_) {
  // The documents forbid every script; axe-core is let in past their policy.
  const context = await browser.newContext({
    extraHTTPHeaders: plan.headers || {},
    viewport: { width: 900, height: 1200 },
    bypassCSP: true,
  });
  const tab = await context.newPage();
  const console_ = [];
  const failed = [];
  // A failed load is reported below by its address; the browser's own favicon request is not
  // the document's.
  tab.on("console", (message) => {
    if (!message.text().startsWith("Failed to load resource")) console_.push(`${message.type()}: ${message.text()}`);
  });
  tab.on("response", (answer) => {
    if (answer.status() >= 400 && !answer.url().endsWith("/favicon.ico")) failed.push(`${answer.status()} ${answer.url()}`);
  });
  const response = await tab.goto(document_.url);
  const type = response.headers()["content-type"] || "";
  const body = await response.text();
  const seen = type.includes("svg") ? await tab.evaluate(readSvg) : await tab.evaluate(readHtml);
  if (plan.screenshots) {
    await tab.screenshot({ path: join(plan.screenshots, `${document_.name}.png`), fullPage: !type.includes("svg") });
  }
  const report = { status: response.status(), type, seen, console: console_, failed };
  if (!type.includes("svg")) report.axe = await axe(tab);
  if (document_.inline && type.includes("svg")) {
    const page = await context.newPage();
    await page.setContent(
      `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Bericht</title></head>` +
        `<body><main><h1>Bericht</h1>${body.replace(/^<\?xml[^>]*>/, "")}</main></body></html>`,
    );
    report.inline_axe = await axe(page);
  }
  await context.close();
  return report;
}

const browser = await chromium.launch({
  executablePath: plan.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const report = {};
try {
  for (const document_ of plan.documents) report[document_.name] = await visit(browser, document_);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
