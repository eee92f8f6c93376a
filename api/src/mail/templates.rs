//! Mail texts: one template file per kind and language in `api/templates/mail`, each with a
//! `subject`, a `text` and an `html` block. The HTML block is rendered with HTML escaping, and
//! wrapped in `layout.html`; the subject and text are rendered as plain text.

use minijinja::{Environment, UndefinedBehavior, Value};
use quartier_domain::notification::{Kind, MailLanguage};

/// A mail's texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

macro_rules! template_files {
    ($($kind:literal),* $(,)?) => {
        &[$(
            (concat!($kind, ".de"), include_str!(concat!("../../templates/mail/", $kind, ".de.jinja"))),
            (concat!($kind, ".en"), include_str!(concat!("../../templates/mail/", $kind, ".en.jinja"))),
        )*]
    };
}

/// Every template, by `kind.language`.
const FILES: &[(&str, &str)] = template_files!(
    "api_keys_creator_left",
    "email_verification",
    "email_change_requested",
    "password_reset",
    "password_changed",
    "signup_confirmed",
    "signup_waitlisted",
    "signup_promoted",
    "signup_cancelled",
    "shift_moved",
    "shift_reminder",
    "shift_message",
    "staff_invitation",
    "guest_hold",
    "guest_link",
    "help_wanted",
    "staff_summary",
    "concern_answered",
    "guest_concern",
    "room_booking_decided",
    "guest_room_booking",
    "standing_offer",
    "fund_application_decided",
    "guest_fund_application",
    "help_match",
    "guest_help_request",
    "help_message",
);

const LAYOUT: &str = include_str!("../../templates/mail/layout.html");

/// The loaded templates.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Loads every template; a template that does not parse is a bug found at start.
    pub fn load() -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Each file is loaded twice: as `.txt` for the subject and text, as `.html` for the
        // HTML part, which minijinja then escapes.
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        for (name, source) in FILES {
            env.add_template_owned(format!("{name}.txt"), *source)?;
            env.add_template_owned(format!("{name}.html"), *source)?;
        }
        env.add_template("layout.html", LAYOUT)?;
        Ok(Self { env })
    }

    /// The mail of `kind` in `language`, with `context` (a serializable map of the values the
    /// template names).
    pub fn render(
        &self,
        kind: Kind,
        language: MailLanguage,
        context: &Value,
    ) -> Result<Rendered, minijinja::Error> {
        let name = format!("{}.{}", kind.as_str(), language.tag());
        let mut plain = self
            .env
            .get_template(&format!("{name}.txt"))?
            .render_captured(context.clone())?;
        let subject = plain
            .with_state_mut(|state| state.render_block("subject"))?
            .trim()
            .to_owned();
        let text = plain
            .with_state_mut(|state| state.render_block("text"))?
            .trim()
            .to_owned()
            + "\n";
        let content = self
            .env
            .get_template(&format!("{name}.html"))?
            .render_captured(context.clone())?
            .with_state_mut(|state| state.render_block("html"))?;
        let footer = match language {
            MailLanguage::German => {
                "Diese Nachricht hat Quartier automatisch geschickt. Sie enthält keine Zählpixel."
            }
            MailLanguage::English => {
                "Quartier sent this message automatically. It contains no tracking pixels."
            }
        };
        let html = self
            .env
            .get_template("layout.html")?
            .render(minijinja::context! {
                lang => language.tag(),
                subject => &subject,
                content => Value::from_safe_string(content.trim().to_owned()),
                footer => footer,
            })?;
        Ok(Rendered {
            subject,
            text,
            html,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Value {
        minijinja::context! {
            name => "Ayşe <Yılmaz> & Co",
            link => "https://app.example.org/verify-email?token=abc&x=1",
            hours => 48,
            app_url => "https://app.example.org",
            operator_id => "0190e0a0-0000-7000-8000-000000000000",
            key_count => 2,
            shift_title => "Kaffeetafel <Team>",
            shift_id => "0190e0a0-0000-7000-8000-000000000001",
            centre => "Bürgerhaus",
            place => "Bürgerhaus, Marktplatz 1, 44135 Musterstadt",
            when => "Samstag, 12. Dezember 2026, 15:00–17:00 Uhr",
            previous_when => "Freitag, 11. Dezember 2026, 15:00–17:00 Uhr",
            reason => "shift_cancelled",
            message_subject => "Bitte früher kommen",
            message_body => "Hallo zusammen,\nwir brauchen euch schon um 14:30.",
            concern_title => "Sitzbank am Spielplatz fehlt",
            answer_text => "Die Bank kommt im Mai.",
            answer_unit => "Grünflächenamt",
            concern_link => "https://quartier.example/concerns/1",
            room_name => "Kleiner <Saal>",
            room_purpose => "Geburtstag",
            room_status => "declined",
            room_note => "Schon vergeben.",
            room_dates => 3,
            help_summary => "Begleitung <zum> Arzt",
            help_category => "Begleitung",
            help_centre => "Bürgerhaus <Nord>",
            help_message => "Passt <Dienstag> um 10?",
            help_sender => "helper",
            help_status => "matched",
            help_role => "helper",
            project_title => "Hoffest <im Block 7>",
            fund_title => "Verfügungsfonds Nordstadt 2027",
            application_status => "approved",
            granted => "400,00 €",
            requested => "450,00 €",
            spent => "355,50 €",
            decline_reason => "Außerhalb des Quartiers.",
            unsubscribe_link => "https://app.example.org/unsubscribe?token=t",
            operator_name => "Nachbarschaft <Hilfe> e. V.",
            role => "coordinator",
            holds_place => true,
            hold_minutes => 30,
            answer_by => "Sonntag, 10. Dezember 2026, 15:00 Uhr",
            help_wanted => vec![minijinja::context! {
                title => "Tafel <Ausgabe>", when => "Montag, 14. Dezember 2026, 10:00–12:00 Uhr",
                centre => "Bürgerhaus", count => 2, link => "https://app.example.org/shifts/1",
            }],
            late_cancellations => Vec::<Value>::new(),
            short_shifts => vec![minijinja::context! {
                title => "Tafel <Ausgabe>", when => "Montag, 14. Dezember 2026, 10:00–12:00 Uhr",
                centre => "Bürgerhaus", count => 1, link => "https://app.example.org/shifts/1",
            }],
        }
    }

    #[test]
    fn every_kind_renders_in_every_language() {
        let templates = Templates::load().expect("templates load");
        for kind in Kind::ALL {
            for language in MailLanguage::ALL {
                let mail = templates
                    .render(kind, language, &context())
                    .unwrap_or_else(|e| panic!("{kind:?} in {language:?}: {e:#}"));
                assert!(!mail.subject.is_empty() && !mail.subject.contains('\n'));
                // An invitation goes to an address, not to a named account: its operator's
                // name shows the escaping instead.
                let (plain, escaped) = if kind == Kind::StaffInvitation {
                    (
                        "Nachbarschaft <Hilfe> e. V.",
                        "Nachbarschaft &lt;Hilfe&gt; e. V.",
                    )
                } else {
                    ("Ayşe <Yılmaz> & Co", "Ayşe &lt;Yılmaz&gt; &amp; Co")
                };
                assert!(mail.text.contains(plain), "{kind:?}: text is not escaped");
                assert!(
                    mail.html.contains(escaped),
                    "{kind:?}: the name is escaped in HTML"
                );
                assert!(!mail.html.contains("<img"), "no pixels");
                assert!(mail.html.contains(&format!("lang=\"{}\"", language.tag())));
            }
        }
    }

    #[test]
    fn a_missing_value_is_an_error_not_an_empty_text() {
        let templates = Templates::load().expect("templates load");
        let error = templates
            .render(
                Kind::PasswordReset,
                MailLanguage::German,
                &minijinja::context! { name => "Anna" },
            )
            .expect_err("no link");
        assert!(error.to_string().contains("undefined"), "{error}");
    }
}
