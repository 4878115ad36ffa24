//! Target persons as staff type them or the health-management system sends them: raw text in
//! ([`PersonFields`]), one validated person out ([`PersonInput`]), or every problem at once as
//! [`FieldError`]s in English and Japanese that never repeat the value.
//!
//! The CSV reader (`sesshu-interchange`) and the admin form share these rules, so a row that
//! imports is exactly a form that saves. Normalization is described in [`normalize`], accepted
//! dates in [`date`], each field's rule in [`parse`].

pub mod date;
mod field;
pub mod normalize;
pub mod parse;

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

pub use field::{FieldError, PersonField};

use crate::id::{MunicipalBusinessId, MunicipalityCode, MyNumber};
use crate::person::{
    ControlFlags, FeeExemption, KanaName, PersonName, Sex, SubjectCategory, TargetPerson,
};

/// Every field of a person as raw text: the admin form's body and a CSV row before validation.
/// Empty strings mean "not given". 変更区分, 異動日 and 異動事由 are CSV-only and not here.
///
/// Holds personal data unvalidated: its `Debug` prints nothing of it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PersonFields {
    pub my_number: String,
    pub name: String,
    pub name_kana: String,
    pub birth_date: String,
    pub sex: String,
    pub address: String,
    pub guardian_name: String,
    pub municipality_code: String,
    pub municipal_business_id: String,
    pub other_management_no: String,
    pub subject_category: String,
    pub fee_exemption: String,
    pub recovery: String,
    pub non_disclosure: String,
    pub viewing_suspended: String,
}

/// [`PersonFields`] borrowed, so a CSV reader can validate a row without copying its fields.
#[derive(Clone, Copy, Default)]
pub struct PersonFieldRefs<'a> {
    pub my_number: &'a str,
    pub name: &'a str,
    pub name_kana: &'a str,
    pub birth_date: &'a str,
    pub sex: &'a str,
    pub address: &'a str,
    pub guardian_name: &'a str,
    pub municipality_code: &'a str,
    pub municipal_business_id: &'a str,
    pub other_management_no: &'a str,
    pub subject_category: &'a str,
    pub fee_exemption: &'a str,
    pub recovery: &'a str,
    pub non_disclosure: &'a str,
    pub viewing_suspended: &'a str,
}

impl fmt::Debug for PersonFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonFields(<redacted>)")
    }
}

impl fmt::Debug for PersonFieldRefs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonFieldRefs(<redacted>)")
    }
}

/// The content of a target person that the municipality owns, validated and normalized.
/// What this system adds (予防接種対象者番号, PMH key and pseudonym, link status, 変更区分,
/// 異動日) is not here; see [`PersonInput::apply_to`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonInput {
    pub my_number: MyNumber,
    pub name: PersonName,
    pub name_kana: KanaName,
    #[serde(with = "crate::iso_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub birth_date: Date,
    pub sex: Sex,
    pub address: String,
    pub guardian_name: Option<PersonName>,
    pub municipality_code: MunicipalityCode,
    pub municipal_business_id: MunicipalBusinessId,
    pub other_management_no: Option<String>,
    pub subject_category: SubjectCategory,
    pub fee_exemption: FeeExemption,
    pub control_flags: ControlFlags,
}

impl fmt::Debug for PersonInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PersonInput")
            .field("municipality_code", &self.municipality_code)
            .field("my_number", &self.my_number)
            .field("name", &self.name)
            .field("name_kana", &self.name_kana)
            .field("address", &"<redacted>")
            .field("birth_date", &"<redacted>")
            .field("guardian_name", &self.guardian_name)
            .field("municipal_business_id", &self.municipal_business_id)
            .field("subject_category", &self.subject_category)
            .field("fee_exemption", &self.fee_exemption)
            .field("control_flags", &self.control_flags)
            .finish_non_exhaustive()
    }
}

impl PersonFields {
    /// Validates every field and returns the person, or every field's error at once (in column
    /// order). Does not check the birth date against today: use [`Self::validate_on`] where
    /// the caller has a clock.
    pub fn validate(&self) -> Result<PersonInput, Vec<FieldError>> {
        self.as_refs().validate(None)
    }

    /// [`Self::validate`], and a birth date after `today` (the municipality's date) is an error.
    pub fn validate_on(&self, today: Date) -> Result<PersonInput, Vec<FieldError>> {
        self.as_refs().validate(Some(today))
    }

    /// The fields borrowed.
    pub fn as_refs(&self) -> PersonFieldRefs<'_> {
        PersonFieldRefs {
            my_number: &self.my_number,
            name: &self.name,
            name_kana: &self.name_kana,
            birth_date: &self.birth_date,
            sex: &self.sex,
            address: &self.address,
            guardian_name: &self.guardian_name,
            municipality_code: &self.municipality_code,
            municipal_business_id: &self.municipal_business_id,
            other_management_no: &self.other_management_no,
            subject_category: &self.subject_category,
            fee_exemption: &self.fee_exemption,
            recovery: &self.recovery,
            non_disclosure: &self.non_disclosure,
            viewing_suspended: &self.viewing_suspended,
        }
    }

    /// The stored person as form text, to prefill the edit form. **Contains the My Number
    /// digits**: send it only to staff allowed to see them (or blank `my_number` first).
    pub fn from_person(person: &TargetPerson) -> Self {
        PersonInput::from_person(person).to_fields()
    }
}

impl PersonFieldRefs<'_> {
    /// See [`PersonFields::validate_on`]; `today: None` skips the future-birth check.
    pub fn validate(&self, today: Option<Date>) -> Result<PersonInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let e = &mut errors;
        // Column order, so errors read left to right like the file.
        let my_number = keep(e, parse::my_number(self.my_number));
        let name = keep(e, parse::name(self.name));
        let name_kana = keep(e, parse::name_kana(self.name_kana));
        let birth_date = keep(e, parse::birth_date(self.birth_date, today));
        let sex = keep(e, parse::sex(self.sex));
        let address = keep(e, parse::address(self.address));
        let guardian_name = keep(e, parse::guardian_name(self.guardian_name));
        let municipality_code = keep(e, parse::municipality_code(self.municipality_code));
        let municipal_business_id =
            keep(e, parse::municipal_business_id(self.municipal_business_id));
        let other_management_no = keep(e, parse::other_management_no(self.other_management_no));
        let subject_category = keep(e, parse::subject_category(self.subject_category));
        let fee_exemption = keep(e, parse::fee_exemption(self.fee_exemption));
        let recovery = keep(e, parse::flag(PersonField::Recovery, self.recovery));
        let non_disclosure = keep(
            e,
            parse::flag(PersonField::NonDisclosure, self.non_disclosure),
        );
        let viewing_suspended = keep(
            e,
            parse::flag(PersonField::ViewingSuspended, self.viewing_suspended),
        );
        let (
            Some(my_number),
            Some(name),
            Some(name_kana),
            Some(birth_date),
            Some(sex),
            Some(address),
            Some(guardian_name),
            Some(municipality_code),
            Some(municipal_business_id),
            Some(other_management_no),
            Some(subject_category),
            Some(fee_exemption),
            Some(recovery),
            Some(non_disclosure),
            Some(viewing_suspended),
        ) = (
            my_number,
            name,
            name_kana,
            birth_date,
            sex,
            address,
            guardian_name,
            municipality_code,
            municipal_business_id,
            other_management_no,
            subject_category,
            fee_exemption,
            recovery,
            non_disclosure,
            viewing_suspended,
        )
        else {
            return Err(errors);
        };
        Ok(PersonInput {
            my_number,
            name,
            name_kana,
            birth_date,
            sex,
            address,
            guardian_name,
            municipality_code,
            municipal_business_id,
            other_management_no,
            subject_category,
            fee_exemption,
            control_flags: ControlFlags {
                recovery,
                non_disclosure,
                viewing_suspended,
            },
        })
    }
}

impl PersonInput {
    /// The municipality-owned content of a stored person.
    pub fn from_person(person: &TargetPerson) -> Self {
        Self {
            my_number: person.my_number.clone(),
            name: person.name.clone(),
            name_kana: person.name_kana.clone(),
            birth_date: person.birth_date,
            sex: person.sex,
            address: person.address.clone(),
            guardian_name: person.guardian_name.clone(),
            municipality_code: person.municipality_code.clone(),
            municipal_business_id: person.municipal_business_id.clone(),
            other_management_no: person.other_management_no.clone(),
            subject_category: person.subject_category,
            fee_exemption: person.fee_exemption,
            control_flags: person.control_flags,
        }
    }

    /// Overwrites the municipality-owned content of `person`; leaves what this system owns
    /// (subject number, PMH key and pseudonym, link status) and the CSV-only 変更区分 and
    /// 異動日 alone.
    pub fn apply_to(&self, person: &mut TargetPerson) {
        person.my_number = self.my_number.clone();
        person.name = self.name.clone();
        person.name_kana = self.name_kana.clone();
        person.birth_date = self.birth_date;
        person.sex = self.sex;
        person.address = self.address.clone();
        person.guardian_name = self.guardian_name.clone();
        person.municipality_code = self.municipality_code.clone();
        person.municipal_business_id = self.municipal_business_id.clone();
        person.other_management_no = self.other_management_no.clone();
        person.subject_category = self.subject_category;
        person.fee_exemption = self.fee_exemption;
        person.control_flags = self.control_flags;
    }

    /// Whether applying this input would change `person` (an update row that changes nothing
    /// is reported as unchanged).
    pub fn differs_from(&self, person: &TargetPerson) -> bool {
        *self != Self::from_person(person)
    }

    /// The input as form or CSV text that validates back to the same input.
    pub fn to_fields(&self) -> PersonFields {
        let flag = |on: bool| if on { "1" } else { "0" }.to_owned();
        PersonFields {
            my_number: self.my_number.expose_digits().to_owned(),
            name: self.name.as_str().to_owned(),
            name_kana: self.name_kana.as_str().to_owned(),
            birth_date: format_date(self.birth_date),
            sex: self.sex.code().to_string(),
            address: self.address.clone(),
            guardian_name: self
                .guardian_name
                .as_ref()
                .map(|n| n.as_str().to_owned())
                .unwrap_or_default(),
            municipality_code: self.municipality_code.as_str().to_owned(),
            municipal_business_id: self.municipal_business_id.as_str().to_owned(),
            other_management_no: self.other_management_no.clone().unwrap_or_default(),
            subject_category: self.subject_category.code().to_string(),
            fee_exemption: self.fee_exemption.code().to_string(),
            recovery: flag(self.control_flags.recovery),
            non_disclosure: flag(self.control_flags.non_disclosure),
            viewing_suspended: flag(self.control_flags.viewing_suspended),
        }
    }
}

fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|error| errors.push(error)).ok()
}

/// `YYYY-MM-DD`, the form exports write.
pub fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests;
