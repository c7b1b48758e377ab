// Entry point of widget.js. A site embeds the chat with one script tag and, optionally, a
// small config object set before it:
//   <script>window.SgiChatConfig = { serverUrl: "https://bot.example.se", title: "Fråga om SGI 0" };</script>
//   <script src="https://bot.example.se/widget.js" defer></script>
// The same settings can be given as data-* attributes on the script tag
// (data-server-url, data-title, data-greeting, data-primary-color, data-start-open, data-mode,
// data-container).
import { createConnection } from "./connection.js";
import { createStore } from "./store.js";
import { createView } from "./ui.js";
import { readableOr, textOn } from "./color.js";

const MAX_CHARS = 2000;
const DEFAULT_PRIMARY = "#1c4f8a";
const STEP_EVENT = "sgichat:step";
const STATUS = {
  "connecting-failed": "Kan inte nå chatten just nu. Försöker igen …",
  reconnecting: "Anslutningen bröts. Försöker ansluta igen …",
  back: "Ansluten igen.",
};

const script = document.currentScript;

function readConfig() {
  const given = window.SgiChatConfig || {};
  const data = (script && script.dataset) || {};
  const pick = (key, fallback) => (given[key] !== undefined ? given[key] : data[key] !== undefined ? data[key] : fallback);
  const primary = (given.colors && given.colors.primary) || data.primaryColor || DEFAULT_PRIMARY;
  const link = readableOr(primary, "#eef1f4", DEFAULT_PRIMARY);
  return {
    serverUrl: pick("serverUrl", window.location.origin),
    socketPath: pick("socketPath", "/socket.io"),
    title: pick("title", "Fråga om SGI 0"),
    launcherText: pick("launcherText", "Chatta med SGI-boten"),
    greeting: pick("greeting", "Hej! Jag svarar på frågor om arbetet med sjukskrivna personer utan SGI i Stockholm. Skriv din fråga nedan."),
    startOpen: String(pick("startOpen", "false")) === "true",
    mode: pick("mode", "floating"),
    container: pick("container", null),
    maxChars: MAX_CHARS,
    cssVars: { "--primary": primary, "--on-primary": textOn(primary), "--link": link, "--focus": link },
  };
}

function cleanButtons(raw) {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
    .map((b) => ({ title: b.title, payload: b.payload }));
}

function announceStep(step) {
  window.dispatchEvent(new CustomEvent(STEP_EVENT, { detail: { step } }));
}

function mount(config) {
  const store = createStore();
  const host = document.createElement("div");
  host.id = "sgi-chat";
  host.setAttribute("lang", "sv");
  const container = (config.mode === "embedded" && config.container && document.querySelector(config.container)) || document.body;
  if (container !== document.body) host.style.display = "block", host.style.height = "100%";
  container.appendChild(host);

  let typingTimer = null;
  let statusTimer = null;
  const setTyping = (on) => {
    clearTimeout(typingTimer);
    view.setTyping(on);
    if (on) typingTimer = setTimeout(() => view.setTyping(false), 20000);
  };
  const show = (message, withReplies) => {
    store.addMessage(message);
    view.addMessage(message, withReplies);
  };

  const view = createView(document, host, config, {
    onSend(payload, shown) {
      show({ from: "user", text: shown }, false);
      setTyping(true);
      connection.send(payload);
    },
    onClear() {
      store.clear();
      view.clearMessages();
      announceStep(null);
      connection.restart();
      view.setStatus("Historiken är rensad. Du kan börja om.");
      view.focusInput();
    },
    onToggle: (open) => store.update({ open }),
  });

  const connection = createConnection({
    serverUrl: config.serverUrl,
    path: config.socketPath,
    getToken: () => store.get().token,
    onToken: (token) => store.update({ token }),
    onStatus(state) {
      clearTimeout(statusTimer);
      view.setStatus(STATUS[state] || "");
      if (state === "back") statusTimer = setTimeout(() => view.setStatus(""), 4000);
    },
    onMessage(message) {
      setTyping(false);
      const custom = message.custom;
      if (custom && typeof custom === "object" && typeof custom.kb_step === "string" && /^[\w-]{1,80}$/.test(custom.kb_step)) {
        store.update({ step: custom.kb_step });
        announceStep(custom.kb_step);
      }
      if (typeof message.text === "string" && message.text.trim()) {
        show({ from: "bot", text: message.text, buttons: cleanButtons(message.quick_replies || message.buttons) }, true);
      }
    },
  });

  const state = store.get();
  state.messages.forEach((m, i) => view.addMessage(m, i === state.messages.length - 1 && m.from === "bot"));
  if (config.mode === "embedded" || state.open || (state.open === null && config.startOpen)) view.open(false);
  if (state.step) setTimeout(() => announceStep(state.step), 0);
  connection.start();
  return { open: () => view.open(), close: () => view.close(), currentStep: () => store.get().step };
}

if (!window.SgiChat) {
  const config = readConfig();
  window.SgiChat = { stepEvent: STEP_EVENT };
  const start = () => Object.assign(window.SgiChat, mount(config));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}
