// Boots the resident bundle: fetches and instantiates the wasm, whose main mounts the app.
// A file rather than an inline script, so a strict Content-Security-Policy (script-src 'self') holds.
import init from '/sesshu-app.js';

init();
