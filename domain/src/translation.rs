//! Translatable texts: which fields of which resources have variants in other languages,
//! and which text a reader gets for each field.

use crate::language::{ContentLanguages, LanguageTag, Preferences, VariantFacts};

/// A field residents read, translatable wherever a resource has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TextField {
    Title,
    Name,
    Description,
    AccessibilityNotes,
    CostNote,
    /// A concern's text.
    Text,
}

impl TextField {
    pub const ALL: [TextField; 6] = [
        TextField::Title,
        TextField::Name,
        TextField::Description,
        TextField::AccessibilityNotes,
        TextField::CostNote,
        TextField::Text,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TextField::Title => "title",
            TextField::Name => "name",
            TextField::Description => "description",
            TextField::AccessibilityNotes => "accessibility_notes",
            TextField::CostNote => "cost_note",
            TextField::Text => "text",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == raw)
    }

    /// Whether the text may run over several lines.
    pub fn multiline(self) -> bool {
        !matches!(self, TextField::Title | TextField::Name)
    }
}

/// What owns translatable texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextOwner {
    Activity,
    Centre,
    Shift,
    QualificationType,
    /// A resident's concern: its title and text.
    Concern,
    /// A category of concerns: its name.
    ConcernCategory,
    /// A room of a centre: its name and description.
    Room,
    /// A neighbourhood fund: its title.
    Fund,
    /// A project applying to a fund: its title (the public list of granted projects
    /// shows it).
    FundApplication,
}

impl TextOwner {
    /// The owner's translatable fields.
    pub fn fields(self) -> &'static [TextField] {
        match self {
            TextOwner::Activity => &[
                TextField::Title,
                TextField::Description,
                TextField::AccessibilityNotes,
                TextField::CostNote,
            ],
            TextOwner::Centre => &[
                TextField::Name,
                TextField::Description,
                TextField::AccessibilityNotes,
            ],
            TextOwner::Shift => &[TextField::Title, TextField::Description],
            TextOwner::QualificationType | TextOwner::ConcernCategory => &[TextField::Name],
            TextOwner::Concern => &[TextField::Title, TextField::Text],
            TextOwner::Room => &[TextField::Name, TextField::Description],
            TextOwner::Fund | TextOwner::FundApplication => &[TextField::Title],
        }
    }

    /// The longest text `field` holds here, in characters: the same in every language.
    pub fn max_chars(self, field: TextField) -> usize {
        match (self, field) {
            (_, TextField::Title | TextField::Name) => 200,
            (TextOwner::Shift | TextOwner::Room, TextField::Description) => 4000,
            (_, TextField::Description) => 8000,
            (_, TextField::AccessibilityNotes) => 2000,
            (_, TextField::CostNote) => 500,
            (_, TextField::Text) => crate::concern::TEXT_MAX,
        }
    }
}

/// One stored variant of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub tag: LanguageTag,
    pub field: TextField,
    pub text: String,
    pub facts: VariantFacts,
}

/// What a reader gets: the language served, the texts in it, and the fields that fell back
/// to the source because that language has no public text for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendering {
    pub language: LanguageTag,
    pub texts: Vec<(TextField, String)>,
    pub fallbacks: Vec<TextField>,
}

impl Rendering {
    /// The text served for `field`, when it is not the source.
    pub fn text(&self, field: TextField) -> Option<&str> {
        self.texts
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, text)| text.as_str())
    }
}

/// Chooses what a reader with `wishes` gets of a resource whose texts are written in
/// `source` (German, but for a concern raised in another language), with `fields` (field
/// and whether it has any text in the source) and the stored `variants`.
///
/// The language served is the first one the reader asks for (RFC 4647 lookup) that is the
/// source or in which the resource has at least one public text. A reader who asks for
/// none of those gets German, the language of the place, where the resource has it, and the
/// source otherwise. In a language other than the source, each field with a public text
/// gets that text; the others keep the source's and are listed as fallbacks. A field whose
/// source text is empty stays empty in every language.
pub fn render(
    wishes: &Preferences,
    enabled: &ContentLanguages,
    source: &LanguageTag,
    fields: &[(TextField, bool)],
    variants: &[Variant],
) -> Rendering {
    // Only public variants of the fields asked about count: a resource shown by its title
    // alone is not "in English" because its cost note is.
    let public = |v: &&Variant| {
        v.facts.is_public(&v.tag)
            && v.tag != *source
            && enabled.find(v.tag.as_str()).is_some()
            && fields
                .iter()
                .any(|(field, has_text)| *field == v.field && *has_text)
    };
    let available = |candidate: &str| {
        if candidate == source.as_str() {
            return Some(source);
        }
        variants
            .iter()
            .filter(public)
            .find(|v| v.tag.as_str() == candidate)
            .map(|v| &v.tag)
    };
    let served = wishes
        .lookup(available)
        .or_else(|| available(crate::language::SOURCE))
        .unwrap_or(source)
        .clone();
    let mut texts = Vec::new();
    let mut fallbacks = Vec::new();
    if served != *source {
        for &(field, has_text) in fields {
            if !has_text {
                // Nothing in the source: a variant would tell one language's readers more
                // than the others.
                continue;
            }
            match variants
                .iter()
                .filter(public)
                .find(|v| v.tag == served && v.field == field)
            {
                Some(variant) => texts.push((field, variant.text.clone())),
                None => fallbacks.push(field),
            }
        }
    }
    Rendering {
        language: served,
        texts,
        fallbacks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::Origin;

    fn variant(tag: &str, field: TextField, text: &str, reviewed: bool, origin: Origin) -> Variant {
        Variant {
            tag: LanguageTag::parse(tag).expect("tag"),
            field,
            text: text.into(),
            facts: VariantFacts {
                origin,
                reviewed,
                stale: false,
            },
        }
    }

    const SOURCE: [(TextField, bool); 3] = [
        (TextField::Title, true),
        (TextField::Description, true),
        (TextField::AccessibilityNotes, false),
    ];

    fn rendered(header: &str, variants: &[Variant]) -> Rendering {
        render(
            &Preferences::from_accept_language(header),
            &ContentLanguages::defaults(),
            &LanguageTag::german(),
            &SOURCE,
            variants,
        )
    }

    #[test]
    fn reviewed_easy_german_is_served_and_the_rest_falls_back() {
        let variants = [variant(
            "de-x-ls",
            TextField::Title,
            "Zusammen kochen",
            true,
            Origin::Human,
        )];
        let r = rendered("de-x-ls, de;q=0.5", &variants);
        assert_eq!(r.language.as_str(), "de-x-ls");
        assert_eq!(r.text(TextField::Title), Some("Zusammen kochen"));
        // The empty accessibility notes have nothing to fall back to.
        assert_eq!(r.fallbacks, vec![TextField::Description]);
    }

    #[test]
    fn unreviewed_easy_german_and_machine_drafts_are_not_served() {
        let variants = [
            variant(
                "de-x-ls",
                TextField::Title,
                "Zusammen kochen",
                false,
                Origin::Human,
            ),
            variant(
                "en",
                TextField::Title,
                "Cooking together",
                false,
                Origin::Machine,
            ),
        ];
        for header in ["de-x-ls", "en", "en, de-x-ls"] {
            let r = rendered(header, &variants);
            assert_eq!(r.language.as_str(), "de", "{header}");
            assert!(r.texts.is_empty() && r.fallbacks.is_empty(), "{header}");
        }
    }

    #[test]
    fn a_language_without_texts_gives_german_and_the_next_wish_counts() {
        let variants = [variant(
            "en",
            TextField::Description,
            "We cook",
            false,
            Origin::Human,
        )];
        assert_eq!(rendered("tr", &variants).language.as_str(), "de");
        let r = rendered("tr, en;q=0.9", &variants);
        assert_eq!(r.language.as_str(), "en");
        assert_eq!(r.text(TextField::Description), Some("We cook"));
        assert_eq!(r.fallbacks, vec![TextField::Title]);
        // German asked for first wins over a later English.
        assert_eq!(rendered("de, en", &variants).language.as_str(), "de");
    }

    #[test]
    fn only_the_fields_shown_choose_the_language() {
        let variants = [variant(
            "en",
            TextField::CostNote,
            "Donations welcome",
            false,
            Origin::Human,
        )];
        let r = render(
            &Preferences::from_accept_language("en"),
            &ContentLanguages::defaults(),
            &LanguageTag::german(),
            &[(TextField::Title, true)],
            &variants,
        );
        assert_eq!(r.language.as_str(), "de");
    }

    #[test]
    fn a_disabled_language_is_not_served() {
        let variants = [variant(
            "en",
            TextField::Title,
            "Cooking",
            false,
            Origin::Human,
        )];
        let only_turkish = ContentLanguages::parse("tr").expect("valid");
        let r = render(
            &Preferences::from_accept_language("en"),
            &only_turkish,
            &LanguageTag::german(),
            &SOURCE,
            &variants,
        );
        assert_eq!(r.language.as_str(), "de");
    }

    #[test]
    fn words_raised_in_another_language_are_the_source() {
        let turkish = LanguageTag::parse("tr").expect("tag");
        let fields = [(TextField::Title, true), (TextField::Text, true)];
        let german = variant("de", TextField::Title, "Bank fehlt", false, Origin::Human);
        let in_turkish = variant("tr", TextField::Title, "Bank yok", false, Origin::Human);
        let languages = ContentLanguages::defaults();
        let read = |header: &str, variants: &[Variant]| {
            render(
                &Preferences::from_accept_language(header),
                &languages,
                &turkish,
                &fields,
                variants,
            )
        };
        // Without a German text, everyone reads the words as they were raised.
        for header in ["", "de", "en"] {
            let r = read(header, &[]);
            assert_eq!(r.language.as_str(), "tr", "{header}");
            assert!(r.texts.is_empty() && r.fallbacks.is_empty(), "{header}");
        }
        // With one, German readers and those who name no language they can have get it,
        // the untranslated text falling back to Turkish; Turkish readers get the source.
        for header in ["", "de", "en", "de-x-ls"] {
            let r = read(header, std::slice::from_ref(&german));
            assert_eq!(r.language.as_str(), "de", "{header}");
            assert_eq!(r.text(TextField::Title), Some("Bank fehlt"));
            assert_eq!(r.fallbacks, vec![TextField::Text]);
        }
        let r = read("tr, de", std::slice::from_ref(&german));
        assert_eq!(r.language.as_str(), "tr");
        assert!(r.texts.is_empty());
        // A variant in the source's own language is never served in its place.
        let r = read("tr", &[in_turkish]);
        assert_eq!(r.language.as_str(), "tr");
        assert!(r.texts.is_empty());
        // German resources: a reader naming nothing gets German, as before.
        let r = render(
            &Preferences::from_accept_language(""),
            &languages,
            &LanguageTag::german(),
            &fields,
            &[german],
        );
        assert_eq!(r.language.as_str(), "de");
        assert!(r.texts.is_empty());
    }

    #[test]
    fn every_owner_has_fields_within_known_limits() {
        for owner in [
            TextOwner::Activity,
            TextOwner::Centre,
            TextOwner::Shift,
            TextOwner::QualificationType,
            TextOwner::Concern,
            TextOwner::ConcernCategory,
            TextOwner::Room,
            TextOwner::Fund,
            TextOwner::FundApplication,
        ] {
            assert!(!owner.fields().is_empty());
            for &field in owner.fields() {
                assert!(owner.max_chars(field) >= 200);
            }
        }
        for field in TextField::ALL {
            assert_eq!(TextField::parse(field.as_str()), Some(field));
        }
        assert_eq!(TextOwner::Shift.max_chars(TextField::Description), 4000);
    }
}
