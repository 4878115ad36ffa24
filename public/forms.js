// Boots the questionnaire bundle (/forms): fetches and instantiates the wasm, whose main mounts
// the app. A file rather than an inline script, so a strict Content-Security-Policy holds.
import init from '/sesshu-forms.js';

init();
