//! What the operator sets per municipality: its first administrator (issued once, activated
//! like any other account) and how long its operation log is kept.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use sesshu_core::clock::FixedClock;
use sesshu_core::staff::accounts;
use sesshu_core::staff::bootstrap::{FIRST_DEPARTMENT, FirstAdministrator, first_administrator};
use sesshu_core::tenancy::{Platform, TableOpener};
use sesshu_crypto::LocalKeyring;
use sesshu_domain::MunicipalityCode;
use sesshu_store::embedded::EmbeddedTables;
use time::macros::datetime;

fn who(user_id: &str) -> FirstAdministrator {
    FirstAdministrator {
        user_id: user_id.into(),
        name: "情報 太郎".into(),
        email: format!("{user_id}@city.example.lg.jp"),
    }
}

#[tokio::test]
async fn the_first_administrator_is_issued_once_and_never_again() {
    let dir = tempfile::tempdir().unwrap();
    let tables = Arc::new(EmbeddedTables::new(dir.path().join("tables")));
    let opener: TableOpener = Arc::new(move |name: &str| tables.table(name));
    let keyring = Arc::new(LocalKeyring::open_or_create(&dir.path().join("master.key")).unwrap());
    let clock = Arc::new(FixedClock::at(datetime!(2026-11-25 09:00 UTC)));
    let platform = Platform::new(opener, keyring, clock).unwrap();
    let tenant = platform
        .tenant(&MunicipalityCode::parse("131016").unwrap())
        .unwrap();

    let (issued, event) = first_administrator(&tenant, &who("joho"), 1_800_000_000)
        .await
        .unwrap();
    assert_eq!(issued.user_id, "joho");
    assert_eq!(issued.activation_code.len(), 16);
    assert_eq!(event.action, "user.bootstrap_administrator");
    let (account, _) = accounts::get_account(&tenant, "joho")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.role_id, "administrator");
    assert_eq!(account.institution_id, FIRST_DEPARTMENT);
    assert!(
        !account.can_view_my_number,
        "a second administrator grants My Number"
    );
    assert!(
        account.password_hash.is_none(),
        "the administrator sets it at activation"
    );

    let again = first_administrator(&tenant, &who("other"), 1_800_000_001).await;
    assert!(matches!(again, Err(sesshu_core::CoreError::Conflict(_))));
    assert!(
        accounts::get_account(&tenant, "other")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_municipality_may_keep_its_operation_log_longer_than_the_default() {
    use sesshu_core::audit::AuditLogs;
    let dir = tempfile::tempdir().unwrap();
    let tables = Arc::new(EmbeddedTables::new(dir.path().join("tables")));
    let opener: TableOpener = Arc::new(move |name: &str| tables.table(name));
    let keyring = Arc::new(LocalKeyring::open_or_create(&dir.path().join("master.key")).unwrap());
    let clock = Arc::new(FixedClock::at(datetime!(2026-11-25 09:00 UTC)));
    let platform = Arc::new(Platform::new(opener, keyring, clock).unwrap());
    let logs = AuditLogs::new(platform.clone())
        .with_retention_config("131016:1826")
        .unwrap();
    let chiyoda = platform
        .tenant(&MunicipalityCode::parse("131016").unwrap())
        .unwrap();
    let osaka = platform
        .tenant(&MunicipalityCode::parse("271004").unwrap())
        .unwrap();
    assert_eq!(logs.tenant(&chiyoda).retention_s(), 1826 * 86_400);
    assert_eq!(
        logs.tenant(&osaka).retention_s(),
        1096 * 86_400,
        "three years by default"
    );
    let bad = AuditLogs::new(platform).with_retention_config("131016:0,999999:5");
    assert!(bad.unwrap_err().to_string().contains("entry 1"));
}
