//! The questionnaire bundle (`/forms`): residents and their proxies fill in 予診票, see their
//! responses, correct or withdraw them, and print them.
//!
//! A bundle of its own because the resident first load is held to 150 KB (brotli) and the forms
//! need the questionnaire domain (conditions, checks) and many more pages; the resident app only
//! links here. From the library it takes the language context, the form fields shared with the
//! staff preview (`sesshu_app::questionnaire`) and the fetch helpers.

mod api;
mod app;
mod autosave;
mod components;
mod js;
mod local_copy;
mod notices;
mod pages;
mod people;
mod schedule;
mod text;

fn main() {
    leptos::mount::mount_to_body(app::FormsApp);
}
