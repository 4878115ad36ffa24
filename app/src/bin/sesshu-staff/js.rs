//! The few browser APIs the staff pages need that the app crate's web-sys features do not
//! cover: `Date`, the clipboard, `Blob` downloads and picked files. Bound here rather than by
//! enabling more web-sys features or adding js-sys, because those change how the whole crate
//! compiles and would make the resident bundle differ (measured: +500 bytes of JS glue),
//! though it never calls them.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// JavaScript's `Date`.
    pub type Date;

    #[wasm_bindgen(constructor)]
    pub fn new(value: &JsValue) -> Date;

    #[wasm_bindgen(static_method_of = Date)]
    pub fn now() -> f64;

    /// Milliseconds since the epoch; NaN for an unreadable date.
    #[wasm_bindgen(method, js_name = getTime)]
    pub fn get_time(this: &Date) -> f64;

    #[wasm_bindgen(method, js_name = getFullYear)]
    pub fn get_full_year(this: &Date) -> u32;

    /// 0 for January.
    #[wasm_bindgen(method, js_name = getMonth)]
    pub fn get_month(this: &Date) -> u32;

    #[wasm_bindgen(method, js_name = getDate)]
    pub fn get_date(this: &Date) -> u32;

    #[wasm_bindgen(method, js_name = getHours)]
    pub fn get_hours(this: &Date) -> u32;

    #[wasm_bindgen(method, js_name = getMinutes)]
    pub fn get_minutes(this: &Date) -> u32;

    type Promise;

    #[wasm_bindgen(method)]
    fn then(this: &Promise, on_fulfilled: &JsValue, on_rejected: &JsValue) -> Promise;

    /// Throws where there is no clipboard (insecure context, old browser).
    #[wasm_bindgen(catch, js_namespace = ["navigator", "clipboard"], js_name = writeText)]
    fn write_text(text: &str) -> Result<Promise, JsValue>;

    #[wasm_bindgen(js_name = Uint8Array)]
    type Bytes;

    /// Copies `data` out of wasm memory.
    #[wasm_bindgen(constructor, js_class = "Uint8Array")]
    fn new(data: &[u8]) -> Bytes;

    #[wasm_bindgen(js_name = Array)]
    type Parts;

    #[wasm_bindgen(static_method_of = Parts, js_class = "Array", js_name = of)]
    fn of(item: &Bytes) -> Parts;

    type Blob;

    #[wasm_bindgen(constructor, catch)]
    fn new(parts: &Parts) -> Result<Blob, JsValue>;

    #[wasm_bindgen(catch, js_namespace = URL, js_name = createObjectURL)]
    fn create_object_url(blob: &Blob) -> Result<String, JsValue>;

    #[wasm_bindgen(catch, js_namespace = URL, js_name = revokeObjectURL)]
    fn revoke_object_url(url: &str) -> Result<(), JsValue>;

    /// A file the person picked (`File`).
    pub type PickedFile;

    #[wasm_bindgen(method, getter)]
    pub fn name(this: &PickedFile) -> String;

    /// Bytes (a double in JavaScript; exact far beyond any CSV file).
    #[wasm_bindgen(method, getter)]
    pub fn size(this: &PickedFile) -> f64;

    /// Bytes `start..end` as a `Blob`, read by the browser only when sent.
    #[wasm_bindgen(method)]
    pub fn slice(this: &PickedFile, start: f64, end: f64) -> JsValue;

    /// An `<input type="file">`, as far as its files go.
    type FileInput;

    #[wasm_bindgen(method, getter)]
    fn files(this: &FileInput) -> Option<FileList>;

    type FileList;

    #[wasm_bindgen(method)]
    fn item(this: &FileList, index: u32) -> Option<PickedFile>;

    /// An `<input>` or `<textarea>`, as far as its caret goes.
    type TextControl;

    /// The caret, in UTF-16 code units; kept while the field is not focused.
    #[wasm_bindgen(method, getter, js_name = selectionStart)]
    fn selection_start(this: &TextControl) -> Option<u32>;

    #[wasm_bindgen(method, js_name = setSelectionRange)]
    fn set_selection_range(this: &TextControl, start: u32, end: u32);
}

/// Where the caret of the text field with `id` is (UTF-16 code units), if it has one.
pub fn caret_of(id: &str) -> Option<u32> {
    let element = leptos::prelude::document().get_element_by_id(id)?;
    element.unchecked_ref::<TextControl>().selection_start()
}

/// Focuses the text field with `id` and puts its caret at `at` (UTF-16 code units).
pub fn put_caret(id: &str, at: u32) {
    let Some(element) = leptos::prelude::document().get_element_by_id(id) else {
        return;
    };
    if let Some(html) = element.dyn_ref::<web_sys::HtmlElement>() {
        // Fails only on detached elements; the field is then gone anyway.
        let _ = html.focus();
    }
    element
        .unchecked_ref::<TextControl>()
        .set_selection_range(at, at);
}

/// The file chosen in a file input, if any.
pub fn picked_file(input: &web_sys::HtmlInputElement) -> Option<PickedFile> {
    input.unchecked_ref::<FileInput>().files()?.item(0)
}

/// Copies `text` to the clipboard, then calls `done` with whether the browser accepted it.
pub fn copy_to_clipboard(text: &str, done: impl FnOnce(bool) + 'static) {
    let promise = match write_text(text) {
        Ok(promise) => promise,
        Err(_) => return done(false),
    };
    // Exactly one of the two runs; each frees itself when called (the other is dropped by the
    // garbage collector with the promise).
    let done = std::rc::Rc::new(std::cell::Cell::new(Some(done)));
    let rejected = done.clone();
    let on_fulfilled = Closure::once_into_js(move |_: JsValue| {
        if let Some(done) = done.take() {
            done(true);
        }
    });
    let on_rejected = Closure::once_into_js(move |_: JsValue| {
        if let Some(done) = rejected.take() {
            done(false);
        }
    });
    promise.then(&on_fulfilled, &on_rejected);
}

/// Hands `bytes` to the browser as a download named `name`; false if the browser refused.
pub fn download(bytes: &[u8], name: &str) -> bool {
    let Ok(blob) = Blob::new(&Parts::of(&Bytes::new(bytes))) else {
        return false;
    };
    let Ok(url) = create_object_url(&blob) else {
        return false;
    };
    let link = leptos::prelude::document()
        .create_element("a")
        .ok()
        .and_then(|element| element.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    let Some(link) = link else {
        let _ = revoke_object_url(&url);
        return false;
    };
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // Revoked later: revoking at once can cancel the download in some browsers.
    leptos::prelude::set_timeout(
        move || {
            let _ = revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    true
}
