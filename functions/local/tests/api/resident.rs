use axum::http::{Method, StatusCode};

use crate::helpers::spawn_app;

#[tokio::test]
async fn records_without_a_session_are_unauthenticated() {
    let app = spawn_app().await;
    let response = app.get("/api/resident/records", None).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(response.json()["code"], "unauthenticated");
    assert!(
        response.json()["message"]
            .as_str()
            .unwrap()
            .contains("log in")
    );
}

#[tokio::test]
async fn a_resident_sees_own_records_newest_first() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let response = app.get("/api/resident/records", Some(&cookie)).await;
    assert_eq!(response.status, StatusCode::OK);
    let records = response.json()["records"].as_array().unwrap().clone();
    assert!(!records.is_empty(), "demo resident 1 has records");
    let dates: Vec<&str> = records
        .iter()
        .map(|r| r["vaccinated_on"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
}

#[tokio::test]
async fn a_record_opens_with_its_details() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let list = app.get("/api/resident/records", Some(&cookie)).await.json();
    let id = list["records"][0]["id"].as_str().unwrap().to_owned();
    let detail = app
        .get(&format!("/api/resident/records/{id}"), Some(&cookie))
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    let detail = detail.json();
    assert_eq!(detail["id"], id.as_str());
    assert!(!detail["lot_number"].as_str().unwrap().is_empty());
    assert_eq!(detail["institution_code"].as_str().unwrap().len(), 10);
}

#[tokio::test]
async fn another_residents_record_is_not_found() {
    let app = spawn_app().await;
    let alice = app.login_as(0).await;
    let bob = app.login_as(1).await;
    let bobs = app.get("/api/resident/records", Some(&bob)).await.json();
    let bobs_id = bobs["records"][0]["id"].as_str().unwrap().to_owned();
    let response = app
        .get(&format!("/api/resident/records/{bobs_id}"), Some(&alice))
        .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(response.json()["code"], "not_found");
}

#[tokio::test]
async fn unknown_and_malformed_and_other_municipality_ids_are_not_found() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let own = app.get("/api/resident/records", Some(&cookie)).await.json();
    let own_id = own["records"][0]["id"].as_str().unwrap().to_owned();
    let (code, record) = own_id.split_once('-').unwrap();
    let other_code = if code == "131016" { "271004" } else { "131016" };
    for id in [
        format!("{code}-ffffffffffffffff"),
        format!("{other_code}-{record}"),
        "not-an-id".to_owned(),
        format!("999999-{record}"),
        "131016-".to_owned(),
    ] {
        let response = app
            .get(&format!("/api/resident/records/{id}"), Some(&cookie))
            .await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{id}");
    }
}

#[tokio::test]
async fn the_person_who_moved_sees_records_from_both_municipalities() {
    let app = spawn_app().await;
    let residents = &app.system.demo_residents;
    let moved = residents
        .iter()
        .position(|r| r.label.contains("転居"))
        .unwrap();
    let cookie = app.login_as(moved).await;
    let list = app.get("/api/resident/records", Some(&cookie)).await.json();
    let mut codes: Vec<&str> = list["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["municipality"]["code"].as_str().unwrap())
        .collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes, ["131016", "271004"]);
    let session = app.get("/api/resident/session", Some(&cookie)).await.json();
    assert_eq!(session["municipalities"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_tampered_session_cookie_is_unauthenticated() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let mut bytes = cookie.into_bytes();
    let last = bytes.len() - 2;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    let response = app.get("/api/resident/records", Some(&tampered)).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_expires_after_thirty_minutes() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    app.clock.advance(29 * 60);
    assert_eq!(
        app.get("/api/resident/records", Some(&cookie)).await.status,
        StatusCode::OK
    );
    app.clock.advance(2 * 60);
    assert_eq!(
        app.get("/api/resident/records", Some(&cookie)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn login_with_a_state_that_does_not_match_is_refused() {
    let app = spawn_app().await;
    let result = app
        .login_with_token(
            |nonce| app.token_for(0, sesshu_local::CLIENT_ID, nonce),
            Some("forged-state"),
        )
        .await;
    assert_eq!(result.err(), Some(StatusCode::UNAUTHORIZED));
}

#[tokio::test]
async fn login_with_a_token_for_another_audience_or_nonce_is_refused() {
    let app = spawn_app().await;
    let wrong_audience = app
        .login_with_token(|nonce| app.token_for(0, "another-client", nonce), None)
        .await;
    assert_eq!(wrong_audience.err(), Some(StatusCode::UNAUTHORIZED));
    let wrong_nonce = app
        .login_with_token(
            |_| app.token_for(0, sesshu_local::CLIENT_ID, "replayed-nonce"),
            None,
        )
        .await;
    assert_eq!(wrong_nonce.err(), Some(StatusCode::UNAUTHORIZED));
}

#[tokio::test]
async fn logout_needs_the_csrf_header_and_clears_the_cookie() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let refused = app
        .request(
            Method::POST,
            "/api/resident/logout",
            Some(&cookie),
            &[],
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let done = app
        .request(
            Method::POST,
            "/api/resident/logout",
            Some(&cookie),
            &[("x-requested-with", "sesshu")],
            None,
        )
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);
    assert_eq!(
        done.cookie("sesshu_session").as_deref(),
        Some("sesshu_session=")
    );
}

#[tokio::test]
async fn session_cookie_is_http_only_secure_and_strict() {
    let app = spawn_app().await;
    let (_, response) = app
        .login_with_token(
            |nonce| app.token_for(0, sesshu_local::CLIENT_ID, nonce),
            None,
        )
        .await
        .unwrap();
    let set_cookie = response
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("sesshu_session="))
        .unwrap();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{attribute} missing");
    }
    assert_eq!(response.headers["location"], "/records");
}

#[tokio::test]
async fn unknown_api_paths_get_a_json_404_and_health_is_ok() {
    let app = spawn_app().await;
    let missing = app.get("/api/resident/nothing-here", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["code"], "not_found");
    let health = app.get("/healthz", None).await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(health.headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn openapi_documents_every_resident_endpoint() {
    let app = spawn_app().await;
    let doc = app.get("/api/openapi.json", None).await.json();
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/resident/login",
        "/api/resident/login/callback",
        "/api/resident/logout",
        "/api/resident/session",
        "/api/resident/records",
        "/api/resident/records/{id}",
    ] {
        assert!(paths.contains_key(path), "{path} missing from OpenAPI");
    }
}

#[tokio::test]
async fn a_non_disclosure_flag_hides_the_persons_records_from_the_resident() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let list = app.get("/api/resident/records", Some(&cookie)).await.json();
    let id = list["records"][0]["id"].as_str().unwrap().to_owned();

    let pmh_key = &app.system.demo_residents[0].pmh_key;
    let directory =
        sesshu_core::directory::Directory::new(app.system.platform.directory_store().clone());
    for residence in directory.residences(pmh_key).await.unwrap() {
        let tenant = app.system.platform.tenant(&residence.municipality).unwrap();
        let flags = sesshu_domain::person::ControlFlags {
            non_disclosure: true,
            ..Default::default()
        };
        sesshu_core::persons::set_control_flags(&tenant, &residence.subject_no, flags)
            .await
            .unwrap();
    }

    let hidden = app.get("/api/resident/records", Some(&cookie)).await;
    assert_eq!(hidden.status, StatusCode::OK);
    assert_eq!(hidden.json()["records"].as_array().unwrap().len(), 0);
    let detail = app
        .get(&format!("/api/resident/records/{id}"), Some(&cookie))
        .await;
    assert_eq!(detail.status, StatusCode::NOT_FOUND);
}

/// The demo resident's first residence: its tenant, subject number and one of its records.
async fn first_residence(
    app: &crate::helpers::TestApp,
) -> (
    sesshu_core::tenancy::Tenant,
    sesshu_domain::SubjectNo,
    sesshu_domain::record::VaccinationRecord,
) {
    let pmh_key = &app.system.demo_residents[0].pmh_key;
    let directory =
        sesshu_core::directory::Directory::new(app.system.platform.directory_store().clone());
    let residence = directory.residences(pmh_key).await.unwrap().remove(0);
    let tenant = app.system.platform.tenant(&residence.municipality).unwrap();
    let record = sesshu_core::records::list(&tenant, &residence.subject_no)
        .await
        .unwrap()
        .remove(0);
    (tenant, residence.subject_no, record)
}

#[tokio::test]
async fn a_newly_recorded_vaccination_appears_in_the_residents_list() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let before = app.get("/api/resident/records", Some(&cookie)).await.json()["records"]
        .as_array()
        .unwrap()
        .len();
    let (tenant, subject_no, mut record) = first_residence(&app).await;
    record.record_id = sesshu_domain::id::RecordId::parse("9999999999999999").unwrap();
    record.vaccinated_on = time::macros::date!(2099 - 01 - 01);
    sesshu_core::records::insert(&tenant, &subject_no, &record)
        .await
        .unwrap();

    let list = app.get("/api/resident/records", Some(&cookie)).await.json();
    let records = list["records"].as_array().unwrap();
    assert_eq!(records.len(), before + 1);
    assert_eq!(records[0]["vaccinated_on"], "2099-01-01", "newest first");
    let id = records[0]["id"].as_str().unwrap();
    assert!(id.ends_with("-9999999999999999"));
    let detail = app
        .get(&format!("/api/resident/records/{id}"), Some(&cookie))
        .await;
    assert_eq!(detail.status, StatusCode::OK);
}

#[tokio::test]
async fn concurrent_recordings_for_one_person_all_reach_the_list() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let before = app.get("/api/resident/records", Some(&cookie)).await.json()["records"]
        .as_array()
        .unwrap()
        .len();
    let (tenant, subject_no, record) = first_residence(&app).await;
    let inserts = (0..4).map(|i| {
        let (tenant, subject_no, mut record) = (tenant.clone(), subject_no.clone(), record.clone());
        record.record_id =
            sesshu_domain::id::RecordId::parse(&format!("888888888888888{i}")).unwrap();
        tokio::spawn(
            async move { sesshu_core::records::insert(&tenant, &subject_no, &record).await },
        )
    });
    for insert in inserts.collect::<Vec<_>>() {
        insert.await.unwrap().unwrap();
    }
    let after = app.get("/api/resident/records", Some(&cookie)).await.json()["records"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        after,
        before + 4,
        "no concurrent insert lost its list entry"
    );
}

#[tokio::test]
async fn recording_an_existing_record_id_again_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let before = app.get("/api/resident/records", Some(&cookie)).await.json();
    let (tenant, subject_no, record) = first_residence(&app).await;
    let again = sesshu_core::records::insert(&tenant, &subject_no, &record).await;
    assert!(matches!(again, Err(sesshu_core::CoreError::Conflict(_))));
    let after = app.get("/api/resident/records", Some(&cookie)).await.json();
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_person_stored_before_resident_views_existed_still_shows_every_record() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let before = app.get("/api/resident/records", Some(&cookie)).await.json();
    let (tenant, subject_no, _) = first_residence(&app).await;
    let view = sesshu_core::resident_view::view_key(&subject_no);
    tenant
        .store
        .delete(&view, sesshu_store::Condition::MustExist)
        .await
        .unwrap();

    let after = app.get("/api/resident/records", Some(&cookie)).await.json();
    assert_eq!(before, after);
    assert!(
        tenant.store.get(&view).await.unwrap().is_some(),
        "rebuilt and stored"
    );
}

#[tokio::test]
async fn a_residents_read_of_records_is_written_to_the_municipalitys_operation_log() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let list = app.get("/api/resident/records", Some(&cookie)).await.json();
    let code = list["records"][0]["id"].as_str().unwrap()[..6].to_owned();
    let admin = app.staff_login(&code, "admin").await;
    // Resident reads are logged without making the resident wait for the commit.
    let entries = app
        .audit_entries_eventually(&code, &admin, "resident.records.read", 1)
        .await;
    assert_eq!(entries.len(), 1);
    let subject = entries[0]["subjects"][0].as_str().unwrap();
    assert_eq!(entries[0]["actor"], format!("resident:{subject}"));
    assert_eq!(
        entries[0]["fields"],
        serde_json::json!(["vaccination_records"])
    );
}

#[tokio::test]
async fn a_residents_read_of_one_record_is_logged_with_the_record_action() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let list = app.get("/api/resident/records", Some(&cookie)).await.json();
    let id = list["records"][0]["id"].as_str().unwrap().to_owned();
    let code = id[..6].to_owned();
    app.get(&format!("/api/resident/records/{id}"), Some(&cookie))
        .await;
    let admin = app.staff_login(&code, "admin").await;
    let entries = app
        .audit_entries_eventually(&code, &admin, "resident.record.read", 1)
        .await;
    assert_eq!(entries.len(), 1);
}

#[tokio::test]
async fn the_same_read_repeated_within_a_minute_is_logged_once_and_again_after_it() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    for _ in 0..5 {
        app.get("/api/resident/records", Some(&cookie)).await;
    }
    let list = app.get("/api/resident/records", Some(&cookie)).await.json();
    let code = list["records"][0]["id"].as_str().unwrap()[..6].to_owned();
    app.clock.advance(61);
    app.get("/api/resident/records", Some(&cookie)).await;
    let admin = app.staff_login(&code, "admin").await;
    let count = app
        .audit_entries_eventually(&code, &admin, "resident.records.read", 2)
        .await
        .len();
    assert_eq!(count, 2);
}

#[tokio::test]
async fn a_view_written_as_json_by_an_earlier_version_still_reads() {
    let app = spawn_app().await;
    let cookie = app.login_as(0).await;
    let before = app.get("/api/resident/records", Some(&cookie)).await.json();
    let (tenant, subject_no, _) = first_residence(&app).await;
    let (view, version) = sesshu_core::resident_view::get(&tenant, &subject_no)
        .await
        .unwrap()
        .unwrap();
    let legacy = sesshu_store::Item::new(sesshu_core::resident_view::view_key(&subject_no)).with(
        "view",
        sesshu_store::AttrValue::S(serde_json::to_string(&view).unwrap()),
    );
    let sealed = tenant
        .cipher
        .seal(&sesshu_core::resident_view::VIEW_SCHEMA, legacy)
        .await
        .unwrap()
        .with_version(version + 1);
    tenant
        .store
        .put(sealed, sesshu_store::Condition::VersionIs(version))
        .await
        .unwrap();
    let after = app.get("/api/resident/records", Some(&cookie)).await.json();
    assert_eq!(before, after);
}
