// Builds the chat's DOM inside a shadow root and handles keyboard and focus. All user and
// bot text goes in through textContent or markdown.js, never as HTML.
import { CSS } from "./styles.js";
import { renderMarkdown } from "./markdown.js";

const CHAT_ICON =
  "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";

function el(doc, tag, props = {}, children = []) {
  const node = doc.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  children.forEach((child) => child && node.appendChild(child));
  return node;
}

function icon(doc) {
  const svg = doc.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = doc.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", CHAT_ICON);
  path.setAttribute("fill", "currentColor");
  svg.appendChild(path);
  return svg;
}

function buildParts(doc, config) {
  const floating = config.mode !== "embedded";
  const parts = {};
  parts.launcher = floating
    ? el(doc, "button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "sgi-panel" },
        [icon(doc), el(doc, "span", { text: config.launcherText })])
    : null;
  parts.clear = el(doc, "button", { type: "button", class: "clear", "aria-label": "Rensa historiken och börja om", text: "Rensa" });
  parts.close = floating
    ? el(doc, "button", { type: "button", class: "close", "aria-label": "Stäng chatten", text: "×" })
    : null;
  parts.status = el(doc, "p", { class: "status", role: "status" });
  parts.log = el(doc, "div", { class: "log", role: "log", "aria-live": "polite", "aria-labelledby": "sgi-title", tabindex: "0" });
  parts.typing = el(doc, "p", { class: "typing", hidden: "", text: "Boten skriver …" });
  parts.input = el(doc, "textarea", { id: "sgi-input", rows: "1", maxlength: String(config.maxChars),
    "aria-describedby": "sgi-hint", autocomplete: "off" });
  parts.counter = el(doc, "span", { class: "counter", "aria-live": "polite" });
  parts.send = el(doc, "button", { type: "submit", text: "Skicka" });
  parts.form = el(doc, "form", { class: "composer" }, [
    el(doc, "label", { for: "sgi-input", class: "sr-only", text: "Skriv din fråga" }), parts.input, parts.send,
  ]);
  parts.panel = el(doc, "section", { id: "sgi-panel", class: "panel", "aria-labelledby": "sgi-title" }, [
    el(doc, "div", { class: "header" }, [el(doc, "h2", { id: "sgi-title", text: config.title }), parts.clear, parts.close]),
    parts.status, parts.log, parts.typing, parts.form,
    el(doc, "p", { id: "sgi-hint", class: "hint" }, [
      doc.createTextNode("Enter skickar, Skift+Enter ger ny rad. "), parts.counter,
    ]),
  ]);
  if (floating) parts.panel.hidden = true;
  return parts;
}

/** Mounts the widget; `handlers` get onSend(text, shownText), onClear(), onToggle(open). */
export function createView(doc, host, config, handlers) {
  const root = host.attachShadow({ mode: "open" });
  const style = doc.createElement("style");
  style.textContent = CSS;
  root.appendChild(style);
  const parts = buildParts(doc, config);
  const wrapper = el(doc, "div", { class: `root ${config.mode === "embedded" ? "embedded" : "floating"}`, lang: "sv" },
    [parts.launcher, parts.panel]);
  Object.entries(config.cssVars).forEach(([name, value]) => wrapper.style.setProperty(name, value));
  root.appendChild(wrapper);
  if (config.greeting) parts.log.appendChild(el(doc, "p", { class: "intro", text: config.greeting }));

  const view = {
    isOpen: () => !parts.panel.hidden,
    open(focus = true) {
      parts.panel.hidden = false;
      if (parts.launcher) parts.launcher.setAttribute("aria-expanded", "true");
      scrollDown();
      if (focus) parts.input.focus();
      handlers.onToggle(true);
    },
    close() {
      if (!parts.launcher) return;
      parts.panel.hidden = true;
      parts.launcher.setAttribute("aria-expanded", "false");
      parts.launcher.focus();
      handlers.onToggle(false);
    },
    addMessage(message, withReplies) {
      removeReplies();
      const who = message.from === "user" ? "Du" : "Boten";
      const node = el(doc, "div", { class: `msg ${message.from}${message.error ? " error" : ""}` },
        [el(doc, "span", { class: "sr-only", text: `${who}: ` })]);
      if (message.from === "user") node.appendChild(doc.createTextNode(message.text));
      else node.appendChild(renderMarkdown(message.text, doc));
      parts.log.appendChild(node);
      if (withReplies && message.buttons && message.buttons.length) parts.log.appendChild(replies(message.buttons));
      scrollDown();
    },
    clearMessages() {
      parts.log.querySelectorAll(".msg, .replies").forEach((node) => node.remove());
    },
    setStatus(text) {
      parts.status.textContent = text;
    },
    setTyping(on) {
      parts.typing.hidden = !on;
    },
    focusInput: () => parts.input.focus(),
  };

  function scrollDown() {
    parts.log.scrollTop = parts.log.scrollHeight;
  }

  function removeReplies() {
    parts.log.querySelectorAll(".replies").forEach((node) => node.remove());
  }

  function replies(buttons) {
    const group = el(doc, "div", { class: "replies", role: "group", "aria-label": "Svarsförslag" });
    buttons.forEach((button) => {
      const node = el(doc, "button", { type: "button", text: button.title });
      node.addEventListener("click", () => {
        handlers.onSend(button.payload, button.title);
        parts.input.focus();
      });
      group.appendChild(node);
    });
    return group;
  }

  function submit() {
    const text = parts.input.value;
    if (!text.trim()) return;
    parts.input.value = "";
    updateCounter();
    handlers.onSend(text, text);
  }

  function updateCounter() {
    const used = parts.input.value.length;
    parts.counter.textContent = used > config.maxChars - 200 ? `${used} av ${config.maxChars} tecken.` : "";
  }

  parts.form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  parts.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  parts.input.addEventListener("input", updateCounter);
  parts.panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") view.close();
  });
  parts.clear.addEventListener("click", () => handlers.onClear());
  if (parts.launcher) parts.launcher.addEventListener("click", () => (view.isOpen() ? view.close() : view.open()));
  if (parts.close) parts.close.addEventListener("click", () => view.close());
  return view;
}
