#![allow(clippy::unwrap_used)]
use sesshu_core::audit::{AuditEvent, AuditLog};
use sesshu_core::clock::SystemClock;
use sesshu_core::tenancy::{Platform, TableOpener};
use sesshu_crypto::LocalKeyring;
use sesshu_domain::MunicipalityCode;
use sesshu_domain::staff::Outcome;
use sesshu_store::{AttrValue, Condition, EmbeddedTables, Key, Query};
use std::sync::Arc;

#[tokio::test]
async fn scratch() {
    let dir = std::path::PathBuf::from(std::env::var("SCRATCH_DIR").unwrap());
    let tables = Arc::new(EmbeddedTables::new(dir.join("tables")));
    let opener: TableOpener = Arc::new(move |name: &str| tables.table(name));
    let keyring = Arc::new(LocalKeyring::open_or_create(&dir.join("master.key")).unwrap());
    let platform = Platform::new(opener, keyring, Arc::new(SystemClock)).unwrap();
    let tenant = platform
        .tenant(&MunicipalityCode::parse("131016").unwrap())
        .unwrap();
    if std::env::var("TAMPER").is_ok() {
        let days = tenant
            .store
            .query(&Query::partition("LOG#DAYS"))
            .await
            .unwrap();
        let pk = format!("LOG#{}", days.items[0].key.sk);
        let item = tenant
            .store
            .get(&Key::new(pk, format!("{:020}", 7)))
            .await
            .unwrap()
            .unwrap();
        tenant
            .store
            .put(
                item.with("actor", AttrValue::S("staff:x".into())),
                Condition::None,
            )
            .await
            .unwrap();
        return;
    }
    let log = AuditLog::for_tenant(&tenant, Arc::new(SystemClock));
    for i in 0..50 {
        log.append(vec![AuditEvent::new(
            format!("staff:u{i}"),
            "127.0.0.1",
            "admin",
            "person.read",
            Outcome::Allowed,
            "r",
        )])
        .await
        .unwrap();
    }
}
