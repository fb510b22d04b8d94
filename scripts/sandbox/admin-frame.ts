import { createHmac, randomUUID } from "node:crypto";

/**
 * A local stand-in for the Shopify admin around an embedded app, for the browser tests
 * (test/support/browser.ts serves both pieces through Playwright's routing) and the demo
 * (scripts/sandbox/admin-gateway.ts serves them over plain HTTP on loopback):
 *
 * - the **admin page**, served at `https://admin.shopify.com/store/<handle>/apps/<api key><app path>`
 *   (that origin is in the app's `Content-Security-Policy: frame-ancestors`, so the real header
 *   is honoured): a top bar, the app's navigation in the sidebar, the contextual save bar,
 *   toasts, and the app in an iframe at `<app url><path>?embedded=1&hmac=…&host=…&id_token=…&locale=en&session=…&shop=…&timestamp=…`
 *   as admin loads it;
 * - **App Bridge** (`https://cdn.shopify.com/shopifycloud/app-bridge.js`) inside that iframe: the
 *   `shopify` global (`idToken()`, `toast`, `saveBar`, `loading`, `modal`, `user`, `config`,
 *   `environment`), the `ui-nav-menu`, `ui-title-bar`, `ui-save-bar` and `ui-modal` elements,
 *   `form[data-save-bar]`, the `fetch` patch that adds `Authorization: Bearer <ID token>` to
 *   requests for the app's own origin (and retries once with a fresh token when the server
 *   answers 401 with `X-Shopify-Retry-Invalid-Session-Request: 1`, follows
 *   `X-Shopify-API-Request-Failure-Reauthorize-Url`), and the bounce page (`shopify-reload`):
 *   fetch a fresh ID token and reload there with `id_token` added.
 *
 * As in the real admin, the app frame never sees the app secret: it asks the parent page for ID
 * tokens over `postMessage`, and the parent page asks the test process, which mints them with
 * `mintSessionToken` (scripts/sandbox/session-token.ts). APIs the stand-in does not implement
 * (resource picker, scanner, POS, …) reject and are recorded as `unsupported`, so a page that
 * starts using one fails its test instead of silently doing nothing.
 */

export const ADMIN_ORIGIN = "https://admin.shopify.com";
export const APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";
/** The name of the app iframe in the admin page (`page.frame({ name })`). */
export const APP_FRAME_NAME = "app-iframe";

export interface AppBridgeStandInConfig {
  adminOrigin: string;
}

/** The JavaScript served as `app-bridge.js` inside the app frame. */
export function appBridgeStandInScript(config: AppBridgeStandInConfig): string {
  return `(() => {
  "use strict";
  const CONFIG = ${JSON.stringify(config)};
  if (window.shopify) return;
  const script = document.currentScript;
  const meta = document.querySelector('meta[name="shopify-api-key"]');
  const apiKey = (script && script.getAttribute("data-api-key")) || (meta && meta.getAttribute("content")) || "";
  const params = new URLSearchParams(location.search);
  const parentWindow = window.parent !== window ? window.parent : null;

  // ---- messaging with the admin page -------------------------------------------------------
  let sequence = 0;
  const pending = new Map();
  function post(message) {
    if (parentWindow) parentWindow.postMessage({ source: "tracklight-app-bridge", ...message }, CONFIG.adminOrigin);
  }
  function notify(action, payload) {
    post({ action, payload });
  }
  function ask(action, payload) {
    if (!parentWindow) return Promise.reject(new Error("App Bridge stand-in: the app is not embedded in the admin"));
    const id = ++sequence;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      post({ id, action, payload });
    });
  }
  const toastCallbacks = new Map();
  window.addEventListener("message", (event) => {
    if (event.source !== parentWindow || event.origin !== CONFIG.adminOrigin) return;
    const data = event.data;
    if (!data || data.source !== "tracklight-admin") return;
    if (data.replyTo) {
      const waiting = pending.get(data.replyTo);
      pending.delete(data.replyTo);
      if (!waiting) return;
      if (data.error) waiting.reject(new Error(data.error));
      else waiting.resolve(data.value);
      return;
    }
    const payload = data.payload || {};
    if (data.action === "navigate") navigate(payload.href);
    else if (data.action === "saveBar.save") saveBarAction(payload.id, "save");
    else if (data.action === "saveBar.discard") saveBarAction(payload.id, "discard");
    else if (data.action === "toast.action") { const callbacks = toastCallbacks.get(payload.id); if (callbacks && callbacks.onAction) callbacks.onAction(); }
    else if (data.action === "toast.dismiss") { const callbacks = toastCallbacks.get(payload.id); toastCallbacks.delete(payload.id); if (callbacks && callbacks.onDismiss) callbacks.onDismiss(); }
    else if (data.action === "modal.hide") { const modal = document.getElementById(payload.id); if (modal && modal.hide) modal.hide(); }
  });

  // ---- App Bridge elements are drawn by the admin, not in the app frame --------------------
  const style = document.createElement("style");
  style.textContent = "ui-nav-menu, ui-title-bar, ui-save-bar { display: none !important; }" +
    " ui-modal { display: none; } ui-modal[data-showing] { display: block; position: fixed; inset: 0; z-index: 2147483000; background: rgba(0, 0, 0, 0.45); }" +
    " ui-modal > .tracklight-modal-panel { background: #fff; margin: 10vh auto; max-width: 620px; border-radius: 12px; padding: 16px; }";
  (document.head || document.documentElement).appendChild(style);

  class SaveBarElement extends HTMLElement {
    constructor() { super(); this._showing = false; }
    get showing() { return this._showing; }
    get discardConfirmation() { return this.hasAttribute("discardConfirmation"); }
    set discardConfirmation(value) { if (value) this.setAttribute("discardConfirmation", ""); else this.removeAttribute("discardConfirmation"); }
    show() { if (!this._showing) { this._showing = true; this.dispatchEvent(new Event("show")); scheduleReport(); } return Promise.resolve(); }
    hide() { if (this._showing) { this._showing = false; this.dispatchEvent(new Event("hide")); scheduleReport(); } return Promise.resolve(); }
    toggle() { return this._showing ? this.hide() : this.show(); }
  }
  class ModalElement extends HTMLElement {
    constructor() { super(); this._showing = false; this._panel = null; }
    connectedCallback() { this.panel(); }
    panel() {
      if (!this._panel) { this._panel = document.createElement("div"); this._panel.className = "tracklight-modal-panel"; this.appendChild(this._panel); }
      return this._panel;
    }
    get content() { return this.panel(); }
    get showing() { return this._showing; }
    show() { this._showing = true; this.setAttribute("data-showing", ""); this.dispatchEvent(new Event("show")); scheduleReport(); return Promise.resolve(); }
    hide() { if (!this._showing) return Promise.resolve(); this._showing = false; this.removeAttribute("data-showing"); this.dispatchEvent(new Event("hide")); scheduleReport(); return Promise.resolve(); }
    toggle() { return this._showing ? this.hide() : this.show(); }
  }
  class PassiveElement extends HTMLElement {}
  if (!customElements.get("ui-save-bar")) customElements.define("ui-save-bar", SaveBarElement);
  if (!customElements.get("ui-modal")) customElements.define("ui-modal", ModalElement);
  if (!customElements.get("ui-nav-menu")) customElements.define("ui-nav-menu", class extends PassiveElement {});
  if (!customElements.get("ui-title-bar")) customElements.define("ui-title-bar", class extends PassiveElement {});

  // Forms with data-save-bar: dirty on input, Save submits, Discard resets.
  const dirtyForms = new Set();
  function formKey(form) { return "form:" + (form.id || Array.from(document.forms).indexOf(form)); }
  function saveBarForm(target) { const form = target && target.closest ? target.closest("form") : null; return form && form.hasAttribute("data-save-bar") ? form : null; }
  document.addEventListener("input", (event) => { const form = saveBarForm(event.target); if (form) { dirtyForms.add(form); scheduleReport(); } }, true);
  document.addEventListener("change", (event) => { const form = saveBarForm(event.target); if (form) { dirtyForms.add(form); scheduleReport(); } }, true);
  document.addEventListener("submit", (event) => { const form = saveBarForm(event.target); if (form) { dirtyForms.delete(form); scheduleReport(); } }, true);
  document.addEventListener("reset", (event) => { const form = saveBarForm(event.target); if (form) { dirtyForms.delete(form); scheduleReport(); } }, true);

  function buttonState(button) {
    return { label: (button.textContent || "").trim(), primary: button.getAttribute("variant") === "primary", disabled: button.disabled || button.hasAttribute("disabled"), loading: button.hasAttribute("loading") && button.getAttribute("loading") !== "false" };
  }
  function saveBarAction(id, which) {
    const form = Array.from(dirtyForms).find((candidate) => formKey(candidate) === id);
    if (form) { if (which === "save") form.requestSubmit(); else form.reset(); return; }
    const bar = document.getElementById(id) || Array.from(document.querySelectorAll("ui-save-bar")).find((candidate) => candidate.showing);
    if (!bar) { notify("error", { message: "no save bar " + id }); return; }
    const buttons = Array.from(bar.querySelectorAll(":scope > button"));
    const button = which === "save" ? buttons.find((candidate) => candidate.getAttribute("variant") === "primary") : buttons.find((candidate) => candidate.getAttribute("variant") !== "primary");
    if (button) button.click();
  }

  // ---- what the admin draws: navigation, title bar, save bars, modals, location ------------
  let reportQueued = false;
  let lastReport = "";
  function scheduleReport() {
    if (reportQueued) return;
    reportQueued = true;
    setTimeout(() => {
      reportQueued = false;
      const state = {
        location: location.pathname + location.search,
        navMenu: Array.from(document.querySelectorAll("ui-nav-menu a")).map((a) => ({ label: (a.textContent || "").trim(), href: a.getAttribute("href"), rel: a.getAttribute("rel") })),
        titleBar: (() => { const bar = document.querySelector("ui-title-bar"); return bar ? { title: bar.getAttribute("title"), buttons: Array.from(bar.querySelectorAll("button")).map(buttonState) } : null; })(),
        saveBars: Array.from(document.querySelectorAll("ui-save-bar")).filter((bar) => bar.showing).map((bar) => ({ id: bar.id || null, buttons: Array.from(bar.querySelectorAll(":scope > button")).map(buttonState) }))
          .concat(Array.from(dirtyForms).filter((form) => form.isConnected).map((form) => ({ id: formKey(form), buttons: [{ label: "Save", primary: true, disabled: false, loading: false }, { label: "Discard", primary: false, disabled: false, loading: false }] }))),
        modals: Array.from(document.querySelectorAll("ui-modal")).filter((modal) => modal.showing).map((modal) => ({ id: modal.id || null })),
      };
      const serialized = JSON.stringify(state);
      if (serialized === lastReport) return;
      lastReport = serialized;
      notify("state", state);
    }, 0);
  }
  const observer = new MutationObserver(() => scheduleReport());
  observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  for (const method of ["pushState", "replaceState"]) {
    const original = history[method];
    history[method] = function (...args) { const result = original.apply(this, args); scheduleReport(); return result; };
  }
  window.addEventListener("popstate", () => scheduleReport());
  window.addEventListener("DOMContentLoaded", () => scheduleReport());

  function navigate(href) {
    const link = Array.from(document.querySelectorAll("ui-nav-menu a")).find((a) => a.getAttribute("href") === href);
    if (!link) { notify("error", { message: "navigation to " + href + " is not in ui-nav-menu" }); return; }
    // What App Bridge does for a nav item: the app (AppProvider) routes it client-side.
    link.dispatchEvent(new CustomEvent("shopify:navigate", { bubbles: true, composed: true }));
  }

  // ---- authenticated fetch -----------------------------------------------------------------
  const nativeFetch = window.fetch.bind(window);
  async function withIdToken(request) {
    const headers = new Headers(request.headers);
    headers.set("Authorization", "Bearer " + (await ask("idToken")));
    return new Request(request, { headers });
  }
  window.fetch = async function (input, init) {
    const request = new Request(input, init);
    const url = new URL(request.url, location.href);
    if (url.origin !== location.origin || request.headers.has("Authorization") || !parentWindow) return nativeFetch(request);
    const retry = request.clone();
    let response = await nativeFetch(await withIdToken(request));
    if (response.status === 401 && response.headers.get("X-Shopify-Retry-Invalid-Session-Request") === "1") {
      notify("fetch.retry", { url: url.pathname + url.search });
      response = await nativeFetch(await withIdToken(retry));
    }
    const reauthorize = response.headers.get("X-Shopify-API-Request-Failure-Reauthorize-Url");
    if (reauthorize) {
      notify("redirect", { url: reauthorize, target: "_top" });
      window.open(reauthorize, "_top");
    }
    return response;
  };

  // ---- the shopify global ------------------------------------------------------------------
  let toastSequence = 0;
  function unsupported(name) {
    return new Proxy(function () {}, {
      get(_target, property) { return property === "then" ? undefined : unsupported(name + "." + String(property)); },
      apply() {
        notify("unsupported", { api: name });
        return Promise.reject(new Error("shopify." + name + " is not implemented by the admin stand-in (scripts/sandbox/admin-frame.ts)"));
      },
    });
  }
  function saveBarById(id) { const element = document.getElementById(id); if (!element || typeof element.show !== "function") throw new Error("no ui-save-bar with id " + id); return element; }
  function modalById(id) { const element = document.getElementById(id); if (!element || typeof element.show !== "function") throw new Error("no ui-modal with id " + id); return element; }
  window.shopify = {
    config: { apiKey, shop: params.get("shop"), host: params.get("host"), locale: params.get("locale") || "en" },
    origin: CONFIG.adminOrigin,
    ready: Promise.resolve(),
    environment: { embedded: Boolean(parentWindow), mobile: false, pos: false },
    setSignals() {},
    idToken: () => ask("idToken"),
    user: () => ask("user"),
    loading: (isLoading) => notify("loading", { loading: isLoading !== false }),
    toast: {
      show(message, options) {
        const id = "toast-" + ++toastSequence;
        const opts = options || {};
        toastCallbacks.set(id, { onAction: opts.onAction, onDismiss: opts.onDismiss });
        notify("toast.show", { id, message: String(message), isError: Boolean(opts.isError), duration: opts.duration ?? 5000, action: opts.action ?? null });
        return id;
      },
      hide(id) { toastCallbacks.delete(id); notify("toast.hide", { id }); },
    },
    saveBar: {
      show: (id) => saveBarById(id).show(),
      hide: (id) => saveBarById(id).hide(),
      toggle: (id) => saveBarById(id).toggle(),
      leaveConfirmation: () => Promise.resolve(),
    },
    modal: {
      show: (id) => modalById(id).show(),
      hide: (id) => modalById(id).hide(),
      toggle: (id) => modalById(id).toggle(),
    },
    resourcePicker: unsupported("resourcePicker"),
    scanner: unsupported("scanner"),
    pos: unsupported("pos"),
    intents: unsupported("intents"),
    webVitals: unsupported("webVitals"),
    support: unsupported("support"),
    reviews: unsupported("reviews"),
    scopes: unsupported("scopes"),
    picker: unsupported("picker"),
    app: unsupported("app"),
    shopifyQL: unsupported("shopifyQL"),
    tools: unsupported("tools"),
  };

  // ---- the bounce page: a fresh ID token, then back to the page that asked for it ----------
  const reload = params.get("shopify-reload");
  if (reload) {
    ask("bounce", { reload })
      .then((token) => {
        const target = new URL(reload, location.href);
        if (target.origin !== location.origin) throw new Error("shopify-reload points at another origin: " + target.origin);
        target.searchParams.set("id_token", token);
        location.replace(target.toString());
      })
      .catch((error) => notify("error", { message: String(error && error.message ? error.message : error) }));
  }
  scheduleReport();
})();
`;
}

export interface AdminPageConfig {
  shop: string;
  appOrigin: string;
  /** Where the iframe points first (with every admin query parameter). */
  frameSrc: string;
  appName: string;
  /** Bounce-page reloads the admin serves before it stops (a guard against reload loops in tests). */
  bounceLimit: number;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The admin page's HTML. `__tracklightMintIdToken` and `__tracklightAdminRecord` are bindings exposed by the harness. */
export function adminPageHtml(config: AdminPageConfig): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(config.appName)} · ${escapeHtml(config.shop)} · Shopify (test stand-in)</title>
<style>
  * { box-sizing: border-box; }
  html, body { margin: 0; height: 100%; font-family: "DejaVu Sans", system-ui, sans-serif; font-size: 13px; background: #f1f1f1; }
  #top-bar { position: fixed; top: 0; left: 0; right: 0; height: 56px; background: #1a1a1a; color: #e3e3e3; display: flex; align-items: center; padding: 0 16px; gap: 16px; z-index: 10; }
  #top-bar .brand { font-weight: 700; color: #fff; }
  #top-bar .shop { margin-left: auto; }
  #save-bar { position: fixed; top: 0; left: 0; right: 0; height: 56px; background: #1a1a1a; color: #fff; display: none; align-items: center; padding: 0 16px; gap: 8px; z-index: 20; }
  #save-bar[data-visible] { display: flex; }
  #save-bar .label { margin-right: auto; font-weight: 600; }
  #save-bar button { border-radius: 8px; padding: 6px 12px; border: 1px solid #8a8a8a; background: #303030; color: #fff; font: inherit; }
  #save-bar button[data-primary] { background: #fff; color: #1a1a1a; }
  #sidebar { position: fixed; top: 56px; bottom: 0; left: 0; width: 240px; padding: 12px 8px; background: #ebebeb; overflow: auto; }
  #sidebar .section { color: #616161; font-weight: 600; padding: 12px 8px 4px; }
  #sidebar a { display: block; padding: 6px 12px; border-radius: 8px; color: #303030; text-decoration: none; }
  #sidebar a[aria-current="page"] { background: #fff; font-weight: 600; }
  #sidebar .app-item { font-weight: 600; }
  #sidebar .sub { padding-left: 28px; }
  main { position: fixed; top: 56px; left: 240px; right: 0; bottom: 0; display: flex; flex-direction: column; }
  #title-bar { display: none; padding: 10px 16px; font-weight: 700; font-size: 15px; background: #f1f1f1; }
  #title-bar[data-visible] { display: block; }
  #loading { position: absolute; top: 0; left: 0; right: 0; height: 3px; background: #2c6ecb; display: none; }
  #loading[data-visible] { display: block; }
  iframe { flex: 1; border: 0; width: 100%; background: #f1f1f1; }
  #toasts { position: fixed; bottom: 24px; left: 240px; right: 0; display: flex; flex-direction: column; align-items: center; gap: 8px; pointer-events: none; z-index: 30; }
  #toasts .toast { pointer-events: auto; background: #1a1a1a; color: #fff; padding: 10px 16px; border-radius: 10px; display: flex; gap: 12px; align-items: center; }
  #toasts .toast[data-error] { background: #8e1f0b; }
  #toasts .toast button { background: transparent; color: #fff; border: 1px solid #8a8a8a; border-radius: 6px; font: inherit; }
</style>
</head>
<body>
<header id="top-bar"><span class="brand">shopify</span><span>Search</span><span class="shop">${escapeHtml(config.shop)}</span></header>
<div id="save-bar" role="region" aria-label="Contextual save bar"><span class="label">Unsaved changes</span></div>
<nav id="sidebar" aria-label="Admin">
  <a href="#" data-admin-link>Home</a>
  <a href="#" data-admin-link>Orders</a>
  <a href="#" data-admin-link>Products</a>
  <div class="section">Apps</div>
  <div id="app-nav" role="navigation" aria-label="App navigation"></div>
</nav>
<main>
  <div id="loading" role="progressbar" aria-label="Loading"></div>
  <div id="title-bar" role="heading" aria-level="1"></div>
  <iframe name="${APP_FRAME_NAME}" id="${APP_FRAME_NAME}" title="${escapeHtml(config.appName)}" src="${escapeHtml(config.frameSrc)}"></iframe>
</main>
<div id="toasts" aria-live="polite"></div>
<script>
(() => {
  const CONFIG = ${JSON.stringify(config).replace(/</g, "\\u003c")};
  const frame = document.getElementById(${JSON.stringify(APP_FRAME_NAME)});
  let bounces = 0;
  let state = { location: null, navMenu: [], titleBar: null, saveBars: [], modals: [] };
  for (const link of document.querySelectorAll("[data-admin-link]")) link.addEventListener("click", (event) => event.preventDefault());

  function record(event) { window.__tracklightAdminRecord(event).catch(() => {}); }
  function toFrame(message) { if (frame.contentWindow) frame.contentWindow.postMessage({ source: "tracklight-admin", ...message }, CONFIG.appOrigin); }
  function reply(id, value, error) { toFrame({ replyTo: id, value, error }); }

  function el(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) if (value !== false && value != null) node.setAttribute(name, value === true ? "" : String(value));
    if (text != null) node.textContent = text;
    return node;
  }
  function render() {
    const nav = document.getElementById("app-nav");
    nav.replaceChildren();
    const path = state.location ? state.location.split("?")[0] : null;
    const home = state.navMenu.find((item) => item.rel === "home");
    const appLink = el("a", { href: "#", class: "app-item", "data-href": home ? home.href : "" }, CONFIG.appName);
    if (home && path === home.href) appLink.setAttribute("aria-current", "page");
    nav.appendChild(appLink);
    for (const item of state.navMenu) {
      if (item.rel === "home") continue;
      const link = el("a", { href: "#", class: "sub", "data-href": item.href, "aria-current": path === item.href ? "page" : false }, item.label);
      nav.appendChild(link);
    }
    for (const link of nav.querySelectorAll("a")) link.addEventListener("click", (event) => { event.preventDefault(); const href = link.getAttribute("data-href"); if (href) toFrame({ action: "navigate", payload: { href } }); });

    const title = document.getElementById("title-bar");
    if (state.titleBar && state.titleBar.title) { title.textContent = state.titleBar.title; title.setAttribute("data-visible", ""); } else { title.textContent = ""; title.removeAttribute("data-visible"); }

    const bar = document.getElementById("save-bar");
    for (const button of bar.querySelectorAll("button")) button.remove();
    const showing = state.saveBars[0];
    if (showing) {
      bar.setAttribute("data-visible", "");
      const discard = showing.buttons.find((button) => !button.primary);
      const save = showing.buttons.find((button) => button.primary);
      const discardButton = el("button", { type: "button", disabled: discard ? discard.disabled : false }, "Discard");
      const saveButton = el("button", { type: "button", "data-primary": true, disabled: save ? save.disabled || save.loading : false }, "Save");
      discardButton.addEventListener("click", () => toFrame({ action: "saveBar.discard", payload: { id: showing.id } }));
      saveButton.addEventListener("click", () => toFrame({ action: "saveBar.save", payload: { id: showing.id } }));
      bar.append(discardButton, saveButton);
    } else bar.removeAttribute("data-visible");
  }
  function showToast(toast) {
    const node = el("div", { class: "toast", role: "status", "data-toast-id": toast.id, "data-error": toast.isError }, null);
    node.appendChild(el("span", {}, toast.message));
    if (toast.action) {
      const action = el("button", { type: "button" }, toast.action);
      action.addEventListener("click", () => toFrame({ action: "toast.action", payload: { id: toast.id } }));
      node.appendChild(action);
    }
    document.getElementById("toasts").appendChild(node);
    setTimeout(() => { if (node.isConnected) { node.remove(); toFrame({ action: "toast.dismiss", payload: { id: toast.id } }); } }, toast.duration);
  }

  window.addEventListener("message", async (event) => {
    if (event.source !== frame.contentWindow || event.origin !== CONFIG.appOrigin) return;
    const data = event.data;
    if (!data || data.source !== "tracklight-app-bridge") return;
    record({ action: data.action, payload: data.payload ?? null });
    const payload = data.payload || {};
    try {
      switch (data.action) {
        case "idToken":
          reply(data.id, await window.__tracklightMintIdToken());
          break;
        case "bounce":
          bounces += 1;
          if (bounces > CONFIG.bounceLimit) reply(data.id, null, "admin stand-in: bounce limit (" + CONFIG.bounceLimit + ") reached");
          else reply(data.id, await window.__tracklightMintIdToken());
          break;
        case "user":
          reply(data.id, { accountAccess: "Account owner" });
          break;
        case "state":
          state = payload;
          render();
          break;
        case "toast.show":
          showToast(payload);
          break;
        case "toast.hide": {
          const node = document.querySelector('[data-toast-id="' + CSS.escape(payload.id) + '"]');
          if (node) node.remove();
          break;
        }
        case "loading":
          document.getElementById("loading").toggleAttribute("data-visible", Boolean(payload.loading));
          break;
        default:
          if (data.id) reply(data.id, null, "admin stand-in: unknown request " + data.action);
      }
    } catch (error) {
      if (data.id) reply(data.id, null, String(error && error.message ? error.message : error));
    }
  });
  render();
})();
</script>
</body>
</html>`;
}

/** `host` as admin passes it: base64 of `admin.shopify.com/store/<handle>`. */
export function adminHost(shop: string): string {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64").replace(/=+$/, "");
}

/** The query admin puts on the app URL, signed like admin signs it (hex HMAC of the sorted query). */
export function adminQuery(input: { shop: string; idToken?: string; apiSecret: string }): URLSearchParams {
  const params: Record<string, string> = {
    embedded: "1",
    host: adminHost(input.shop),
    locale: "en",
    session: randomUUID().replaceAll("-", ""),
    shop: input.shop,
    timestamp: String(Math.floor(Date.now() / 1000)),
  };
  if (input.idToken) params.id_token = input.idToken;
  const message = Object.keys(params)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
  const hmac = createHmac("sha256", input.apiSecret).update(message).digest("hex");
  return new URLSearchParams({ ...params, hmac });
}
