// Colour helpers so a site's own brand colour can never make the chat unreadable:
// text on a coloured surface is chosen by WCAG contrast, and a colour too light for
// links falls back to a safe dark one.

function channel(value) {
  const c = value / 255;
  return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

/** [r, g, b] for "#rgb" or "#rrggbb", else null. */
export function parseHex(hex) {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(hex || "").trim());
  if (!m) return null;
  const h = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
}

function luminance(rgb) {
  const [r, g, b] = rgb.map(channel);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** Black or white text, whichever reads better on `background`. */
export function textOn(background) {
  const rgb = parseHex(background);
  if (!rgb) return "#ffffff";
  return contrast(rgb, [255, 255, 255]) >= contrast(rgb, [17, 17, 17]) ? "#ffffff" : "#111111";
}

/** `color` if it reaches 4.5:1 on `background`, else `fallback`. */
export function readableOr(color, background, fallback) {
  const a = parseHex(color);
  const b = parseHex(background);
  return a && b && contrast(a, b) >= 4.5 ? color : fallback;
}
