// The widget's CSS, scoped by its shadow root so neither the host site nor the widget can
// restyle the other. Colours come in as custom properties chosen for contrast (color.js).

export const CSS = `
:host { all: initial; }
.root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 16px;
  line-height: 1.45; color: #1a1a1a; }
*, *::before, *::after { box-sizing: border-box; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
button, textarea { font: inherit; color: inherit; }
button { cursor: pointer; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }

.launcher { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000; display: flex; align-items: center;
  gap: 8px; min-height: 48px; padding: 10px 18px; border: 2px solid transparent; border-radius: 999px;
  background: var(--primary); color: var(--on-primary); font-weight: 600; box-shadow: 0 4px 14px rgba(0,0,0,.25); }
.launcher svg { width: 22px; height: 22px; flex: none; }

.panel { display: flex; flex-direction: column; background: #fff; overflow: hidden; }
.panel[hidden] { display: none; }
.floating .panel { position: fixed; right: 16px; bottom: 80px; z-index: 2147483001;
  width: min(400px, calc(100vw - 32px)); height: min(620px, calc(100vh - 104px));
  border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.3); border: 1px solid #c4c8cc; }
.embedded { height: 100%; }
.embedded .panel { height: 100%; min-height: 420px; border: 1px solid #c4c8cc; border-radius: 8px; }
@media (max-width: 480px) {
  .floating .panel { right: 0; bottom: 0; width: 100vw; height: 100%; border-radius: 0; border: 0; }
}

.header { display: flex; align-items: center; gap: 8px; padding: 10px 12px; background: var(--primary);
  color: var(--on-primary); }
.header h2 { flex: 1; margin: 0; font-size: 1.05rem; font-weight: 650; min-width: 0; overflow-wrap: anywhere; }
.header button { min-height: 40px; min-width: 40px; padding: 6px 10px; border: 1px solid currentColor;
  border-radius: 6px; background: transparent; color: inherit; }
.header :focus-visible { outline-color: var(--on-primary); }
.header .close { font-size: 1.4rem; line-height: 1; }

.status { margin: 0; padding: 6px 12px; background: #fff4ce; color: #3d2f00; font-size: .9rem;
  border-bottom: 1px solid #e6d38a; }
.status:empty { display: none; }

.log { flex: 1; overflow-y: auto; overflow-x: hidden; padding: 12px; display: flex; flex-direction: column; gap: 10px;
  overscroll-behavior: contain; }
.intro, .msg { max-width: 88%; padding: 8px 12px; border-radius: 12px; overflow-wrap: anywhere; }
.intro, .msg.bot { align-self: flex-start; background: #eef1f4; color: #1a1a1a; border-bottom-left-radius: 4px; }
.msg.user { align-self: flex-end; background: var(--primary); color: var(--on-primary);
  border-bottom-right-radius: 4px; white-space: pre-wrap; }
.msg p { margin: 0; }
.msg p + p, .msg p + ul, .msg p + ol, .msg ul + p, .msg ol + p { margin-top: .5em; }
.msg ul, .msg ol { margin: .25em 0; padding-left: 1.3em; }
.msg a { color: var(--link); text-decoration: underline; }
.msg.error { background: #fde7e9; color: #5c0011; }

.replies { align-self: flex-start; display: flex; flex-wrap: wrap; gap: 8px; margin: 0; padding: 0; border: 0; }
.replies button { min-height: 40px; padding: 6px 14px; border: 2px solid var(--link); border-radius: 999px;
  background: #fff; color: var(--link); font-weight: 600; text-align: left; }
.replies button:hover { background: #eef1f4; }

.typing { margin: 0 12px 6px; font-size: .9rem; color: #4a4f55; font-style: italic; }
.typing[hidden] { display: none; }

.composer { display: flex; align-items: flex-end; gap: 8px; padding: 10px 12px; border-top: 1px solid #c4c8cc; }
.composer textarea { flex: 1; min-width: 0; min-height: 44px; max-height: 140px; padding: 10px; resize: none;
  border: 1px solid #6b7075; border-radius: 8px; background: #fff; }
.composer button { min-height: 44px; padding: 8px 16px; border: 0; border-radius: 8px; background: var(--primary);
  color: var(--on-primary); font-weight: 600; }
.hint { margin: 0; padding: 0 12px 8px; font-size: .8rem; color: #4a4f55; }
.counter { font-weight: 600; color: #5c0011; }
`;
