// The conversation as this browser tab knows it, kept in sessionStorage: the session token
// the server issued, the rendered messages, whether the chat was open and the last process
// step. sessionStorage (not localStorage) so nothing outlives the tab, and a shared computer
// does not show one caseworker's questions to the next person.

const KEY = "sgiChat.v1";
const MAX_MESSAGES = 200;

function emptyState() {
  return { token: null, messages: [], open: null, step: null };
}

function storageOrNull() {
  try {
    const storage = window.sessionStorage;
    storage.setItem(KEY + ".probe", "1");
    storage.removeItem(KEY + ".probe");
    return storage;
  } catch (_) {
    return null; // storage blocked: the chat still works, only without reload memory
  }
}

export function createStore() {
  const storage = storageOrNull();
  let state = emptyState();
  try {
    const saved = storage && JSON.parse(storage.getItem(KEY) || "null");
    if (saved && Array.isArray(saved.messages)) state = Object.assign(emptyState(), saved);
  } catch (_) {
    /* unreadable state: start over */
  }

  function save() {
    state.messages = state.messages.slice(-MAX_MESSAGES);
    try {
      if (storage) storage.setItem(KEY, JSON.stringify(state));
    } catch (_) {
      /* quota full: keep going in memory */
    }
  }

  return {
    get: () => state,
    update(changes) {
      Object.assign(state, changes);
      save();
    },
    addMessage(message) {
      state.messages.push(message);
      save();
    },
    clear() {
      state = Object.assign(emptyState(), { open: state.open });
      save();
    },
  };
}
