//! Components shared by pages.

mod language_switch;
mod login_link;
mod site_header;
mod status;

pub use language_switch::LanguageSwitch;
pub use login_link::LoginLink;
pub use site_header::SiteHeader;
pub use status::{ErrorPanel, Loading};
