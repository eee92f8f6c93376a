/* Quartier widgets for town and district websites.
 *
 *   <script src="https://quartier.example.org/embed/widgets.js" defer></script>
 *   <quartier-help-wanted district="…" max="5"></quartier-help-wanted>
 *   <quartier-whats-on centre="…"></quartier-whats-on>
 *   <quartier-centres district="…" open-now></quartier-centres>
 *
 * Each widget reads the public lists of the server this script came from, and nothing else:
 * no cookies, no other hosts. It speaks the language of its `lang` attribute, or else of the
 * page. Its look follows the CSS custom properties --quartier-* (see the README), and its
 * `data-state` attribute tells the page how it is: loading, ready, empty or failed.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  // Quartier's root: the script lives at <root>/embed/widgets.js.
  const ROOT = new URL("../", script && script.src ? script.src : location.href).href;
  // Filled in by the server: where the app shows a shift's sign-up, an activity, a centre.
  const LINKS = __QUARTIER_LINKS__;
  const ZONE = "Europe/Berlin";

  const LABELS = {
    de: {
      "help-wanted": "Hilfe gesucht",
      "whats-on": "Was ist los",
      centres: "Quartierszentren",
      loading: "Wird geladen …",
      failed: "Die Liste lässt sich gerade nicht laden.",
      "help-wanted-none": "Gerade wird keine Hilfe gesucht.",
      "whats-on-none": "In den nächsten Wochen ist nichts geplant.",
      "centres-none": "Hier ist kein Zentrum zu finden.",
      places: (n) => (n === 1 ? "1 Platz frei" : `${n} Plätze frei`),
      guest: "ohne Konto",
      account: "mit Konto",
      cancelled: "Abgesagt",
      free: "kostenlos",
      stepFree: "stufenloser Zugang",
      openNow: "jetzt geöffnet",
    },
    en: {
      "help-wanted": "Help wanted",
      "whats-on": "What's on",
      centres: "Neighbourhood centres",
      loading: "Loading …",
      failed: "The list cannot be loaded just now.",
      "help-wanted-none": "No help is wanted just now.",
      "whats-on-none": "Nothing is planned for the coming weeks.",
      "centres-none": "No centre is found here.",
      places: (n) => (n === 1 ? "1 place free" : `${n} places free`),
      guest: "no account needed",
      account: "with an account",
      cancelled: "Cancelled",
      free: "free of charge",
      stepFree: "step-free entrance",
      openNow: "open now",
    },
  };

  const STYLE = `
    :host {
      display: block;
      font: inherit;
      font-family: var(--quartier-font, inherit);
      color: var(--quartier-text, #1b1b1b);
      background: var(--quartier-background, #ffffff);
    }
    :host([hidden]) { display: none; }
    .widget { padding: var(--quartier-padding, 0); }
    h2 {
      font-size: var(--quartier-heading-size, 1.25em);
      margin: 0 0 var(--quartier-gap, 0.75rem);
    }
    ul { list-style: none; margin: 0; padding: 0; display: grid; gap: var(--quartier-gap, 0.75rem); }
    li {
      border: 1px solid var(--quartier-border, #8a8a8a);
      border-radius: var(--quartier-radius, 0.5rem);
      padding: var(--quartier-item-padding, 0.75rem 1rem);
    }
    a {
      color: var(--quartier-accent, #0a4a80);
      font-weight: 600;
      text-decoration: underline;
      text-underline-offset: 0.15em;
    }
    a:hover { text-decoration-thickness: 0.15em; }
    a:focus-visible {
      outline: 3px solid var(--quartier-focus, #8f3000);
      outline-offset: 3px;
      border-radius: 2px;
    }
    p { margin: 0.25rem 0 0; }
    .meta { color: var(--quartier-muted, #454545); }
    .places { color: var(--quartier-places, #145a2e); font-weight: 600; }
    .cancelled { color: var(--quartier-cancelled, #9b1c1c); font-weight: 600; }
    @media (prefers-reduced-motion: no-preference) {
      a { transition: text-decoration-thickness 120ms ease-out; }
    }
  `;

  let sheet = null;
  function styleInto(root) {
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function") {
      try {
        sheet = sheet || new CSSStyleSheet();
        if (!sheet.cssRules.length) sheet.replaceSync(STYLE);
        root.adoptedStyleSheets = [sheet];
        return;
      } catch (_) {
        /* fall through to a style element */
      }
    }
    const style = document.createElement("style");
    style.textContent = STYLE;
    root.append(style);
  }

  function el(name, attributes, ...children) {
    const node = document.createElement(name);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value);
    }
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  function fill(template, id) {
    return template.replace("{id}", encodeURIComponent(id));
  }

  function when(language, startsAt, endsAt) {
    const start = new Date(startsAt);
    const end = new Date(endsAt);
    const day = new Intl.DateTimeFormat(language, {
      timeZone: ZONE, weekday: "short", day: "numeric", month: "short",
    });
    const time = new Intl.DateTimeFormat(language, {
      timeZone: ZONE, hour: "2-digit", minute: "2-digit",
    });
    const sameDay = day.format(start) === day.format(end);
    const text = sameDay
      ? `${day.format(start)}, ${time.format(start)}–${time.format(end)}`
      : `${day.format(start)}, ${time.format(start)} – ${day.format(end)}, ${time.format(end)}`;
    return el("time", { datetime: start.toISOString(), lang: language }, text);
  }

  class QuartierList extends HTMLElement {
    static get observedAttributes() {
      return ["lang", "max", "district", "centre", "operator", "skills", "category", "open-now", "heading", "link-target"];
    }

    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      styleInto(this.shadowRoot);
      this.generation = 0;
    }

    connectedCallback() {
      this.schedule();
    }

    attributeChangedCallback() {
      this.schedule();
    }

    // One load for whatever changed in this task: an element that arrives with five
    // attributes asks once, not six times.
    schedule() {
      if (this.scheduled) return;
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        if (this.isConnected) this.load();
      });
    }

    // The language of the element or the page, as a well-formed tag (`de_DE` → `de-DE`);
    // German when there is none or it is no tag.
    language() {
      const holder = this.closest("[lang]");
      const raw = ((holder && holder.getAttribute("lang")) || document.documentElement.lang || "").trim();
      try {
        return Intl.getCanonicalLocales(raw.replace(/_/g, "-"))[0] || "de";
      } catch (_) {
        return "de";
      }
    }

    labels(language) {
      const base = language.toLowerCase().split("-")[0];
      const chosen = LABELS[base] ? base : "en";
      return { tag: chosen, text: LABELS[chosen] };
    }

    max() {
      const n = parseInt(this.getAttribute("max") || "5", 10);
      return Number.isFinite(n) ? Math.min(Math.max(n, 1), 50) : 5;
    }

    target() {
      const target = this.getAttribute("link-target");
      return ["_top", "_blank", "_parent", "_self"].includes(target) ? target : null;
    }

    // A link to `href` with the item's `field` (title or name) as its text, marked with the
    // language that text is in: the reader's where the item has it, else German.
    link(href, item, field) {
      const target = this.target();
      const shown = item.content_language || {};
      const german = !shown.tag || (shown.fallback_fields || []).includes(field);
      return el("a", {
        href,
        target,
        rel: target === "_blank" ? "noopener" : null,
        lang: german ? "de" : shown.tag,
        dir: german ? "ltr" : shown.direction || null,
      }, item[field]);
    }

    async load() {
      const generation = ++this.generation;
      const language = this.language();
      const { tag, text } = this.labels(language);
      const heading = this.getAttribute("heading");
      const title = heading === null ? text[this.kind] : heading;
      const status = el("p", { role: "status" }, text.loading);
      const section = el(
        "section",
        { class: "widget", part: "widget", lang: tag, "aria-label": title ? null : text[this.kind] },
        title ? el("h2", { part: "heading" }, title) : null,
        status,
      );
      this.shadowRoot.replaceChildren(section);
      this.dataset.state = "loading";
      section.setAttribute("aria-busy", "true");
      let items;
      try {
        const response = await fetch(new URL(this.address(), ROOT), {
          credentials: "omit",
          referrerPolicy: "no-referrer",
          headers: { Accept: "application/json", "Accept-Language": language },
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        items = (await response.json()).items || [];
      } catch (_) {
        if (generation === this.generation) this.settle(section, "failed", status, text.failed);
        return;
      }
      if (generation !== this.generation) return;
      if (!items.length) {
        this.settle(section, "empty", status, text[`${this.kind}-none`]);
        return;
      }
      let list;
      try {
        list = el("ul", { part: "list", role: "list" },
          ...items.slice(0, this.max()).map((item) => el("li", { part: "item" }, ...this.item(item, language, text))));
      } catch (_) {
        this.settle(section, "failed", status, text.failed);
        return;
      }
      section.append(list);
      this.settle(section, "ready", status, null);
    }

    settle(section, state, status, message) {
      section.removeAttribute("aria-busy");
      if (message === null) status.remove();
      else status.textContent = message;
      this.dataset.state = state;
    }

    query(pairs) {
      const query = new URLSearchParams();
      for (const [name, value] of pairs) {
        if (value !== null && value !== undefined && value !== "") query.set(name, value);
      }
      query.set("limit", String(this.max()));
      return query.toString();
    }
  }

  class HelpWanted extends QuartierList {
    get kind() { return "help-wanted"; }

    address() {
      return `api/v1/help-wanted.json?${this.query([
        ["district_id", this.getAttribute("district")],
        ["centre_id", this.getAttribute("centre")],
        ["operator_id", this.getAttribute("operator")],
        ["skills", this.getAttribute("skills")],
      ])}`;
    }

    item(item, language, text) {
      return [
        this.link(item.signup.url, item, "title"),
        el("p", { class: "meta" }, when(language, item.starts_at, item.ends_at), ` · ${item.centre.name}`),
        el("p", {}, el("span", { class: "places" }, text.places(item.free_places)),
          ` · ${text[item.signup.kind] || ""}`),
      ];
    }
  }

  class WhatsOn extends QuartierList {
    get kind() { return "whats-on"; }

    address() {
      return `api/v1/occurrences.json?${this.query([
        ["district_id", this.getAttribute("district")],
        ["centre_id", this.getAttribute("centre")],
        ["operator_id", this.getAttribute("operator")],
        ["category", this.getAttribute("category")],
      ])}`;
    }

    item(item, language, text) {
      const facts = [];
      if (item.free_of_charge) facts.push(text.free);
      if (item.step_free) facts.push(text.stepFree);
      return [
        this.link(fill(LINKS.activity, item.activity_id), item, "title"),
        item.cancelled ? el("p", { class: "cancelled" }, text.cancelled) : null,
        el("p", { class: "meta" }, when(language, item.starts_at, item.ends_at), ` · ${item.centre.name}`),
        facts.length ? el("p", {}, facts.join(" · ")) : null,
      ];
    }
  }

  class Centres extends QuartierList {
    get kind() { return "centres"; }

    address() {
      return `api/v1/centres.json?${this.query([
        ["district_id", this.getAttribute("district")],
        ["operator_id", this.getAttribute("operator")],
        ["open_now", this.hasAttribute("open-now") ? "true" : null],
      ])}`;
    }

    item(item, _language, text) {
      const facts = [];
      if (this.hasAttribute("open-now")) facts.push(text.openNow);
      if (item.accessibility && item.accessibility.step_free) facts.push(text.stepFree);
      const address = item.address || {};
      return [
        this.link(fill(LINKS.centre, item.id), item, "name"),
        el("p", { class: "meta" }, `${address.street}, ${address.postcode} ${address.town}`),
        facts.length ? el("p", {}, facts.join(" · ")) : null,
      ];
    }
  }

  for (const [name, widget] of [
    ["quartier-help-wanted", HelpWanted],
    ["quartier-whats-on", WhatsOn],
    ["quartier-centres", Centres],
  ]) {
    if (!customElements.get(name)) customElements.define(name, widget);
  }
})();
