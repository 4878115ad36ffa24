//! Synthetic data pools for the demo-data generator: names, towns, clinics, vaccine products and
//! the routine schedule.
//!
//! Everything here is invented or public reference data. Surnames and given names are common
//! Japanese names; town names are real 町名 of the two demo municipalities so addresses look right,
//! but every address the generator builds from them is made up. Clinic names, institution codes,
//! doctors and GTINs are INVENTED: any resemblance to a real clinic, person or product code is
//! accidental. The vaccine products are the ones really used in Japanese routine vaccinations
//! (maker, generic name, brand name, dose, route), because a record that names a vaccine nobody uses
//! would not look like a record.
//!
//! Check digits are real: institution codes pass the 医療機関コード Luhn check and GTINs the GS1
//! mod-10 check, so the generator's output parses with the domain types (the tests below prove
//! it with their own implementations, independent of the domain crate).

/// A surname or given name: (kanji, katakana reading).
pub type Name = (&'static str, &'static str);

/// Common surnames, (kanji, katakana reading).
pub const SURNAMES: &[Name] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
    ("山崎", "ヤマザキ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("阿部", "アベ"),
    ("石川", "イシカワ"),
    ("山下", "ヤマシタ"),
    ("中島", "ナカジマ"),
    ("石井", "イシイ"),
    ("小川", "オガワ"),
    ("前田", "マエダ"),
    ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"),
    ("藤田", "フジタ"),
    ("後藤", "ゴトウ"),
    ("近藤", "コンドウ"),
    ("村上", "ムラカミ"),
    ("遠藤", "エンドウ"),
    ("青木", "アオキ"),
    ("坂本", "サカモト"),
    ("斉藤", "サイトウ"),
    ("福田", "フクダ"),
    ("太田", "オオタ"),
    ("西村", "ニシムラ"),
    ("藤井", "フジイ"),
    ("金子", "カネコ"),
    ("岡本", "オカモト"),
    ("藤原", "フジワラ"),
    ("中野", "ナカノ"),
    ("三浦", "ミウラ"),
    ("原田", "ハラダ"),
    ("中川", "ナカガワ"),
    ("松田", "マツダ"),
    ("竹内", "タケウチ"),
    ("小野", "オノ"),
    ("田村", "タムラ"),
    ("中山", "ナカヤマ"),
    ("和田", "ワダ"),
    ("石田", "イシダ"),
    ("森田", "モリタ"),
    ("上田", "ウエダ"),
    ("原", "ハラ"),
    ("内田", "ウチダ"),
    ("柴田", "シバタ"),
    ("酒井", "サカイ"),
    ("宮崎", "ミヤザキ"),
    ("横山", "ヨコヤマ"),
    ("高木", "タカギ"),
    ("安藤", "アンドウ"),
    ("宮本", "ミヤモト"),
    ("大野", "オオノ"),
    ("小島", "コジマ"),
    ("谷口", "タニグチ"),
    ("今井", "イマイ"),
    ("工藤", "クドウ"),
    ("高田", "タカダ"),
    ("増田", "マスダ"),
    ("丸山", "マルヤマ"),
    ("杉山", "スギヤマ"),
    ("村田", "ムラタ"),
];

/// Male given names common for births since about 2000 (children, young parents).
pub const MALE_GIVEN_NAMES_MODERN: &[Name] = &[
    ("蓮", "レン"),
    ("陽翔", "ハルト"),
    ("湊", "ミナト"),
    ("蒼", "アオイ"),
    ("樹", "イツキ"),
    ("悠真", "ユウマ"),
    ("大翔", "ヒロト"),
    ("朝陽", "アサヒ"),
    ("律", "リツ"),
    ("颯真", "ソウマ"),
    ("陽向", "ヒナタ"),
    ("悠人", "ユウト"),
    ("大和", "ヤマト"),
    ("奏太", "カナタ"),
    ("陸", "リク"),
    ("蒼空", "ソラ"),
    ("颯太", "ソウタ"),
    ("晴", "ハル"),
    ("結翔", "ユイト"),
    ("碧", "アオイ"),
    ("新", "アラタ"),
    ("岳", "ガク"),
    ("翔太", "ショウタ"),
    ("拓海", "タクミ"),
    ("健太", "ケンタ"),
    ("翼", "ツバサ"),
];

/// Male given names common for births before about 1990 (parents, grandparents, the elderly).
pub const MALE_GIVEN_NAMES_CLASSIC: &[Name] = &[
    ("誠", "マコト"),
    ("浩", "ヒロシ"),
    ("隆", "タカシ"),
    ("茂", "シゲル"),
    ("勇", "イサム"),
    ("清", "キヨシ"),
    ("正雄", "マサオ"),
    ("和夫", "カズオ"),
    ("一郎", "イチロウ"),
    ("健二", "ケンジ"),
    ("修", "オサム"),
    ("聡", "サトシ"),
    ("達也", "タツヤ"),
    ("和也", "カズヤ"),
    ("哲也", "テツヤ"),
    ("剛", "ツヨシ"),
    ("直樹", "ナオキ"),
    ("健一", "ケンイチ"),
    ("大輔", "ダイスケ"),
    ("秀樹", "ヒデキ"),
    ("武", "タケシ"),
    ("進", "ススム"),
    ("実", "ミノル"),
    ("昭", "アキラ"),
    ("弘", "ヒロシ"),
    ("博之", "ヒロユキ"),
];

/// Female given names common for births since about 2000.
pub const FEMALE_GIVEN_NAMES_MODERN: &[Name] = &[
    ("陽葵", "ヒマリ"),
    ("凛", "リン"),
    ("詩", "ウタ"),
    ("結菜", "ユイナ"),
    ("葵", "アオイ"),
    ("芽依", "メイ"),
    ("紬", "ツムギ"),
    ("澪", "ミオ"),
    ("結愛", "ユア"),
    ("莉子", "リコ"),
    ("美桜", "ミオ"),
    ("咲良", "サクラ"),
    ("杏", "アン"),
    ("楓", "カエデ"),
    ("心春", "コハル"),
    ("さくら", "サクラ"),
    ("花", "ハナ"),
    ("結衣", "ユイ"),
    ("陽菜", "ヒナ"),
    ("彩花", "アヤカ"),
    ("美咲", "ミサキ"),
    ("七海", "ナナミ"),
    ("琴音", "コトネ"),
    ("明里", "アカリ"),
    ("美月", "ミヅキ"),
    ("愛", "アイ"),
];

/// Female given names common for births before about 1990.
pub const FEMALE_GIVEN_NAMES_CLASSIC: &[Name] = &[
    ("恵子", "ケイコ"),
    ("幸子", "サチコ"),
    ("和子", "カズコ"),
    ("洋子", "ヨウコ"),
    ("京子", "キョウコ"),
    ("久美子", "クミコ"),
    ("由美子", "ユミコ"),
    ("裕子", "ユウコ"),
    ("真由美", "マユミ"),
    ("智子", "トモコ"),
    ("直美", "ナオミ"),
    ("明美", "アケミ"),
    ("陽子", "ヨウコ"),
    ("美穂", "ミホ"),
    ("恵美", "エミ"),
    ("典子", "ノリコ"),
    ("順子", "ジュンコ"),
    ("節子", "セツコ"),
    ("文子", "フミコ"),
    ("千代子", "チヨコ"),
    ("静香", "シズカ"),
    ("奈美", "ナミ"),
    ("香織", "カオリ"),
    ("麻衣", "マイ"),
    ("舞", "マイ"),
    ("紀子", "ノリコ"),
];

/// A town (町) of a demo municipality, real name, used to build synthetic addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Town {
    /// The 町名, for Osaka City prefixed with its ward (区), e.g. `麹町`, `北区梅田`.
    pub name: &'static str,
    /// How many 丁目 the town has (pick 1..=chome); 0 when its addresses have none (e.g. 一番町).
    pub chome: u8,
    /// A plausible upper bound for the 番 (block) number.
    pub max_banchi: u8,
}

/// What a clinic mostly vaccinates, so children go to paediatricians and the elderly to
/// internists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClinicKind {
    /// 小児科: routine vaccinations of children (A類).
    Pediatrics,
    /// 内科: the elderly (B類: influenza, pneumococcus, herpes zoster) and HPV catch-up.
    InternalMedicine,
    /// Both (ファミリークリニック).
    Family,
}

/// An INVENTED clinic of a demo municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clinic {
    /// 実施場所 as printed on a record.
    pub name: &'static str,
    /// 10-digit 医療機関コード: prefecture + score table 1 (医科) + 7 digits, the last a Luhn
    /// check digit over the first 9 digits.
    pub institution_code: &'static str,
    /// A [`Town::name`] of the same municipality (the clinic's address).
    pub town: &'static str,
    /// Which vaccinations it mostly gives.
    pub kind: ClinicKind,
    /// 医師名, surname and given name separated by an ideographic space (U+3000).
    pub doctors: &'static [&'static str],
}

/// One demo municipality (tenant) with its address pool and clinics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MunicipalityPool {
    /// 全国地方公共団体コード, 6 digits with check digit.
    pub code: &'static str,
    /// e.g. `千代田区`.
    pub name_ja: &'static str,
    /// e.g. `Chiyoda City`.
    pub name_en: &'static str,
    /// Prefecture + city (+ ward) prefix of every address, e.g. `東京都千代田区`.
    pub address_prefix: &'static str,
    /// Real 町名 to build synthetic addresses from.
    pub towns: &'static [Town],
    /// Invented clinics located in [`Self::towns`].
    pub clinics: &'static [Clinic],
}

const fn town(name: &'static str, chome: u8, max_banchi: u8) -> Town {
    Town {
        name,
        chome,
        max_banchi,
    }
}

/// 東京都千代田区 (131016): real 町名 with their 丁目 counts.
pub const CHIYODA_TOWNS: &[Town] = &[
    town("麹町", 6, 12),
    town("一番町", 0, 28),
    town("二番町", 0, 14),
    town("三番町", 0, 30),
    town("四番町", 0, 11),
    town("五番町", 0, 14),
    town("六番町", 0, 15),
    town("九段南", 4, 8),
    town("九段北", 4, 4),
    town("富士見", 2, 10),
    town("飯田橋", 4, 10),
    town("平河町", 2, 7),
    town("隼町", 0, 4),
    town("紀尾井町", 0, 4),
    town("神田神保町", 3, 40),
    town("神田駿河台", 4, 11),
    town("神田小川町", 3, 28),
    town("神田錦町", 3, 26),
    town("神田淡路町", 2, 9),
    town("神田須田町", 2, 25),
    town("神田三崎町", 3, 10),
    town("神田猿楽町", 2, 6),
    town("西神田", 3, 8),
    town("内神田", 3, 22),
    town("外神田", 6, 18),
    town("東神田", 3, 7),
    town("岩本町", 3, 11),
];

/// 大阪府大阪市 (271004): real 区 + 町名 with their 丁目 counts.
pub const OSAKA_TOWNS: &[Town] = &[
    town("北区梅田", 3, 6),
    town("北区茶屋町", 0, 19),
    town("北区天神橋", 8, 12),
    town("北区中崎", 3, 5),
    town("北区芝田", 2, 9),
    town("北区曽根崎", 2, 11),
    town("北区西天満", 6, 9),
    town("中央区難波", 5, 8),
    town("中央区谷町", 9, 5),
    town("中央区道修町", 4, 6),
    town("天王寺区上本町", 9, 8),
    town("天王寺区真法院町", 0, 25),
    town("阿倍野区阪南町", 7, 8),
    town("阿倍野区昭和町", 5, 10),
    town("住吉区長居", 4, 12),
    town("都島区都島本通", 5, 20),
    town("西区北堀江", 4, 14),
    town("西区南堀江", 4, 13),
    town("西区江戸堀", 3, 9),
    town("福島区福島", 8, 9),
    town("淀川区十三本町", 3, 6),
    town("淀川区西中島", 7, 12),
    town("城東区蒲生", 4, 20),
    town("鶴見区鶴見", 6, 10),
    town("此花区西九条", 7, 5),
    town("港区弁天", 6, 5),
    town("生野区桃谷", 5, 12),
    town("旭区高殿", 7, 13),
    town("平野区平野本町", 5, 15),
    town("住之江区北加賀屋", 5, 7),
];

/// INVENTED clinics in 千代田区 (prefecture 13).
pub const CHIYODA_CLINICS: &[Clinic] = &[
    Clinic {
        name: "九段さくら小児科クリニック",
        institution_code: "1310120413",
        town: "九段南",
        kind: ClinicKind::Pediatrics,
        doctors: &["桜井　美咲", "青木　誠"],
    },
    Clinic {
        name: "麹町ひだまり内科医院",
        institution_code: "1310121189",
        town: "麹町",
        kind: ClinicKind::InternalMedicine,
        doctors: &["日高　和夫"],
    },
    Clinic {
        name: "神保町こもれび小児科",
        institution_code: "1310122658",
        town: "神田神保町",
        kind: ClinicKind::Pediatrics,
        doctors: &["木下　陽子", "木下　直樹"],
    },
    Clinic {
        name: "番町あおば内科クリニック",
        institution_code: "1310123474",
        town: "二番町",
        kind: ClinicKind::InternalMedicine,
        doctors: &["青柳　聡"],
    },
    Clinic {
        name: "飯田橋わかば小児科医院",
        institution_code: "1310124308",
        town: "飯田橋",
        kind: ClinicKind::Pediatrics,
        doctors: &["若林　恵美"],
    },
    Clinic {
        name: "富士見つばさファミリークリニック",
        institution_code: "1310125123",
        town: "富士見",
        kind: ClinicKind::Family,
        doctors: &["津田　健一", "大野　香織"],
    },
    Clinic {
        name: "神田すずらん内科",
        institution_code: "1310126097",
        town: "神田小川町",
        kind: ClinicKind::InternalMedicine,
        doctors: &["鈴村　隆"],
    },
    Clinic {
        name: "平河町こどもとおとなのクリニック",
        institution_code: "1310127814",
        town: "平河町",
        kind: ClinicKind::Family,
        doctors: &["平野　智子", "河合　哲也"],
    },
    Clinic {
        name: "岩本町ひかり内科医院",
        institution_code: "1310128564",
        town: "岩本町",
        kind: ClinicKind::InternalMedicine,
        doctors: &["光岡　修"],
    },
    Clinic {
        name: "外神田ことり小児科クリニック",
        institution_code: "1310129323",
        town: "外神田",
        kind: ClinicKind::Pediatrics,
        doctors: &["小鳥遊　奈美"],
    },
    Clinic {
        name: "錦町かえで内科クリニック",
        institution_code: "1310130131",
        town: "神田錦町",
        kind: ClinicKind::InternalMedicine,
        doctors: &["高山　秀樹", "内田　麻衣"],
    },
    Clinic {
        name: "東神田もみじ小児科",
        institution_code: "1310131055",
        town: "東神田",
        kind: ClinicKind::Pediatrics,
        doctors: &["松浦　典子"],
    },
];

/// INVENTED clinics in 大阪市 (prefecture 27).
pub const OSAKA_CLINICS: &[Clinic] = &[
    Clinic {
        name: "梅田ひまわり小児科クリニック",
        institution_code: "2710122033",
        town: "北区梅田",
        kind: ClinicKind::Pediatrics,
        doctors: &["日向　真由美", "梅本　大輔"],
    },
    Clinic {
        name: "天神橋こまち内科医院",
        institution_code: "2710123866",
        town: "北区天神橋",
        kind: ClinicKind::InternalMedicine,
        doctors: &["小町　正雄"],
    },
    Clinic {
        name: "難波すみれ小児科",
        institution_code: "2710224177",
        town: "中央区難波",
        kind: ClinicKind::Pediatrics,
        doctors: &["菅野　直美"],
    },
    Clinic {
        name: "上本町あさがお内科クリニック",
        institution_code: "2710525482",
        town: "天王寺区上本町",
        kind: ClinicKind::InternalMedicine,
        doctors: &["朝倉　浩", "上野　京子"],
    },
    Clinic {
        name: "阿倍野はなみずき小児科医院",
        institution_code: "2710626710",
        town: "阿倍野区阪南町",
        kind: ClinicKind::Pediatrics,
        doctors: &["花房　裕子"],
    },
    Clinic {
        name: "福島つくし内科",
        institution_code: "2710327046",
        town: "福島区福島",
        kind: ClinicKind::InternalMedicine,
        doctors: &["筑紫　勇"],
    },
    Clinic {
        name: "西中島ほほえみファミリークリニック",
        institution_code: "2710828357",
        town: "淀川区西中島",
        kind: ClinicKind::Family,
        doctors: &["西岡　達也", "中島　美穂"],
    },
    Clinic {
        name: "堀江あおぞら小児科",
        institution_code: "2710429628",
        town: "西区南堀江",
        kind: ClinicKind::Pediatrics,
        doctors: &["堀内　明美"],
    },
    Clinic {
        name: "都島なごみ内科医院",
        institution_code: "2710720596",
        town: "都島区都島本通",
        kind: ClinicKind::InternalMedicine,
        doctors: &["和泉　茂"],
    },
    Clinic {
        name: "長居のぞみ小児科クリニック",
        institution_code: "2710921814",
        town: "住吉区長居",
        kind: ClinicKind::Pediatrics,
        doctors: &["長尾　希", "住田　和也"],
    },
    Clinic {
        name: "桃谷いずみ内科クリニック",
        institution_code: "2711022448",
        town: "生野区桃谷",
        kind: ClinicKind::InternalMedicine,
        doctors: &["桃井　節子"],
    },
    Clinic {
        name: "平野ふたば小児科",
        institution_code: "2711123725",
        town: "平野区平野本町",
        kind: ClinicKind::Pediatrics,
        doctors: &["二葉　剛"],
    },
];

/// 東京都千代田区.
pub const CHIYODA: MunicipalityPool = MunicipalityPool {
    code: "131016",
    name_ja: "千代田区",
    name_en: "Chiyoda City",
    address_prefix: "東京都千代田区",
    towns: CHIYODA_TOWNS,
    clinics: CHIYODA_CLINICS,
};

/// 大阪府大阪市.
pub const OSAKA: MunicipalityPool = MunicipalityPool {
    code: "271004",
    name_ja: "大阪市",
    name_en: "Osaka City",
    address_prefix: "大阪府大阪市",
    towns: OSAKA_TOWNS,
    clinics: OSAKA_CLINICS,
};

/// The two demo municipalities.
pub const MUNICIPALITIES: &[MunicipalityPool] = &[CHIYODA, OSAKA];

/// Builds an address the way Japanese forms print it, e.g. `東京都千代田区麹町3丁目5番2号`, or
/// `東京都千代田区一番町8番1号` for a town without 丁目 (`chome` is then ignored).
#[must_use]
pub fn address(
    municipality: &MunicipalityPool,
    town: &Town,
    chome: u8,
    banchi: u16,
    go: u16,
) -> String {
    if town.chome == 0 {
        format!(
            "{}{}{}番{}号",
            municipality.address_prefix, town.name, banchi, go
        )
    } else {
        format!(
            "{}{}{}丁目{}番{}号",
            municipality.address_prefix, town.name, chome, banchi, go
        )
    }
}

/// Routine vaccination kinds: (code used in [`VaccineProduct::kind`] and [`SCHEDULE`], Japanese
/// name, English name, 定期接種の類型 `A` (集団予防) or `B` (個人予防, the elderly)).
///
/// The codes are the domain's `VaccinationKind::code()` values, so `VaccinationKind::from_code`
/// maps each of them; the domain's names are the ones to show.
pub const VACCINATION_KINDS: &[(&str, &str, &str, &str)] = &[
    (
        "dpt_ipv_hib",
        "五種混合（ジフテリア・百日せき・破傷風・ポリオ・Hib）",
        "DPT-IPV-Hib (5-in-1)",
        "A",
    ),
    (
        "dpt_ipv",
        "四種混合（ジフテリア・百日せき・破傷風・ポリオ）",
        "DPT-IPV (4-in-1)",
        "A",
    ),
    ("hib", "Hib感染症", "Haemophilus influenzae type b", "A"),
    (
        "pneumococcal_child",
        "小児の肺炎球菌感染症",
        "Pneumococcal (children)",
        "A",
    ),
    ("hepatitis_b", "B型肝炎", "Hepatitis B", "A"),
    ("rotavirus", "ロタウイルス感染症", "Rotavirus", "A"),
    ("bcg", "結核（BCG）", "Tuberculosis (BCG)", "A"),
    ("mr", "麻しん・風しん（MR）", "Measles-rubella (MR)", "A"),
    ("varicella", "水痘", "Varicella", "A"),
    (
        "japanese_encephalitis",
        "日本脳炎",
        "Japanese encephalitis",
        "A",
    ),
    (
        "dt",
        "二種混合（ジフテリア・破傷風）",
        "DT (diphtheria-tetanus)",
        "A",
    ),
    (
        "hpv",
        "ヒトパピローマウイルス感染症",
        "Human papillomavirus (HPV)",
        "A",
    ),
    (
        "influenza_elderly",
        "高齢者のインフルエンザ",
        "Influenza (elderly)",
        "B",
    ),
    (
        "pneumococcal_elderly",
        "高齢者の肺炎球菌感染症",
        "Pneumococcal (elderly)",
        "B",
    ),
    ("herpes_zoster", "帯状疱疹", "Herpes zoster", "B"),
    ("covid19", "新型コロナウイルス感染症", "COVID-19", "B"),
];

/// Kinds offered to females only (the routine HPV vaccination).
pub const FEMALE_ONLY_KINDS: &[&str] = &["hpv"];

/// Kinds given once every season rather than once in a lifetime (autumn–winter).
pub const ANNUAL_KINDS: &[&str] = &["influenza_elderly", "covid19"];

/// A vaccine product really used in Japanese routine vaccination, with an INVENTED GTIN.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VaccineProduct {
    /// A [`VACCINATION_KINDS`] code.
    pub kind: &'static str,
    /// ワクチンメーカー名 (the marketing-authorisation holder).
    pub maker: &'static str,
    /// ワクチン一般名.
    pub generic_name: &'static str,
    /// ワクチン通称.
    pub common_name: &'static str,
    /// ワクチン販売名.
    pub brand_name: &'static str,
    /// Synthetic GTIN-14 (indicator 0, Japanese GS1 prefix 45 or 49, invented digits, valid
    /// mod-10 check digit).
    pub gtin: &'static str,
    /// 接種量 in mL as the package insert gives it, parseable by `DoseAmount::parse` (BCG: the
    /// 0.15 mL of suspension applied with the multiple-puncture device).
    pub dose_ml: &'static str,
    /// 接種方法, exactly a `Route::name_ja()` of the domain crate, e.g. `皮下注射`.
    pub route: &'static str,
    /// 接種部位, e.g. `上腕`.
    pub site: &'static str,
    /// Whether the site has a side, so the generator prefixes 左/右 (not for oral vaccines).
    pub sided: bool,
    /// Live attenuated (a 27-day interval applies before the next live injectable vaccine).
    pub live: bool,
    /// Doses in this product's series (rotavirus: 2 for the monovalent, 3 for the pentavalent).
    pub doses: u8,
    /// First and last calendar year in which this product was used for this routine
    /// vaccination (approximate; `None` = still in use), so records of older children name the
    /// vaccines of their time.
    pub used_from: u16,
    /// Last year of routine use, see [`Self::used_from`].
    pub used_until: Option<u16>,
}

const SC: &str = "皮下注射";
const IM: &str = "筋肉内注射";
const ORAL: &str = "経口";
const PERCUTANEOUS: &str = "経皮";
const UPPER_ARM: &str = "上腕";
const DELTOID: &str = "上腕三角筋部";

const BIKEN: &str = "一般財団法人阪大微生物病研究会";
const KMB: &str = "KMバイオロジクス株式会社";
const MSD: &str = "MSD株式会社";
const PFIZER: &str = "ファイザー株式会社";
const GSK: &str = "グラクソ・スミスクライン株式会社";
const SANOFI: &str = "サノフィ株式会社";
const JBCG: &str = "日本ビーシージー製造株式会社";
const DAIICHI: &str = "第一三共株式会社";

/// Vaccine products, one or more per [`VACCINATION_KINDS`] code.
pub const VACCINES: &[VaccineProduct] = &[
    VaccineProduct {
        kind: "dpt_ipv_hib",
        maker: BIKEN,
        generic_name: "沈降精製百日せきジフテリア破傷風不活化ポリオヘモフィルスb型混合ワクチン",
        common_name: "五種混合",
        brand_name: "ゴービック水性懸濁注",
        gtin: "04599999011372",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 4,
        used_from: 2024,
        used_until: None,
    },
    VaccineProduct {
        kind: "dpt_ipv_hib",
        maker: KMB,
        generic_name: "沈降精製百日せきジフテリア破傷風不活化ポリオヘモフィルスb型混合ワクチン",
        common_name: "五種混合",
        brand_name: "クイントバック水性懸濁注射用",
        gtin: "04999998012743",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 4,
        used_from: 2024,
        used_until: None,
    },
    VaccineProduct {
        kind: "dpt_ipv",
        maker: BIKEN,
        generic_name: "沈降精製百日せきジフテリア破傷風不活化ポリオ(セービン株)混合ワクチン",
        common_name: "四種混合",
        brand_name: "テトラビック皮下注シリンジ",
        gtin: "04599999014113",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 4,
        used_from: 2012,
        used_until: Some(2024),
    },
    VaccineProduct {
        kind: "hib",
        maker: SANOFI,
        generic_name: "乾燥ヘモフィルスb型ワクチン(破傷風トキソイド結合体)",
        common_name: "Hib",
        brand_name: "アクトヒブ",
        gtin: "04599999015486",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 4,
        used_from: 2013,
        used_until: Some(2024),
    },
    VaccineProduct {
        kind: "pneumococcal_child",
        maker: PFIZER,
        generic_name: "沈降20価肺炎球菌結合型ワクチン(無毒性変異ジフテリア毒素結合体)",
        common_name: "小児用肺炎球菌",
        brand_name: "プレベナー20水性懸濁注",
        gtin: "04599999016858",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 4,
        used_from: 2024,
        used_until: None,
    },
    VaccineProduct {
        kind: "pneumococcal_child",
        maker: MSD,
        generic_name: "沈降15価肺炎球菌結合型ワクチン(無毒性変異ジフテリア毒素結合体)",
        common_name: "小児用肺炎球菌",
        brand_name: "バクニュバンス水性懸濁注シリンジ",
        gtin: "04999998018226",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 4,
        used_from: 2024,
        used_until: None,
    },
    VaccineProduct {
        kind: "pneumococcal_child",
        maker: PFIZER,
        generic_name: "沈降13価肺炎球菌結合型ワクチン(無毒性変異ジフテリア毒素結合体)",
        common_name: "小児用肺炎球菌",
        brand_name: "プレベナー13水性懸濁注",
        gtin: "04599999019590",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 4,
        used_from: 2013,
        used_until: Some(2024),
    },
    VaccineProduct {
        kind: "hepatitis_b",
        maker: MSD,
        generic_name: "組換え沈降B型肝炎ワクチン(酵母由来)",
        common_name: "B型肝炎",
        brand_name: "ヘプタバックス-II水性懸濁注シリンジ0.25mL",
        gtin: "04999998020960",
        dose_ml: "0.25",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 3,
        used_from: 2016,
        used_until: None,
    },
    VaccineProduct {
        kind: "hepatitis_b",
        maker: KMB,
        generic_name: "組換え沈降B型肝炎ワクチン(酵母由来)",
        common_name: "B型肝炎",
        brand_name: "ビームゲン注0.25mL",
        gtin: "04599999022330",
        dose_ml: "0.25",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 3,
        used_from: 2016,
        used_until: None,
    },
    VaccineProduct {
        kind: "rotavirus",
        maker: GSK,
        generic_name: "経口弱毒生ヒトロタウイルスワクチン",
        common_name: "ロタウイルス（1価）",
        brand_name: "ロタリックス内用液",
        gtin: "04999998023701",
        dose_ml: "1.5",
        route: ORAL,
        site: "口腔",
        sided: false,
        live: true,
        doses: 2,
        used_from: 2020,
        used_until: None,
    },
    VaccineProduct {
        kind: "rotavirus",
        maker: MSD,
        generic_name: "5価経口弱毒生ロタウイルスワクチン",
        common_name: "ロタウイルス（5価）",
        brand_name: "ロタテック内用液",
        gtin: "04599999025072",
        dose_ml: "2",
        route: ORAL,
        site: "口腔",
        sided: false,
        live: true,
        doses: 3,
        used_from: 2020,
        used_until: None,
    },
    VaccineProduct {
        kind: "bcg",
        maker: JBCG,
        generic_name: "乾燥BCGワクチン",
        common_name: "BCG",
        brand_name: "乾燥BCGワクチン(経皮用・1人用)",
        gtin: "04999998026443",
        dose_ml: "0.15",
        route: PERCUTANEOUS,
        site: "上腕外側",
        sided: true,
        live: true,
        doses: 1,
        used_from: 2005,
        used_until: None,
    },
    VaccineProduct {
        kind: "mr",
        maker: BIKEN,
        generic_name: "乾燥弱毒生麻しん風しん混合ワクチン",
        common_name: "MR",
        brand_name: "ミールビック",
        gtin: "04599999027816",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: true,
        doses: 2,
        used_from: 2006,
        used_until: None,
    },
    VaccineProduct {
        kind: "varicella",
        maker: BIKEN,
        generic_name: "乾燥弱毒生水痘ワクチン",
        common_name: "水痘",
        brand_name: "乾燥弱毒生水痘ワクチン「ビケン」",
        gtin: "04999998029185",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: true,
        doses: 2,
        used_from: 2014,
        used_until: None,
    },
    VaccineProduct {
        kind: "japanese_encephalitis",
        maker: BIKEN,
        generic_name: "乾燥細胞培養日本脳炎ワクチン",
        common_name: "日本脳炎",
        brand_name: "ジェービックV",
        gtin: "04599999030557",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 4,
        used_from: 2009,
        used_until: None,
    },
    VaccineProduct {
        kind: "japanese_encephalitis",
        maker: KMB,
        generic_name: "乾燥細胞培養日本脳炎ワクチン",
        common_name: "日本脳炎",
        brand_name: "エンセバック皮下注用",
        gtin: "04999998031928",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 4,
        used_from: 2011,
        used_until: None,
    },
    VaccineProduct {
        kind: "dt",
        maker: BIKEN,
        generic_name: "沈降ジフテリア破傷風混合トキソイド",
        common_name: "二種混合（DT）",
        brand_name: "DTビック",
        gtin: "04599999033299",
        dose_ml: "0.1",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 1,
        used_from: 2005,
        used_until: None,
    },
    VaccineProduct {
        kind: "hpv",
        maker: MSD,
        generic_name: "組換え沈降9価ヒトパピローマウイルス様粒子ワクチン(酵母由来)",
        common_name: "HPV（9価）",
        brand_name: "シルガード9水性懸濁筋注シリンジ",
        gtin: "04999998034660",
        dose_ml: "0.5",
        route: IM,
        site: DELTOID,
        sided: true,
        live: false,
        doses: 3,
        used_from: 2023,
        used_until: None,
    },
    VaccineProduct {
        kind: "hpv",
        maker: MSD,
        generic_name: "組換え沈降4価ヒトパピローマウイルス様粒子ワクチン(酵母由来)",
        common_name: "HPV（4価）",
        brand_name: "ガーダシル水性懸濁筋注シリンジ",
        gtin: "04599999036030",
        dose_ml: "0.5",
        route: IM,
        site: DELTOID,
        sided: true,
        live: false,
        doses: 3,
        used_from: 2013,
        used_until: None,
    },
    VaccineProduct {
        kind: "influenza_elderly",
        maker: BIKEN,
        generic_name: "インフルエンザHAワクチン",
        common_name: "インフルエンザ",
        brand_name: "インフルエンザHAワクチン「ビケンHA」",
        gtin: "04999998037401",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 1,
        used_from: 2001,
        used_until: None,
    },
    VaccineProduct {
        kind: "influenza_elderly",
        maker: DAIICHI,
        generic_name: "インフルエンザHAワクチン",
        common_name: "インフルエンザ",
        brand_name: "インフルエンザHAワクチン「第一三共」シリンジ0.5mL",
        gtin: "04599999038775",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 1,
        used_from: 2001,
        used_until: None,
    },
    VaccineProduct {
        kind: "influenza_elderly",
        maker: KMB,
        generic_name: "インフルエンザHAワクチン",
        common_name: "インフルエンザ",
        brand_name: "インフルエンザHAワクチン「KMB」",
        gtin: "04999998040142",
        dose_ml: "0.5",
        route: SC,
        site: UPPER_ARM,
        sided: true,
        live: false,
        doses: 1,
        used_from: 2001,
        used_until: None,
    },
    VaccineProduct {
        kind: "pneumococcal_elderly",
        maker: MSD,
        generic_name: "肺炎球菌ワクチン",
        common_name: "高齢者用肺炎球菌（23価）",
        brand_name: "ニューモバックスNPシリンジ",
        gtin: "04599999041515",
        dose_ml: "0.5",
        route: IM,
        site: DELTOID,
        sided: true,
        live: false,
        doses: 1,
        used_from: 2014,
        used_until: None,
    },
    VaccineProduct {
        kind: "herpes_zoster",
        maker: GSK,
        generic_name: "乾燥組換え帯状疱疹ワクチン(チャイニーズハムスター卵巣細胞由来)",
        common_name: "帯状疱疹（組換え）",
        brand_name: "シングリックス筋注用",
        gtin: "04999998042887",
        dose_ml: "0.5",
        route: IM,
        site: DELTOID,
        sided: true,
        live: false,
        doses: 2,
        used_from: 2025,
        used_until: None,
    },
    VaccineProduct {
        kind: "covid19",
        maker: PFIZER,
        generic_name: "コロナウイルス修飾ウリジンRNAワクチン(SARS-CoV-2)",
        common_name: "新型コロナワクチン",
        brand_name: "コミナティ筋注シリンジ12歳以上用",
        gtin: "04599999044233",
        dose_ml: "0.3",
        route: IM,
        site: DELTOID,
        sided: true,
        live: false,
        doses: 1,
        used_from: 2024,
        used_until: None,
    },
];

/// Typical ages of the routine schedule: (kind code, dose number, age in days at which the
/// dose is typically given). The generator jitters around these.
///
/// Notes the generator needs: rotavirus dose 3 applies only to products with `doses == 3`;
/// HPV is for girls from 小学6年 (about 12 years); the elderly (B類) kinds start at 65 and
/// influenza repeats every season ([`ANNUAL_KINDS`]); 四種混合 and single Hib are the
/// pre-April-2024 equivalents of 五種混合 (never both for one child).
pub const SCHEDULE: &[(&str, u8, u32)] = &[
    // 2, 3, 4 months + booster at about 1 year 3 months.
    ("dpt_ipv_hib", 1, 61),
    ("dpt_ipv_hib", 2, 91),
    ("dpt_ipv_hib", 3, 122),
    ("dpt_ipv_hib", 4, 456),
    ("dpt_ipv", 1, 91),
    ("dpt_ipv", 2, 122),
    ("dpt_ipv", 3, 152),
    ("dpt_ipv", 4, 517),
    ("hib", 1, 61),
    ("hib", 2, 91),
    ("hib", 3, 122),
    ("hib", 4, 456),
    // 2, 3, 4 months + booster at 12–15 months.
    ("pneumococcal_child", 1, 61),
    ("pneumococcal_child", 2, 91),
    ("pneumococcal_child", 3, 122),
    ("pneumococcal_child", 4, 380),
    // 2, 3 months, then 7–8 months.
    ("hepatitis_b", 1, 61),
    ("hepatitis_b", 2, 91),
    ("hepatitis_b", 3, 228),
    // From 6 weeks; the course must finish by 24 (1価) or 32 (5価) weeks.
    ("rotavirus", 1, 61),
    ("rotavirus", 2, 91),
    ("rotavirus", 3, 122),
    // 5–8 months.
    ("bcg", 1, 183),
    // 1st birthday; 2nd dose in the year before primary school (年長).
    ("mr", 1, 366),
    ("mr", 2, 2100),
    // 12–15 months, then 6–12 months later.
    ("varicella", 1, 366),
    ("varicella", 2, 548),
    // 1期: 3 years (two doses 1–4 weeks apart), booster at 4; 2期 at 9 years.
    ("japanese_encephalitis", 1, 1096),
    ("japanese_encephalitis", 2, 1124),
    ("japanese_encephalitis", 3, 1461),
    ("japanese_encephalitis", 4, 3287),
    // 2期 at 11 years.
    ("dt", 1, 4018),
    // 小学6年 (about 12 years): 0, 2, 6 months.
    ("hpv", 1, 4383),
    ("hpv", 2, 4444),
    ("hpv", 3, 4566),
    // 65 years (B類).
    ("influenza_elderly", 1, 23741),
    ("pneumococcal_elderly", 1, 23741),
    ("herpes_zoster", 1, 23741),
    ("herpes_zoster", 2, 23802),
    ("covid19", 1, 23741),
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn digits(s: &str) -> Vec<u32> {
        s.chars().map(|c| c.to_digit(10).unwrap()).collect()
    }

    /// Luhn over `body`, doubling the digit next to the check digit first.
    fn luhn(body: &[u32]) -> u32 {
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| {
                if i % 2 == 0 {
                    (d * 2) / 10 + (d * 2) % 10
                } else {
                    d
                }
            })
            .sum();
        (10 - sum % 10) % 10
    }

    /// GS1 mod 10: weights 3, 1, 3, … from the digit next to the check digit.
    fn gs1(body: &[u32]) -> u32 {
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| if i % 2 == 0 { d * 3 } else { d })
            .sum();
        (10 - sum % 10) % 10
    }

    fn all_clinics() -> impl Iterator<Item = (&'static MunicipalityPool, &'static Clinic)> {
        MUNICIPALITIES
            .iter()
            .flat_map(|m| m.clinics.iter().map(move |c| (m, c)))
    }

    #[test]
    fn check_digit_implementations_agree_with_known_codes() {
        assert_eq!(luhn(&digits("011011371")), 9, "DESIGN.md sample 0110113719");
        assert_eq!(gs1(&digits("490123456789")), 4, "GS1 sample 4901234567894");
    }

    #[test]
    fn every_institution_code_has_a_valid_luhn_check_digit() {
        for (_, clinic) in all_clinics() {
            let d = digits(clinic.institution_code);
            assert_eq!(d.len(), 10, "{}", clinic.name);
            assert_eq!(luhn(&d[..9]), d[9], "{}", clinic.name);
        }
    }

    #[test]
    fn institution_codes_match_their_prefecture_and_are_medical() {
        for (m, clinic) in all_clinics() {
            let prefecture = &m.code[..2];
            assert_eq!(&clinic.institution_code[..2], prefecture, "{}", clinic.name);
            assert_eq!(&clinic.institution_code[2..3], "1", "{}", clinic.name);
        }
    }

    #[test]
    fn institution_codes_are_unique() {
        let mut codes: Vec<_> = all_clinics().map(|(_, c)| c.institution_code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all_clinics().count());
    }

    #[test]
    fn every_gtin_is_14_digits_with_a_japanese_prefix_and_a_valid_check_digit() {
        for v in VACCINES {
            let d = digits(v.gtin);
            assert_eq!(d.len(), 14, "{}", v.brand_name);
            assert_eq!(d[0], 0, "{}", v.brand_name);
            assert!(
                v.gtin[1..].starts_with("45") || v.gtin[1..].starts_with("49"),
                "{}",
                v.brand_name
            );
            assert_eq!(gs1(&d[..13]), d[13], "{}", v.brand_name);
        }
    }

    #[test]
    fn gtins_are_unique() {
        let mut gtins: Vec<_> = VACCINES.iter().map(|v| v.gtin).collect();
        gtins.sort_unstable();
        gtins.dedup();
        assert_eq!(gtins.len(), VACCINES.len());
    }

    #[test]
    fn municipality_codes_have_valid_check_digits() {
        for m in MUNICIPALITIES {
            let d = digits(m.code);
            let sum: u32 = d[..5].iter().zip([6, 5, 4, 3, 2]).map(|(a, w)| a * w).sum();
            assert_eq!((11 - sum % 11) % 10, d[5], "{}", m.name_en);
        }
    }

    #[test]
    fn pools_are_large_enough() {
        assert!(SURNAMES.len() >= 60);
        assert!(MALE_GIVEN_NAMES_MODERN.len() + MALE_GIVEN_NAMES_CLASSIC.len() >= 40);
        assert!(FEMALE_GIVEN_NAMES_MODERN.len() + FEMALE_GIVEN_NAMES_CLASSIC.len() >= 40);
        for m in MUNICIPALITIES {
            assert!(m.towns.len() >= 10, "{}", m.name_en);
            assert!(m.clinics.len() >= 10, "{}", m.name_en);
            assert!(
                m.clinics.iter().all(|c| !c.doctors.is_empty()),
                "{}",
                m.name_en
            );
        }
        assert!(!VACCINES.is_empty());
        assert!(!SCHEDULE.is_empty());
    }

    #[test]
    fn names_have_katakana_readings() {
        let pools = [
            SURNAMES,
            MALE_GIVEN_NAMES_MODERN,
            MALE_GIVEN_NAMES_CLASSIC,
            FEMALE_GIVEN_NAMES_MODERN,
            FEMALE_GIVEN_NAMES_CLASSIC,
        ];
        for (kanji, kana) in pools.iter().flat_map(|p| p.iter()) {
            assert!(!kanji.is_empty());
            assert!(
                kana.chars().all(|c| ('\u{30A1}'..='\u{30FC}').contains(&c)),
                "{kanji}: {kana}"
            );
        }
    }

    #[test]
    fn every_clinic_is_in_a_town_of_its_municipality() {
        for (m, clinic) in all_clinics() {
            assert!(
                m.towns.iter().any(|t| t.name == clinic.town),
                "{}",
                clinic.name
            );
        }
    }

    #[test]
    fn every_kind_has_products_and_a_schedule_and_every_product_a_kind() {
        for (code, ..) in VACCINATION_KINDS {
            assert!(VACCINES.iter().any(|v| v.kind == *code), "{code}");
            assert!(SCHEDULE.iter().any(|(k, ..)| k == code), "{code}");
        }
        for v in VACCINES {
            assert!(
                VACCINATION_KINDS.iter().any(|(c, ..)| *c == v.kind),
                "{}",
                v.brand_name
            );
            let scheduled = SCHEDULE.iter().filter(|(k, ..)| *k == v.kind).count();
            assert!(usize::from(v.doses) <= scheduled.max(1), "{}", v.brand_name);
        }
    }

    #[test]
    fn schedule_doses_are_numbered_from_one_in_age_order() {
        for (code, ..) in VACCINATION_KINDS {
            let doses: Vec<_> = SCHEDULE.iter().filter(|(k, ..)| k == code).collect();
            for (i, (_, n, age)) in doses.iter().enumerate() {
                assert_eq!(usize::from(*n), i + 1, "{code}");
                if i > 0 {
                    assert!(*age > doses[i - 1].2, "{code}");
                }
            }
        }
    }

    #[test]
    fn address_includes_chome_only_for_towns_that_have_them() {
        let kojimachi = CHIYODA_TOWNS.iter().find(|t| t.name == "麹町").unwrap();
        assert_eq!(
            address(&CHIYODA, kojimachi, 3, 5, 2),
            "東京都千代田区麹町3丁目5番2号"
        );
        let ichibancho = CHIYODA_TOWNS.iter().find(|t| t.name == "一番町").unwrap();
        assert_eq!(
            address(&CHIYODA, ichibancho, 1, 8, 1),
            "東京都千代田区一番町8番1号"
        );
        let umeda = OSAKA_TOWNS.iter().find(|t| t.name == "北区梅田").unwrap();
        assert_eq!(
            address(&OSAKA, umeda, 2, 4, 9),
            "大阪府大阪市北区梅田2丁目4番9号"
        );
    }
}
