//! The staff bundle: the `/admin` (municipal staff) and `/clinic` (clinic staff) routes.
//!
//! Its pages, texts and API calls live in this bin's own modules, not in the library, so the
//! resident bundle never contains them; from the library it takes the language context and
//! switch, the loading indicator and the fetch helpers.

mod api;
mod app;
mod components;
mod js;
mod pages;
mod session;
mod shell;
mod text;

fn main() {
    leptos::mount::mount_to_body(app::StaffApp);
}
