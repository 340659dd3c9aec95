// Starts the app. Trunk's default is an inline module script, which the page's
// Content-Security-Policy (script-src 'self') forbids; Trunk.toml's pattern_script loads this
// file instead and passes the hashed file names in data attributes.
const boot = document.getElementById("boot");
const { default: init } = await import(boot.dataset.js);
await init({ module_or_path: boot.dataset.wasm });
