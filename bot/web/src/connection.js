// The line to Rasa's Socket.IO channel. The server issues the session token; we keep it
// and send it on every (re)connect and with every message, so a reload, a page change or a
// network drop continues the same conversation. Messages typed before the session is
// confirmed wait here instead of being lost.
import { io } from "socket.io-client";

export function createConnection({ serverUrl, path, getToken, onToken, onMessage, onStatus }) {
  const socket = io(serverUrl, {
    path: path || "/socket.io",
    transports: ["websocket", "polling"],
    reconnectionDelay: 1000,
    reconnectionDelayMax: 8000,
    autoConnect: false,
  });
  let ready = false;
  let dropped = false;
  const pending = [];

  function emitMessage(text) {
    socket.emit("user_uttered", { message: text, session_id: getToken() });
  }

  function flush() {
    while (ready && socket.connected && pending.length) emitMessage(pending.shift());
  }

  socket.on("connect", () => {
    socket.emit("session_request", { session_id: getToken() });
  });
  socket.on("session_confirm", (token) => {
    if (typeof token === "string") onToken(token);
    ready = true;
    if (dropped) onStatus("back");
    dropped = false;
    flush();
  });
  socket.on("bot_uttered", (message) => {
    if (message && typeof message === "object") onMessage(message);
  });
  socket.on("disconnect", (reason) => {
    ready = false;
    // "io client disconnect" is our own close(); every other reason reconnects by itself.
    if (reason !== "io client disconnect") {
      dropped = true;
      onStatus("reconnecting");
    }
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", () => {
    onStatus(dropped ? "reconnecting" : "connecting-failed");
    dropped = true;
  });

  return {
    start() {
      socket.connect();
    },
    send(text) {
      pending.push(text);
      flush();
    },
    /** A new conversation: forget the token and ask the server for a fresh session. */
    restart() {
      pending.length = 0;
      ready = false;
      if (socket.connected) socket.emit("session_request", { session_id: null });
    },
  };
}
