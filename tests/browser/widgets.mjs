// Quartier's widgets as a person meets them: test pages on another origin embed the widgets
// script and the frame pages of a running Quartier, and headless Chromium shows them. The
// script reports what it saw as JSON on stdout; the Rust test that runs it (tests/tests/api/
// embed.rs) made the data and judges the report.
//
//   node widgets.mjs plan.json
//
// The plan: { quartier, page_port, chromium, screenshots, pages: [{ name, lang, body, style,
// reduced_motion, screenshot }], frames: [{ name, src, stranger }] }. With `screenshots` (a
// folder), each widget of a page with `screenshot` (a name) is saved there as a PNG. A page
// is served at http://127.0.0.1:<page_port>/<name>; a frame's page at the same origin, or at
// another port (another origin) when `stranger` is set.

import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const WIDGETS = "quartier-help-wanted, quartier-whats-on, quartier-centres";
const WAIT = 20_000;

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function pageHtml(page) {
  return `<!DOCTYPE html>
<html lang="${escape(page.lang)}">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>Test page ${escape(page.name)}</title>
<script src="${plan.quartier}/embed/widgets.js" defer></script>
${page.style ? `<style>${page.style}</style>` : ""}
</head>
<body>
<main>
<h1>Unser Stadtteil</h1>
${page.body}
</main>
</body>
</html>`;
}

function frameHtml(frame) {
  return `<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Frame ${escape(frame.name)}</title></head>
<body>
<main>
<h1>Eingebettet</h1>
<iframe title="Quartier" src="${plan.quartier}${frame.src}" width="600" height="500"></iframe>
</main>
</body>
</html>`;
}

function serve(port, routes) {
  const server = createServer((request, response) => {
    const html = routes.get(request.url);
    if (html === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

// What the widgets on the page show, read through their shadow roots.
function readWidgets() {
  return [...document.querySelectorAll("quartier-help-wanted, quartier-whats-on, quartier-centres")].map((widget) => {
    const root = widget.shadowRoot;
    const section = root && root.querySelector("section");
    const link = root && root.querySelector("a");
    return {
      element: widget.localName,
      state: widget.dataset.state || null,
      lang: section ? section.getAttribute("lang") : null,
      heading: root && root.querySelector("h2") ? root.querySelector("h2").textContent : null,
      status: root && root.querySelector("[role=status]") ? root.querySelector("[role=status]").textContent : null,
      link_color: link ? getComputedStyle(link).color : null,
      transition: link ? getComputedStyle(link).transitionDuration : null,
      items: root
        ? [...root.querySelectorAll("li")].map((li) => ({
            text: li.innerText.replace(/\s+/g, " ").trim(),
            lang: li.getAttribute("lang"),
            links: [...li.querySelectorAll("a")].map((a) => ({
              href: a.href,
              text: a.textContent,
              target: a.getAttribute("target"),
              lang: a.getAttribute("lang"),
            })),
          }))
        : [],
    };
  });
}

// The element that has the keyboard's focus, however deep in shadow roots.
function focused() {
  let active = document.activeElement;
  while (active && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement;
  if (!active || active === document.body) return null;
  const style = getComputedStyle(active);
  return {
    tag: active.localName,
    href: active.href || null,
    outline: `${style.outlineStyle} ${style.outlineWidth}`,
  };
}

async function settled(page) {
  await page.waitForFunction(
    (selector) =>
      [...document.querySelectorAll(selector)].every((w) =>
        ["ready", "empty", "failed"].includes(w.dataset.state),
      ),
    WIDGETS,
    { timeout: WAIT },
  );
}

async function visitPage(browser, base, page) {
  const context = await browser.newContext({
    reducedMotion: page.reduced_motion ? "reduce" : "no-preference",
    viewport: { width: 760, height: 900 },
  });
  const tab = await context.newPage();
  const requests = [];
  const console_ = [];
  tab.on("request", (request) => requests.push(request.url()));
  tab.on("console", (message) => console_.push(`${message.type()}: ${message.text()}`));
  await tab.goto(`${base}/${page.name}`);
  await settled(tab);
  const widgets = await tab.evaluate(readWidgets);
  if (plan.screenshots && page.screenshot) {
    for (const element of ["quartier-help-wanted", "quartier-whats-on", "quartier-centres"]) {
      const widget = tab.locator(element);
      if (await widget.count()) {
        await widget.first().screenshot({ path: join(plan.screenshots, `${page.screenshot}-${element.replace("quartier-", "")}.png`) });
      }
    }
  }


  const links = widgets.reduce((n, w) => n + w.items.reduce((m, i) => m + i.links.length, 0), 0);
  const focus = [];
  for (let n = 0; n < links + 2; n += 1) {
    await tab.keyboard.press("Tab");
    focus.push(await tab.evaluate(focused));
  }

  await tab.addScriptTag({ content: axeSource });
  const axe = await tab.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
  });

  const report = {
    widgets,
    focus,
    axe,
    cookies: await context.cookies(),
    document_cookie: await tab.evaluate(() => document.cookie),
    requests,
    console: console_,
  };
  await context.close();
  return report;
}

async function visitFrame(browser, base, frame) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const console_ = [];
  tab.on("console", (message) => console_.push(`${message.type()}: ${message.text()}`));
  const requests = [];
  tab.on("request", (request) => requests.push(request.url()));
  await tab.goto(`${base}/frame-${frame.name}`);
  const handle = await tab.waitForSelector("iframe", { timeout: WAIT });
  let inner = null;
  try {
    inner = await handle.contentFrame();
  } catch (_) {
    inner = null;
  }
  let widgets = [];
  let shown = false;
  if (inner) {
    try {
      await inner.waitForFunction(
        (selector) => {
          const all = [...document.querySelectorAll(selector)];
          return all.length > 0 && all.every((w) => ["ready", "empty", "failed"].includes(w.dataset.state));
        },
        WIDGETS,
        { timeout: frame.stranger ? 3_000 : WAIT },
      );
      shown = true;
      widgets = await inner.evaluate(readWidgets);
    } catch (_) {
      shown = false;
    }
  }
  const report = {
    frame_url: inner ? inner.url() : null,
    shown,
    widgets,
    cookies: await context.cookies(),
    requests,
    console: console_,
  };
  await context.close();
  return report;
}

const pages = new Map(plan.pages.map((page) => [`/${page.name}`, pageHtml(page)]));
const own = new Map();
const strange = new Map();
for (const frame of plan.frames || []) (frame.stranger ? strange : own).set(`/frame-${frame.name}`, frameHtml(frame));
const home = await serve(plan.page_port, new Map([...pages, ...own]));
const away = await serve(0, strange);
const base = `http://127.0.0.1:${plan.page_port}`;
const strangerBase = `http://127.0.0.1:${away.address().port}`;

const browser = await chromium.launch({
  executablePath: plan.chromium,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const report = { page_origin: base, stranger_origin: strangerBase, pages: {}, frames: {} };
try {
  for (const page of plan.pages) report.pages[page.name] = await visitPage(browser, base, page);
  for (const frame of plan.frames || []) {
    report.frames[frame.name] = await visitFrame(browser, frame.stranger ? strangerBase : base, frame);
  }
} finally {
  await browser.close();
  home.close();
  away.close();
}
process.stdout.write(JSON.stringify(report));
