//! The resident bundle: mounts the resident app and nothing else.

fn main() {
    sesshu_app::resident::mount();
}
