// Starts the app. Trunk's default is an inline module script, which the page's
// Content-Security-Policy (script-src 'self') forbids; Trunk.toml's pattern_script loads this
// file instead and passes the hashed file names in data attributes.
const boot = document.getElementById("boot");
const { default: init } = await import(boot.dataset.js);
await init({ module_or_path: boot.dataset.wasm });

// sw.js keeps a copy of the app for offline use. It is registered only once the page has loaded,
// so that starting it does not compete with starting the app.
if (location.protocol.startsWith("http") && "serviceWorker" in navigator) {
  const register = () => navigator.serviceWorker.register("sw.js").catch(() => {});
  if (document.readyState === "complete") register();
  else addEventListener("load", register, { once: true });
}
