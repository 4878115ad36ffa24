//! Logs never carry personal data: run a resident's whole visit with every log level captured
//! and look for anyone's My Number, name, kana or address in the output.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::Method;

use crate::helpers::spawn_app;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_residents_visit_logs_no_personal_data() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let list = app.get("/api/resident/records", Some(&cookie)).await.json();
    let id = list["records"][0]["id"].as_str().unwrap().to_owned();
    app.get(&format!("/api/resident/records/{id}"), Some(&cookie))
        .await;
    app.get("/api/resident/records/131016-ffff", Some(&cookie))
        .await;
    app.get("/api/resident/records", Some("sesshu_session=forged"))
        .await;
    app.request(
        Method::POST,
        "/api/resident/logout",
        Some(&cookie),
        &[],
        None,
    )
    .await;

    let logs = String::from_utf8_lossy(&capture.0.lock().unwrap()).into_owned();
    assert!(
        logs.contains("request"),
        "the capture works: {} bytes",
        logs.len()
    );
    let persons = &app.system.generated.as_ref().unwrap().persons;
    for person in persons {
        assert!(
            !logs.contains(person.my_number.expose_digits()),
            "a My Number was logged"
        );
        assert!(!logs.contains(person.name.as_str()), "a name was logged");
        assert!(
            !logs.contains(person.name_kana.as_str()),
            "a kana name was logged"
        );
        assert!(!logs.contains(&person.address), "an address was logged");
    }
    assert!(
        !logs.contains(&cookie[15..]),
        "the session token was logged"
    );
}
