//! Target persons through the admin API: CSV import with progress and error report, search
//! through blind indexes, entry and edit with field errors, control flags seen by residents,
//! deletion, PMH key assignment, exports, and the refusals around them.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sesshu_domain::{MunicipalityCode, MyNumber};
use sesshu_interchange::encoding::TextEncoding;

use crate::helpers::{TestApp, spawn_app};

const CHIYODA: &str = "131016";
const OSAKA: &str = "271004";

fn admin(path: &str) -> String {
    format!("/api/admin/m/{CHIYODA}{path}")
}

fn generated(rows: u64, error_every: Option<u64>, code: &str) -> Vec<u8> {
    let mut out = Vec::new();
    sesshu_interchange::generator::generate(
        rows,
        &MunicipalityCode::parse(code).unwrap(),
        11,
        error_every,
        &mut out,
        TextEncoding::Cp932,
    )
    .unwrap();
    out
}

/// Uploads `bytes` as the browser does (parts), starts the import and waits for the result.
async fn import(app: &TestApp, cookie: &str, name: &str, bytes: &[u8]) -> Value {
    let created = app
        .post_json(
            &admin("/imports"),
            Some(cookie),
            json!({ "file_name": name, "size": bytes.len() }),
        )
        .await;
    assert_eq!(
        created.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let job = created.json();
    let job_id = job["job_id"].as_str().unwrap().to_owned();
    let part_size = job["part_size"].as_u64().unwrap() as usize;
    for (n, part) in bytes.chunks(part_size).enumerate() {
        let raw = app
            .request_bytes(
                Method::PUT,
                &admin(&format!("/imports/{job_id}/parts/{n}")),
                Some(cookie),
                part.to_vec(),
            )
            .await;
        assert_eq!(
            raw.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&raw.body)
        );
    }
    let started = app
        .post_json(
            &admin(&format!("/imports/{job_id}/start")),
            Some(cookie),
            json!({}),
        )
        .await;
    assert_eq!(
        started.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&started.body)
    );
    for _ in 0..600 {
        let view = app
            .get(&admin(&format!("/imports/{job_id}")), Some(cookie))
            .await
            .json();
        if matches!(view["state"].as_str(), Some("done" | "failed")) {
            return view;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not finish");
}

async fn search(app: &TestApp, cookie: &str, body: Value) -> (StatusCode, Value) {
    let response = app
        .post_json(&admin("/persons/search"), Some(cookie), body)
        .await;
    let json = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    (response.status, json)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_imports_a_cp932_file_and_gets_counts_errors_and_searchable_people() {
    let app = spawn_app().await;
    let cookie = app.staff_login(CHIYODA, "admin").await;
    let bytes = generated(400, Some(40), CHIYODA);
    let job = import(&app, &cookie, "対象者_2026.csv", &bytes).await;
    assert_eq!(job["state"], "done");
    assert_eq!(job["encoding"], "cp932");
    assert_eq!(job["bytes_processed"], bytes.len());
    let counts = &job["counts"];
    let total: u64 = ["created", "updated", "deleted", "unchanged", "failed"]
        .iter()
        .map(|k| counts[k].as_u64().unwrap())
        .sum();
    assert_eq!(total, 400);
    assert!(counts["created"].as_u64().unwrap() > 300, "{counts}");
    assert!(counts["failed"].as_u64().unwrap() >= 10, "{counts}");

    // The error report, in the file's encoding, one line per problem with row and column.
    let report = app
        .get(
            &admin(&format!(
                "/imports/{}/errors.csv",
                job["job_id"].as_str().unwrap()
            )),
            Some(&cookie),
        )
        .await;
    assert_eq!(report.status, StatusCode::OK);
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&report.body);
    assert!(!bad);
    assert!(text.starts_with("行番号,列,エラー内容,error"), "{text}");
    assert!(
        text.contains("\r\n41,個人番号,"),
        "row 41 (data row 40) has a bad check digit"
    );

    // Everyone created is found by kana and birth date, through the indexes.
    let mut csv = sesshu_interchange::person_csv::PersonCsvReader::new(
        bytes.as_slice(),
        MunicipalityCode::parse(CHIYODA).unwrap(),
    )
    .unwrap();
    let first = csv
        .find_map(|row| match row.unwrap().result {
            Ok(sesshu_interchange::person_csv::RowOp::New(input)) => Some(input),
            _ => None,
        })
        .unwrap();
    let (status, page) = search(
        &app,
        &cookie,
        json!({ "name_kana": first.name_kana.as_str(),
                "birth_date": sesshu_domain::iso_date::format(first.birth_date) }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let items = page["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|p| p["municipal_business_id"] == first.municipal_business_id.as_str()),
        "{page}"
    );
    let (_, by_id) = search(
        &app,
        &cookie,
        json!({ "municipal_business_id": first.municipal_business_id.as_str() }),
    )
    .await;
    assert_eq!(by_id["items"].as_array().unwrap().len(), 1);
    let (_, by_number) = search(
        &app,
        &cookie,
        json!({ "my_number": first.my_number.expose_digits() }),
    )
    .await;
    assert_eq!(
        by_number["items"][0]["subject_no"],
        by_id["items"][0]["subject_no"]
    );

    // The PMH job ran after the import: keys are assigned.
    let subject = by_id["items"][0]["subject_no"].as_str().unwrap().to_owned();
    let mut assigned = false;
    for _ in 0..200 {
        let detail = app
            .get(&admin(&format!("/persons/{subject}/detail")), Some(&cookie))
            .await
            .json();
        if detail["pmh"] == "assigned" {
            assigned = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(assigned, "PMH key assigned after the import");

    // The same file again changes nothing.
    let again = import(&app, &cookie, "対象者_2026.csv", &bytes).await;
    assert_eq!(again["counts"]["created"], 0);
    assert_eq!(again["counts"]["updated"], 0);
    assert_eq!(again["counts"]["unchanged"], counts["created"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_of_another_municipality_fail_and_its_api_is_out_of_reach() {
    let app = spawn_app().await;
    let cookie = app.staff_login(CHIYODA, "admin").await;
    let job = import(&app, &cookie, "osaka.csv", &generated(20, None, OSAKA)).await;
    assert_eq!(job["counts"]["failed"], 20);
    assert_eq!(job["counts"]["created"], 0);
    let cross = app
        .post_json(
            &format!("/api/admin/m/{OSAKA}/persons/search"),
            Some(&cookie),
            json!({ "name_kana": "ヤマダ" }),
        )
        .await;
    assert_eq!(cross.status, StatusCode::NOT_FOUND);
}

fn form(my_number: &str, business_id: &str) -> Value {
    json!({
        "my_number": my_number,
        "name": "試験　花子",
        "name_kana": "ｼｹﾝ ﾊﾅｺ",
        "birth_date": "2021/04/01",
        "sex": "2",
        "address": "千代田区千代田1-1",
        "guardian_name": "試験　太郎",
        "municipality_code": CHIYODA,
        "municipal_business_id": business_id,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_enters_edits_flags_and_deletes_a_person_with_history_and_clear_errors() {
    let app = spawn_app().await;
    let cookie = app.staff_login(CHIYODA, "officer1").await;
    let number = MyNumber::from_body("31415926535").unwrap();
    let digits = number.expose_digits().to_owned();

    // Every field error at once, none quoting the value.
    let mut bad = form("123456789012", "X 1");
    bad["birth_date"] = json!("2021-02-30");
    let rejected = app
        .post_json(&admin("/persons"), Some(&cookie), json!({ "fields": bad }))
        .await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = rejected.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["my_number", "birth_date", "municipal_business_id"]);
    assert!(!String::from_utf8_lossy(&rejected.body).contains("123456789012"));

    let created = app
        .post_json(
            &admin("/persons"),
            Some(&cookie),
            json!({ "fields": form(&digits, "T-1") }),
        )
        .await;
    assert_eq!(
        created.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let subject = created.json()["subject_no"].as_str().unwrap().to_owned();

    // The same My Number again is refused; a twin (same kana and birth date) is flagged.
    let again = app
        .post_json(
            &admin("/persons"),
            Some(&cookie),
            json!({ "fields": form(&digits, "T-2") }),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let twin_number = MyNumber::from_body("27182818284").unwrap();
    let twin = app
        .post_json(
            &admin("/persons"),
            Some(&cookie),
            json!({ "fields": form(twin_number.expose_digits(), "T-3") }),
        )
        .await;
    assert_eq!(twin.status, StatusCode::OK);
    assert_eq!(twin.json()["possible_duplicates"], json!([subject]));
    let pairs = app.get(&admin("/duplicates"), Some(&cookie)).await.json();
    assert_eq!(pairs.as_array().unwrap().len(), 1);

    // The detail masks My Number; an edit keeps it when the mask comes back.
    let detail = app
        .get(&admin(&format!("/persons/{subject}/detail")), Some(&cookie))
        .await;
    assert!(!String::from_utf8_lossy(&detail.body).contains(&digits));
    let detail = detail.json();
    assert_eq!(detail["person"]["name_kana"], "シケン　ハナコ");
    let mut fields = detail["fields"].clone();
    fields["address"] = json!("千代田区千代田2-2");
    let version = detail["version"].as_u64().unwrap();
    let saved = app
        .put_json(
            &admin(&format!("/persons/{subject}")),
            Some(&cookie),
            json!({ "fields": fields, "version": version }),
        )
        .await;
    assert_eq!(
        saved.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&saved.body)
    );
    let stale = app
        .put_json(
            &admin(&format!("/persons/{subject}")),
            Some(&cookie),
            json!({ "fields": fields, "version": version }),
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::OK,
        "an unchanged form saves nothing"
    );
    fields["address"] = json!("千代田区千代田3-3");
    let conflict = app
        .put_json(
            &admin(&format!("/persons/{subject}")),
            Some(&cookie),
            json!({ "fields": fields, "version": version }),
        )
        .await;
    assert_eq!(
        conflict.status,
        StatusCode::CONFLICT,
        "a stale version is refused"
    );
    let history = app
        .get(
            &admin(&format!("/persons/{subject}/history")),
            Some(&cookie),
        )
        .await
        .json();
    assert_eq!(history[0]["kind"], "updated");
    assert_eq!(history[0]["actor"], "officer1");
    assert_eq!(history[0]["changes"][0]["field"], "address");
    assert_eq!(history[0]["changes"][0]["new"], "千代田区千代田2-2");

    // Deletion: gone from search and detail.
    let version = saved.json()["version"].as_u64().unwrap();
    let deleted = app
        .request(
            Method::DELETE,
            &admin(&format!("/persons/{subject}?version={version}")),
            Some(&cookie),
            &[("x-requested-with", "sesshu")],
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let (_, found) = search(&app, &cookie, json!({ "my_number": digits })).await;
    assert!(found["items"].as_array().unwrap().is_empty());
    let gone = app
        .get(&admin(&format!("/persons/{subject}/detail")), Some(&cookie))
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let pairs = app.get(&admin("/duplicates"), Some(&cookie)).await.json();
    assert_eq!(
        pairs.as_array().unwrap().len(),
        0,
        "the twin's pair went with the deleted person"
    );
    // Not just hidden: no item of the pair is left in the store.
    let tenant = app
        .system
        .platform
        .tenant(&sesshu_domain::MunicipalityCode::parse(CHIYODA).unwrap())
        .unwrap();
    let twin_subject = twin.json()["subject_no"].as_str().unwrap().to_owned();
    for pk in [
        "DUP#OPEN".to_owned(),
        format!("DUP#OF#{subject}"),
        format!("DUP#OF#{twin_subject}"),
    ] {
        let page = tenant
            .store
            .query(&sesshu_store::Query::partition(pk.clone()))
            .await
            .unwrap();
        assert!(page.items.is_empty(), "{pk} still holds {:?}", page.items);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_number_search_needs_the_right_and_officers_see_only_their_duties() {
    let app = spawn_app().await;
    let officer2 = app.staff_login(CHIYODA, "officer2").await;
    let (status, _) = search(&app, &officer2, json!({ "my_number": "123456789018" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = search(&app, &officer2, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // A child is outside officer2's (older people's) duties: not listed, refused directly.
    let admin_cookie = app.staff_login(CHIYODA, "admin").await;
    let created = app
        .post_json(
            &admin("/persons"),
            Some(&admin_cookie),
            json!({ "fields": form(MyNumber::from_body("11223344556").unwrap().expose_digits(), "C-1") }),
        )
        .await;
    let subject = created.json()["subject_no"].as_str().unwrap().to_owned();
    let (_, page) = search(&app, &officer2, json!({ "municipal_business_id": "C-1" })).await;
    assert!(page["items"].as_array().unwrap().is_empty());
    let refused = app
        .get(
            &admin(&format!("/persons/{subject}/detail")),
            Some(&officer2),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_disclosure_set_by_staff_hides_the_person_from_the_resident() {
    let app = spawn_app().await;
    let resident = app.login_as(0).await;
    let before = app.get("/api/resident/records", Some(&resident)).await;
    assert_eq!(before.status, StatusCode::OK);
    let shown = before.json()["records"].as_array().unwrap().len();
    assert!(shown > 0);

    // Find the resident's person in Chiyoda through the demo data and flag it.
    let demo = app.system.generated.as_ref().unwrap();
    let key = &app.system.demo_residents[0].pmh_key;
    let person = demo
        .persons
        .iter()
        .find(|p| p.pmh_key.as_ref() == Some(key) && p.municipality_code.as_str() == CHIYODA)
        .expect("the first demo resident lives in Chiyoda");
    let cookie = app.staff_login(CHIYODA, "admin").await;
    let subject = person.subject_no.as_str();
    let detail = app
        .get(&admin(&format!("/persons/{subject}/detail")), Some(&cookie))
        .await
        .json();
    let flagged = app
        .put_json(
            &admin(&format!("/persons/{subject}/control-flags")),
            Some(&cookie),
            json!({ "control_flags": { "recovery": false, "non_disclosure": true, "viewing_suspended": false },
                    "version": detail["version"] }),
        )
        .await;
    assert_eq!(
        flagged.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&flagged.body)
    );
    let after = app
        .get("/api/resident/records", Some(&resident))
        .await
        .json();
    let still: Vec<&Value> = after["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["municipality"]["code"] == CHIYODA)
        .collect();
    assert!(still.is_empty(), "Chiyoda's records are hidden: {after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_need_a_fresh_reauthentication_and_write_cp932() {
    let app = spawn_app().await;
    let cookie = app.staff_login(CHIYODA, "admin").await;
    let export = app.get(&admin("/exports/persons.csv"), Some(&cookie)).await;
    assert_eq!(export.status, StatusCode::OK);
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&export.body);
    assert!(!bad);
    assert!(text.starts_with("個人番号,氏名,"));
    let rows = text.lines().count() - 1;
    assert!(rows > 10, "{rows}");
    assert!(
        text.lines().skip(1).all(|l| l.starts_with(',')),
        "no My Numbers unless asked for"
    );
    let logged = app
        .audit_entries_eventually(CHIYODA, &cookie, "export.persons", 1)
        .await;
    let fields = logged[0]["fields"].as_array().unwrap();
    assert!(
        fields.contains(&json!(format!("persons:{rows}"))),
        "the log says how many persons the file holds: {fields:?}"
    );
    assert!(!fields.contains(&json!("my_number")));
    let records = app
        .get(&admin("/exports/records.csv?encoding=utf8"), Some(&cookie))
        .await;
    assert_eq!(records.status, StatusCode::OK);
    assert!(records.body.starts_with("\u{feff}自治体コード".as_bytes()));

    app.clock.advance(6 * 60);
    let stale = app
        .get(
            &admin("/exports/persons.csv?since=2026-01-01"),
            Some(&cookie),
        )
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert_eq!(stale.json()["code"], "reauthentication_required");
}
