//! The person form, shared by entry and edit: the fields in the CSV's column order (the server
//! checks both with the same rules), and the server's per-field errors (422) shown at each
//! field in the current language, the first invalid field focused.

use crate::api::{ErrorKind, StaffError};
use crate::components::{SelectField, TextField, focus_by_id};
use crate::text::{CATEGORIES, FEE_EXEMPTIONS, Msg, use_tx};
use leptos::prelude::*;
use sesshu_domain::person_input::{FieldError, PersonField, PersonFields};

/// The id of the input of `field`; `None` for the CSV-only fields the form does not have.
pub fn input_id(field: PersonField) -> Option<&'static str> {
    Some(match field {
        PersonField::MyNumber => "person-my-number",
        PersonField::Name => "person-name",
        PersonField::NameKana => "person-name-kana",
        PersonField::BirthDate => "person-birth-date",
        PersonField::Sex => "person-sex",
        PersonField::Address => "person-address",
        PersonField::GuardianName => "person-guardian",
        PersonField::MunicipalityCode => "person-municipality-code",
        PersonField::MunicipalBusinessId => "person-business-id",
        PersonField::OtherManagementNo => "person-other-no",
        PersonField::SubjectCategory => "person-category",
        PersonField::FeeExemption => "person-fee",
        PersonField::Recovery => "person-recovery",
        PersonField::NonDisclosure => "person-non-disclosure",
        PersonField::ViewingSuspended => "person-viewing-suspended",
        PersonField::ChangeKind | PersonField::MovedOutOn | PersonField::MovedOutReason => {
            return None;
        }
    })
}

/// The field a 409 is about, from the server's message, with what to tell the person; `None`
/// when it is not about a field (e.g. the person was changed meanwhile).
pub fn conflict_field(message: &str) -> Option<(PersonField, Msg)> {
    let message = message.to_ascii_lowercase();
    if message.contains("my number") {
        Some((PersonField::MyNumber, Msg::TakenMyNumber))
    } else if message.contains("business id") {
        Some((PersonField::MunicipalBusinessId, Msg::TakenBusinessId))
    } else {
        None
    }
}

/// Whether a failure is the "changed meanwhile" conflict, which only a reload resolves.
pub fn changed_meanwhile(error: &StaffError) -> bool {
    error.kind() == ErrorKind::Conflict
        && error
            .api_error()
            .is_some_and(|api| conflict_field(&api.message).is_none())
}

/// Whether the form sends the control flags it shows (entry) or leaves them to the toggles
/// of the detail page (edit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormMode {
    Create,
    Edit {
        /// Whether the user may type a new My Number (else the mask is kept).
        may_change_my_number: bool,
    },
}

/// What the form edits: one signal per field, and the field errors the server sent.
#[derive(Clone, Copy)]
pub struct PersonFormState {
    my_number: RwSignal<String>,
    name: RwSignal<String>,
    name_kana: RwSignal<String>,
    birth_date: RwSignal<String>,
    sex: RwSignal<String>,
    address: RwSignal<String>,
    guardian_name: RwSignal<String>,
    municipality_code: RwSignal<String>,
    municipal_business_id: RwSignal<String>,
    other_management_no: RwSignal<String>,
    subject_category: RwSignal<String>,
    fee_exemption: RwSignal<String>,
    recovery: RwSignal<bool>,
    non_disclosure: RwSignal<bool>,
    viewing_suspended: RwSignal<bool>,
    errors: RwSignal<Vec<FieldError>>,
}

impl PersonFormState {
    /// The form filled with `fields`.
    pub fn new(fields: &PersonFields) -> Self {
        let text = |value: &str| RwSignal::new(value.to_owned());
        let flag = |value: &str| RwSignal::new(value.trim() == "1");
        Self {
            my_number: text(&fields.my_number),
            name: text(&fields.name),
            name_kana: text(&fields.name_kana),
            birth_date: text(&fields.birth_date),
            sex: text(&fields.sex),
            address: text(&fields.address),
            guardian_name: text(&fields.guardian_name),
            municipality_code: text(&fields.municipality_code),
            municipal_business_id: text(&fields.municipal_business_id),
            other_management_no: text(&fields.other_management_no),
            subject_category: text(&fields.subject_category),
            fee_exemption: text(&fields.fee_exemption),
            recovery: flag(&fields.recovery),
            non_disclosure: flag(&fields.non_disclosure),
            viewing_suspended: flag(&fields.viewing_suspended),
            errors: RwSignal::new(Vec::new()),
        }
    }

    /// The form's content as the API takes it.
    pub fn fields(self) -> PersonFields {
        let flag = |on: RwSignal<bool>| if on.get_untracked() { "1" } else { "0" }.to_owned();
        PersonFields {
            my_number: self.my_number.get_untracked(),
            name: self.name.get_untracked(),
            name_kana: self.name_kana.get_untracked(),
            birth_date: self.birth_date.get_untracked(),
            sex: self.sex.get_untracked(),
            address: self.address.get_untracked(),
            guardian_name: self.guardian_name.get_untracked(),
            municipality_code: self.municipality_code.get_untracked(),
            municipal_business_id: self.municipal_business_id.get_untracked(),
            other_management_no: self.other_management_no.get_untracked(),
            subject_category: self.subject_category.get_untracked(),
            fee_exemption: self.fee_exemption.get_untracked(),
            recovery: flag(self.recovery),
            non_disclosure: flag(self.non_disclosure),
            viewing_suspended: flag(self.viewing_suspended),
        }
    }

    pub fn clear_errors(self) {
        self.errors.set(Vec::new());
    }

    /// Shows a failed save at the fields it concerns: the 422 field errors, or the field a 409
    /// names. Focuses the first such field; false when the failure concerned none.
    pub fn show_failure(self, failure: &StaffError) -> bool {
        let mut errors = failure.field_errors().to_vec();
        if errors.is_empty()
            && failure.kind() == ErrorKind::Conflict
            && let Some((field, msg)) = failure
                .api_error()
                .and_then(|api| conflict_field(&api.message))
        {
            let [ja, en] = [sesshu_app::i18n::Lang::Ja, sesshu_app::i18n::Lang::En]
                .map(|lang| msg.text(lang).to_owned());
            errors.push(FieldError { field, en, ja });
        }
        let first = errors.iter().find_map(|e| input_id(e.field));
        self.errors.set(errors);
        match first {
            Some(id) => {
                // After the frame, so the error is in the page when the field is announced.
                request_animation_frame(move || focus_by_id(id));
                true
            }
            None => false,
        }
    }

    /// The error of `field`, in the current language (reactive).
    pub fn error(self, field: PersonField) -> Signal<Option<String>> {
        let tx = use_tx();
        let errors = self.errors;
        Signal::derive(move || {
            errors.with(|errors| {
                errors
                    .iter()
                    .find(|e| e.field == field)
                    .map(|e| tx.pick(&e.ja, &e.en).to_owned())
            })
        })
    }
}

/// The form's fields (the caller supplies the `<form>`, its errors and its buttons).
#[component]
pub fn PersonFormFields(
    /// The values and errors.
    state: PersonFormState,
    /// Entry or edit.
    mode: FormMode,
) -> impl IntoView {
    let tx = use_tx();
    let sex_options = Signal::derive(move || {
        vec![
            ("1".to_owned(), tx.t(Msg::SexMale).to_owned()),
            ("2".to_owned(), tx.t(Msg::SexFemale).to_owned()),
        ]
    });
    let category_options = Signal::derive(move || {
        CATEGORIES
            .iter()
            .map(|(code, msg)| ((*code).to_owned(), tx.t(*msg).to_owned()))
            .collect()
    });
    let fee_options = Signal::derive(move || {
        FEE_EXEMPTIONS
            .iter()
            .map(|(code, msg)| ((*code).to_owned(), tx.t(*msg).to_owned()))
            .collect()
    });
    let my_number = match mode {
        FormMode::Create => view! {
            <TextField
                id="person-my-number"
                label=Msg::LabelMyNumber
                value=state.my_number
                inputmode="numeric"
                autocomplete="off"
                hint=Msg::HintMyNumber
                required=true
                error_text=state.error(PersonField::MyNumber)
            />
        }
        .into_any(),
        FormMode::Edit {
            may_change_my_number: true,
        } => view! {
            <TextField
                id="person-my-number"
                label=Msg::LabelMyNumber
                value=state.my_number
                autocomplete="off"
                hint=Msg::HintMyNumberKeep
                required=true
                error_text=state.error(PersonField::MyNumber)
            />
        }
        .into_any(),
        FormMode::Edit {
            may_change_my_number: false,
        } => view! {
            // Not an input: the mask is sent back unchanged, which keeps the number.
            <div class="field">
                <span class="field__label">{move || tx.t(Msg::LabelMyNumber)}</span>
                <span class="code">{move || state.my_number.get()}</span>
                <p class="field__hint">{move || tx.t(Msg::MyNumberKeptMasked)}</p>
            </div>
        }
        .into_any(),
    };
    view! {
        {my_number}
        <TextField
            id="person-name"
            label=Msg::LabelName
            value=state.name
            autocomplete="off"
            hint=Msg::HintPersonName
            required=true
            error_text=state.error(PersonField::Name)
        />
        <TextField
            id="person-name-kana"
            label=Msg::LabelNameKana
            value=state.name_kana
            autocomplete="off"
            hint=Msg::HintNameKana
            required=true
            error_text=state.error(PersonField::NameKana)
        />
        <TextField
            id="person-birth-date"
            label=Msg::LabelBirthDate
            value=state.birth_date
            autocomplete="off"
            hint=Msg::HintBirthDate
            required=true
            error_text=state.error(PersonField::BirthDate)
        />
        <SelectField
            id="person-sex"
            label=Msg::LabelSex
            value=state.sex
            options=sex_options
            placeholder=Msg::ChooseSex
            required=true
            error_text=state.error(PersonField::Sex)
        />
        <TextField
            id="person-address"
            label=Msg::LabelAddress
            value=state.address
            autocomplete="off"
            required=true
            error_text=state.error(PersonField::Address)
        />
        <TextField
            id="person-guardian"
            label=Msg::LabelGuardian
            value=state.guardian_name
            autocomplete="off"
            hint=Msg::HintGuardian
            error_text=state.error(PersonField::GuardianName)
        />
        <TextField
            id="person-municipality-code"
            label=Msg::LabelMunicipalityCode
            value=state.municipality_code
            inputmode="numeric"
            autocomplete="off"
            hint=Msg::HintMunicipalityCode
            required=true
            error_text=state.error(PersonField::MunicipalityCode)
        />
        <TextField
            id="person-business-id"
            label=Msg::LabelBusinessId
            value=state.municipal_business_id
            autocomplete="off"
            hint=Msg::HintBusinessId
            required=true
            error_text=state.error(PersonField::MunicipalBusinessId)
        />
        <TextField
            id="person-other-no"
            label=Msg::LabelOtherNo
            value=state.other_management_no
            autocomplete="off"
            hint=Msg::HintOtherNo
            error_text=state.error(PersonField::OtherManagementNo)
        />
        <SelectField
            id="person-category"
            label=Msg::LabelSubjectCategory
            value=state.subject_category
            options=category_options
            placeholder=Msg::ChooseOne
            error_text=state.error(PersonField::SubjectCategory)
        />
        <SelectField
            id="person-fee"
            label=Msg::LabelFeeExemption
            value=state.fee_exemption
            options=fee_options
            placeholder=Msg::ChooseOne
            error_text=state.error(PersonField::FeeExemption)
        />
        {(mode == FormMode::Create).then(|| view! { <FlagChoices state /> })}
    }
}

/// The control flags as checkboxes, for entry (a person may need protecting from the start).
#[component]
fn FlagChoices(
    /// The values and errors.
    state: PersonFormState,
) -> impl IntoView {
    let tx = use_tx();
    let flags = [
        (
            "person-recovery",
            Msg::FlagRecovery,
            Msg::HintRecovery,
            state.recovery,
            PersonField::Recovery,
        ),
        (
            "person-non-disclosure",
            Msg::FlagNonDisclosure,
            Msg::HintNonDisclosure,
            state.non_disclosure,
            PersonField::NonDisclosure,
        ),
        (
            "person-viewing-suspended",
            Msg::FlagViewingSuspended,
            Msg::HintViewingSuspended,
            state.viewing_suspended,
            PersonField::ViewingSuspended,
        ),
    ];
    view! {
        <fieldset class="choices" aria-describedby="person-flags-lead">
            <legend>{move || tx.t(Msg::LabelControlFlags)}</legend>
            <p class="field__hint" id="person-flags-lead">{move || tx.t(Msg::FlagsLead)}</p>
            {flags
                .into_iter()
                .map(|(id, label, hint, checked, field)| {
                    let error = state.error(field);
                    view! { <FlagCheckbox id label hint checked error /> }
                })
                .collect_view()}
        </fieldset>
    }
}

/// One control flag: a checkbox with its hint and error.
#[component]
pub fn FlagCheckbox(
    /// The input's id (also names its hint and error).
    id: &'static str,
    /// The flag's name.
    label: Msg,
    /// What setting it does.
    hint: Msg,
    /// Whether it is set, two-way bound.
    checked: RwSignal<bool>,
    /// What is wrong with it, if anything.
    #[prop(optional)]
    error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let tx = use_tx();
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let described = move || {
        if error.get().is_some() {
            format!("{id}-hint {id}-error")
        } else {
            format!("{id}-hint")
        }
    };
    view! {
        <div class="flag">
            <label class="choice">
                <input
                    type="checkbox"
                    id=id
                    aria-describedby=described
                    aria-invalid=move || error.get().is_some().then_some("true")
                    bind:checked=checked
                />
                {move || tx.t(label)}
            </label>
            <p class="field__hint flag__hint" id=format!("{id}-hint")>{move || tx.t(hint)}</p>
            {move || error.get().map(|text| view! {
                <p class="field__error" id=format!("{id}-error")>{text}</p>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn every_form_field_has_its_own_input_and_the_csv_only_ones_none() {
        let ids: Vec<_> = PersonField::ALL
            .iter()
            .filter_map(|f| input_id(*f))
            .collect();
        assert_eq!(ids.len(), PersonField::ALL.len() - 3);
        for (i, a) in ids.iter().enumerate() {
            assert!(!ids[i + 1..].contains(a), "{a} twice");
        }
        assert_eq!(input_id(PersonField::ChangeKind), None);
    }

    #[test]
    fn conflicts_name_the_field_that_clashes_or_none_for_a_concurrent_change() {
        assert_eq!(
            conflict_field("a person with this My Number exists"),
            Some((PersonField::MyNumber, Msg::TakenMyNumber))
        );
        assert_eq!(
            conflict_field("a person with this municipal business id (自治体業務ID) exists"),
            Some((PersonField::MunicipalBusinessId, Msg::TakenBusinessId))
        );
        assert_eq!(
            conflict_field("the person was changed meanwhile; reload and edit again"),
            None
        );
    }
}
