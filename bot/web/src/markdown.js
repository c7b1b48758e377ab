// A small, safe Markdown subset for the bot's texts: **bold**, lists ("- ", "* ", "1. "),
// [text](url) links and bare http(s) addresses. Everything becomes DOM nodes built with
// textContent; no text is ever parsed as HTML, so a message cannot inject markup.

const INLINE = /\*\*(.+?)\*\*|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()]*[^\s<>().,;:!?'"])/g;
const BULLET = /^\s*[-*•]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;

/** The URL if it is an absolute http(s) address, otherwise null (no javascript:, data: ...). */
export function safeUrl(raw) {
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (_) {
    return null;
  }
}

function link(doc, text, href) {
  const a = doc.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.textContent = text;
  const hint = doc.createElement("span");
  hint.className = "sr-only";
  hint.textContent = " (öppnas i ny flik)";
  a.appendChild(hint);
  return a;
}

/** Appends `text` to `parent`, turning bold and links into elements. */
export function renderInline(doc, parent, text) {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    parent.appendChild(doc.createTextNode(text.slice(last, match.index)));
    const [whole, bold, label, target, bare] = match;
    if (bold !== undefined) {
      const strong = doc.createElement("strong");
      renderInline(doc, strong, bold);
      parent.appendChild(strong);
    } else {
      const href = safeUrl(label !== undefined ? target : bare);
      parent.appendChild(href ? link(doc, label !== undefined ? label : bare, href) : doc.createTextNode(label || whole));
    }
    last = match.index + whole.length;
  }
  parent.appendChild(doc.createTextNode(text.slice(last)));
}

function listKind(line) {
  if (BULLET.test(line)) return "ul";
  if (NUMBERED.test(line)) return "ol";
  return null;
}

/** A fragment with paragraphs and lists for one message text. */
export function renderMarkdown(text, doc = document) {
  const fragment = doc.createDocumentFragment();
  let block = null;
  let kind = null;
  for (const line of String(text).split("\n")) {
    const lineKind = listKind(line);
    if (!line.trim()) {
      block = kind = null;
      continue;
    }
    if (lineKind) {
      if (kind !== lineKind) {
        block = fragment.appendChild(doc.createElement(lineKind));
        kind = lineKind;
      }
      const item = block.appendChild(doc.createElement("li"));
      renderInline(doc, item, line.match(lineKind === "ul" ? BULLET : NUMBERED)[1]);
      continue;
    }
    if (kind !== "p") {
      block = fragment.appendChild(doc.createElement("p"));
      kind = "p";
    } else {
      block.appendChild(doc.createElement("br"));
    }
    renderInline(doc, block, line);
  }
  return fragment;
}
