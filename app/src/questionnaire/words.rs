//! The few words a form shows besides its own texts, in every form language: a form filled in
//! Vietnamese should not mark its questions "必須". Everything else on a form comes from the
//! template's texts; the page around it (buttons, notices) is in the UI language (ja/en).

use sesshu_domain::questionnaire::Lang as FormLang;

/// A word of the form itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    /// The mark on a question that must be answered.
    Required,
    /// The note on the 医師記入欄.
    DoctorFills,
    /// An unanswered question on the review page.
    NotAnswered,
    /// The label of the choice of who signs, when more than one may.
    WhoSigns,
}

/// The word in `lang`.
pub fn word(lang: FormLang, word: Word) -> &'static str {
    use FormLang::*;
    match word {
        Word::Required => match lang {
            Ja => "必須",
            En => "Required",
            Vi => "Bắt buộc",
            ZhHans => "必填",
            Ko => "필수",
            PtBr => "Obrigatório",
        },
        Word::DoctorFills => match lang {
            Ja => "医師が記入します",
            En => "Filled in by the doctor",
            Vi => "Bác sĩ sẽ điền",
            ZhHans => "由医生填写",
            Ko => "의사가 기입합니다",
            PtBr => "Preenchido pelo médico",
        },
        Word::NotAnswered => match lang {
            Ja => "未回答",
            En => "Not answered",
            Vi => "Chưa trả lời",
            ZhHans => "未回答",
            Ko => "미응답",
            PtBr => "Sem resposta",
        },
        Word::WhoSigns => match lang {
            Ja => "署名する方",
            En => "Who signs",
            Vi => "Người ký",
            ZhHans => "签名人",
            Ko => "서명하는 사람",
            PtBr => "Quem assina",
        },
    }
}

/// What separates the chosen options of a multiple-choice answer.
pub fn list_separator(lang: FormLang) -> &'static str {
    match lang {
        FormLang::Ja | FormLang::ZhHans => "、",
        _ => ", ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_exists_in_every_language() {
        for lang in FormLang::ALL {
            for w in [
                Word::Required,
                Word::DoctorFills,
                Word::NotAnswered,
                Word::WhoSigns,
            ] {
                assert!(!word(lang, w).trim().is_empty(), "{lang:?} {w:?}");
            }
        }
        assert_ne!(
            word(FormLang::Vi, Word::Required),
            word(FormLang::Ja, Word::Required)
        );
    }
}
