// Atende's support button (W3). A company adds ONE line to its product's pages:
//   <script src="https://support.example.com/support.js" async></script>
// and gets a floating button (bottom right) that opens a panel with the chat (/chat?embed=1, in an
// iframe) and a link to the customer's requests (/tickets). Everything lives in a shadow root under
// one <atende-support> element, so no style leaks into the page, nor from it. Optional attributes:
// data-lang="en" (default: the page's language), data-department="Financeiro" (chosen in the form).
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || window.__atendeSupportButton) return; // pasted twice: one button
  window.__atendeSupportButton = true;

  const TEXTS = {} /* ATENDE_TEXTS */; // filled in by the gateway that serves this file
  const origin = new URL(script.src, location.href).origin; // Atende is wherever this came from
  const wanted = (script.dataset.lang || document.documentElement.lang || navigator.language || "").toLowerCase();
  const lang = wanted.startsWith("en") ? "en" : "pt-BR";
  const words = TEXTS[lang] || {};
  const t = (key) => words[key] || key;
  const chatUrl = new URL("/chat", origin);
  chatUrl.searchParams.set("embed", "1");
  chatUrl.searchParams.set("lang", lang);
  if (script.dataset.department) chatUrl.searchParams.set("department", script.dataset.department);

  const CSS = `
    :host { all: initial; }
    .atende { font: 16px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1d2733; }
    .atende *, .atende *::before, .atende *::after { box-sizing: border-box; }
    .atende-button {
      position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
      display: inline-flex; align-items: center; gap: 8px; margin: 0; padding: 12px 18px 12px 14px;
      border: 0; border-radius: 999px; background: #0b5cad; color: #fff;
      font: 600 16px/1 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
      box-shadow: 0 6px 20px rgba(0, 0, 0, 0.25); cursor: pointer;
    }
    .atende-button:hover { background: #084785; }
    .atende button:focus-visible, .atende a:focus-visible, .atende iframe:focus-visible {
      outline: 3px solid #f0a500; outline-offset: 2px;
    }
    .atende-badge {
      min-width: 22px; padding: 3px 6px; border-radius: 999px; background: #b3261e; color: #fff;
      font-size: 12px; text-align: center;
    }
    .atende-badge[hidden], .atende-panel[hidden] { display: none; }
    .atende-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
    .atende-panel {
      position: fixed; right: 20px; bottom: 84px; z-index: 2147483000;
      width: 390px; height: min(660px, calc(100vh - 110px));
      display: flex; flex-direction: column; background: #fff; border-radius: 14px; overflow: hidden;
      box-shadow: 0 12px 48px rgba(0, 0, 0, 0.3);
    }
    .atende-head { display: flex; align-items: center; gap: 12px; padding: 2px 4px 2px 16px; background: #084785; color: #fff; }
    .atende-head a { flex: 1; color: #fff; font-size: 14px; }
    .atende-minimize {
      display: inline-flex; align-items: center; justify-content: center; width: 44px; height: 44px;
      margin: 0; padding: 0; border: 0; border-radius: 8px; background: transparent; color: #fff; cursor: pointer;
    }
    .atende-minimize:hover { background: rgba(255, 255, 255, 0.18); }
    .atende-panel iframe { flex: 1; width: 100%; border: 0; background: #fff; }
    @media (max-width: 480px) {
      .atende-panel { top: 0; right: 0; bottom: 0; left: 0; width: 100%; height: 100%; border-radius: 0; }
      .atende[data-open] .atende-button { display: none; } /* the panel fills the screen: it minimises itself */
    }
    @media (prefers-reduced-motion: no-preference) {
      .atende-panel { animation: atende-in 0.15s ease-out; }
      @keyframes atende-in { from { opacity: 0; transform: translateY(8px); } }
    }
  `;

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    node.append(...children);
    return node;
  }

  function icon(path) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "22");
    svg.setAttribute("height", "22");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const line = document.createElementNS("http://www.w3.org/2000/svg", "path");
    line.setAttribute("d", path);
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "currentColor");
    line.setAttribute("stroke-width", "2.2");
    line.setAttribute("stroke-linecap", "round");
    line.setAttribute("stroke-linejoin", "round");
    svg.append(line);
    return svg;
  }

  function styled(root) {
    try {
      const sheet = new CSSStyleSheet(); // not an inline <style>: allowed by the pages' own CSP
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch {
      root.append(el("style", {}, CSS));
    }
  }

  function mount() {
    const host = document.createElement("atende-support");
    const root = host.attachShadow({ mode: "open" });
    styled(root);
    const count = el("span", { class: "atende-badge", hidden: "" });
    const button = el(
      "button",
      { type: "button", class: "atende-button", "aria-expanded": "false", "aria-controls": "atende-panel", title: t("widget_button_open") },
      icon("M4 5h16v11H9l-5 4z"),
      el("span", {}, t("widget_button_label")),
      count,
    );
    const minimize = el(
      "button",
      { type: "button", class: "atende-minimize", "aria-label": t("widget_button_minimize"), title: t("widget_button_minimize") },
      icon("M6 12h12"),
    );
    const portal = el("a", { href: `${origin}/tickets`, target: "_blank", rel: "noopener" }, t("widget_button_portal"));
    const head = el("div", { class: "atende-head" }, portal, minimize); // the chat names itself below
    const panel = el("div", { class: "atende-panel", id: "atende-panel", role: "dialog", "aria-label": t("widget_button_panel"), hidden: "" }, head);
    const wrapper = el("div", { class: "atende", lang }, panel, button);
    root.append(wrapper);
    document.body.append(host);

    let frame = null;
    const tell = (open) => frame?.contentWindow?.postMessage({ atende: "panel", open }, origin);

    function open() {
      panel.hidden = false;
      wrapper.dataset.open = "";
      button.setAttribute("aria-expanded", "true");
      if (!frame) {
        // Loaded on the first open only: a page view costs the company nothing until someone asks.
        frame = el("iframe", { src: chatUrl.href, title: t("widget_button_frame"), allow: "clipboard-write" });
        frame.addEventListener("load", () => {
          tell(!panel.hidden);
          if (!panel.hidden) frame.focus();
        });
        panel.append(frame);
      } else {
        tell(true);
        frame.focus();
      }
    }

    function close() {
      panel.hidden = true;
      delete wrapper.dataset.open;
      button.setAttribute("aria-expanded", "false");
      tell(false);
      button.focus();
    }

    button.addEventListener("click", () => (panel.hidden ? open() : close()));
    minimize.addEventListener("click", close);
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
    });
    window.addEventListener("message", (event) => {
      if (event.origin !== origin || !frame || event.source !== frame.contentWindow) return;
      const news = event.data || {};
      if (news.atende === "minimize") close();
      if (news.atende === "unread") {
        const unread = Number(news.count) || 0;
        count.hidden = unread === 0;
        count.replaceChildren(String(unread), el("span", { class: "atende-hidden" }, ` ${t("widget_button_unread")}`));
      }
    });
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
