//! Demo staff for each demo municipality: departments and a clinic, an administrator, an
//! officer with and one without the My Number right, a clinic nurse and a doctor — all
//! activated with a password and a TOTP secret so a tester can log in at once.
//!
//! The secrets of these demo accounts (only these) are also written to
//! `<data dir>/simulators/demo-staff.json` (mode 0600), which `cargo xtask totp` reads to print
//! the current code: a stand-in for the authenticator app on a tester's phone.

use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sesshu_core::staff::accounts::{self, StaffAccount};
use sesshu_core::staff::{password, totp};
use sesshu_core::tenancy::Platform;
use sesshu_domain::MunicipalityCode;
use sesshu_domain::staff::{Duty, Institution, InstitutionKind, UserClass};
use sesshu_simulators::demo_pools::MUNICIPALITIES;

/// The password of every demo staff account (local demo data only).
pub const DEMO_PASSWORD: &str = "sakura-kaeru-2026";

/// One demo login, as printed at start and kept in `demo-staff.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoStaff {
    pub municipality: String,
    pub user_id: String,
    pub surface: String,
    pub description: String,
    pub password: String,
    /// Base32, as an authenticator app takes it.
    pub totp_secret: String,
}

const FILE: &str = "demo-staff.json";

/// Creates the demo institutions and staff of every demo municipality that has no staff yet;
/// returns every demo login (also those created by an earlier start).
pub async fn ensure(
    platform: &Platform,
    sim_dir: &Path,
    now: u64,
) -> anyhow::Result<Vec<DemoStaff>> {
    let mut logins = load(sim_dir)?;
    for pool in MUNICIPALITIES {
        let code = MunicipalityCode::parse(pool.code)?;
        let tenant = platform.tenant(&code)?;
        if !accounts::list_accounts(&tenant).await?.is_empty() {
            continue;
        }
        let clinic = pool
            .clinics
            .first()
            .context("a demo municipality has clinics")?;
        let clinic_id = format!("C{}", clinic.institution_code);
        let institutions = [
            (
                "D-HEALTH",
                InstitutionKind::Department,
                "健康推進課",
                Duty::ALL.to_vec(),
                None,
            ),
            (
                "D-CHILD",
                InstitutionKind::Department,
                "子ども家庭支援課",
                vec![Duty::ChildRoutine],
                None,
            ),
            (
                "D-ELDER",
                InstitutionKind::Department,
                "高齢福祉課",
                vec![Duty::ElderlyRoutine, Duty::Voluntary],
                None,
            ),
            (
                clinic_id.as_str(),
                InstitutionKind::Clinic,
                clinic.name,
                Vec::new(),
                Some(clinic.institution_code.to_owned()),
            ),
        ];
        for (id, kind, name, duties, institution_code) in institutions {
            let institution = Institution {
                institution_id: id.to_owned(),
                kind,
                name: name.to_owned(),
                duties,
                institution_code,
            };
            match accounts::add_institution(&tenant, &institution).await {
                Ok(()) | Err(sesshu_core::CoreError::Conflict(_)) => {}
                Err(other) => return Err(other.into()),
            }
        }
        let people = [
            (
                "admin",
                "D-HEALTH",
                "administrator",
                true,
                UserClass::MunicipalStaff,
                "管理者 山田 花子",
                "administrator (all duties, may view My Number)",
            ),
            (
                "officer1",
                "D-CHILD",
                "officer",
                true,
                UserClass::MunicipalStaff,
                "担当 佐藤 一郎",
                "officer, children's vaccinations, may view My Number",
            ),
            (
                "officer2",
                "D-ELDER",
                "officer",
                false,
                UserClass::MunicipalStaff,
                "担当 鈴木 次郎",
                "officer, older people's vaccinations, no My Number right",
            ),
            (
                "nurse1",
                clinic_id.as_str(),
                "clinic_nurse",
                false,
                UserClass::ClinicStaff,
                "看護師 高橋 明美",
                "clinic nurse",
            ),
            (
                "doctor1",
                clinic_id.as_str(),
                "clinic_doctor",
                false,
                UserClass::ClinicStaff,
                "医師 田中 誠",
                "clinic doctor",
            ),
        ];
        for (user_id, institution_id, role_id, my_number, class, name, description) in people {
            let secret = totp::new_secret();
            let account = StaffAccount {
                user_id: user_id.to_owned(),
                email: format!("{user_id}@{}.example.lg.jp", pool.code),
                name: name.to_owned(),
                user_class: class,
                institution_id: institution_id.to_owned(),
                role_id: role_id.to_owned(),
                can_view_my_number: my_number,
                active: true,
                created_at: now,
                last_login_at: None,
                password_hash: Some(password::hash(DEMO_PASSWORD)?),
                totp_secret: Some(secret.clone()),
                totp_last_step: 0,
                pending_totp_secret: None,
                recovery_code_hashes: Vec::new(),
                activation: None,
                session_epoch: 0,
                request_id: None,
            };
            let writes = vec![
                accounts::account_write(&tenant, &account, None).await?,
                accounts::email_index_write(&tenant, &account.email, &account.user_id).await?,
            ];
            accounts::commit_all(&tenant, writes, "demo staff exists").await?;
            logins.retain(|l: &DemoStaff| !(l.municipality == pool.code && l.user_id == user_id));
            logins.push(DemoStaff {
                municipality: pool.code.to_owned(),
                user_id: user_id.to_owned(),
                surface: match class {
                    UserClass::MunicipalStaff => "admin".to_owned(),
                    UserClass::ClinicStaff => "clinic".to_owned(),
                },
                description: description.to_owned(),
                password: DEMO_PASSWORD.to_owned(),
                totp_secret: totp::base32(&secret),
            });
        }
    }
    save(sim_dir, &logins)?;
    Ok(logins)
}

/// The demo logins recorded by earlier starts.
pub fn load(sim_dir: &Path) -> anyhow::Result<Vec<DemoStaff>> {
    let path = sim_dir.join(FILE);
    match std::fs::read(&path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).with_context(|| format!("{} is damaged", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn save(sim_dir: &Path, logins: &[DemoStaff]) -> anyhow::Result<()> {
    std::fs::create_dir_all(sim_dir)?;
    let path = sim_dir.join(FILE);
    let json = serde_json::to_vec_pretty(logins)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    use std::io::Write;
    options
        .open(&path)
        .and_then(|mut file| file.write_all(&json))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The current TOTP code of a demo login.
pub fn current_code(login: &DemoStaff, now: u64) -> anyhow::Result<String> {
    let secret = base32_decode(&login.totp_secret).context("demo TOTP secret is not base32")?;
    Ok(totp::code_now(&secret, now))
}

fn base32_decode(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buffer, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for c in text.bytes() {
        let value = ALPHABET.iter().position(|&a| a == c)? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}
