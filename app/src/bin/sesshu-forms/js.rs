//! The browser APIs the forms need beyond what the app crate's web-sys features cover, bound
//! here so the resident bundle (same crate, same features) does not change.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    type Navigator;

    #[wasm_bindgen(thread_local_v2, js_name = navigator)]
    static NAVIGATOR: Navigator;

    #[wasm_bindgen(method, getter, js_name = onLine)]
    fn on_line(this: &Navigator) -> bool;
}

/// Whether the browser believes it is online; it can be wrong only the optimistic way (a
/// network without internet), which the request itself then finds out.
pub fn online() -> bool {
    NAVIGATOR.with(Navigator::on_line)
}

/// Opens the browser's print dialog.
pub fn print() {
    // Fails only where printing is not supported; the button then does nothing.
    let _ = leptos::prelude::window().print();
}
