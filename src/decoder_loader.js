// The decoder Worker's first script (src/decoder_module.rs makes it from a Blob): the page's
// first message names the module's bindings and wasm; once they load, the module's own handler
// takes the messages and says it is ready (a null). A failure to load is reported as `false`.
onmessage = (event) => {
  onmessage = null;
  const [script, wasm] = event.data;
  try {
    importScripts(script);
    wasm_bindgen({ module_or_path: wasm }).catch(() => postMessage(false));
  } catch (error) {
    postMessage(false);
  }
};
