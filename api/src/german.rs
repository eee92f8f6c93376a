//! German versions of what problems tell people: the `detail` of each kind of failure and the
//! `message` of each invalid field. Problem types keep their `type`, `status` and field names
//! in every language; only the texts change.
//!
//! Each entry pairs an English text as the API writes it with its German version. Texts that
//! carry values (`must be at most 200 characters`) are patterns, with holes in the English
//! text:
//! - `{}` one word (no white space), such as a number, an id or a field name, taken as is;
//! - `{*}` any text taken as is, such as a list of codes or a quoted value;
//! - `{de}` one of the API's own texts, put into German as well;
//! - `{en}` English from elsewhere (a library's message), taken as is.
//!
//! The German version names the holes in order as `{0}`, `{1}` … Any other brace is text.

use serde_json::Value;

/// A text in German. `whole` is false when part of it stays English (a library's message
/// quoted in it), so that the answer can say both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct German {
    pub text: String,
    pub whole: bool,
}

/// The language a problem document is served in, for `Content-Language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemLanguage {
    English,
    German,
    /// German where a German version exists, English elsewhere.
    GermanAndEnglish,
}

impl ProblemLanguage {
    /// The value of `Content-Language`.
    pub fn content_language(self) -> &'static str {
        match self {
            ProblemLanguage::English => "en",
            ProblemLanguage::German => "de",
            ProblemLanguage::GermanAndEnglish => "de, en",
        }
    }
}

/// The German version of `english`, a detail or field message the API writes; `None` when
/// it has none.
pub fn german(english: &str) -> Option<German> {
    TEXTS
        .iter()
        .find_map(|(pattern, german)| fill(pattern, german, english))
}

/// Puts the texts of a problem document into German where they have a German version: the
/// title (from the catalogue of problem types), the detail and each field's message. `None`
/// when `problem` is not a problem document or nothing in it has a German version; it is then
/// left as it was.
pub fn problem_into_german(problem: &mut Value) -> Option<ProblemLanguage> {
    let kind = problem.get("type")?.as_str()?.to_owned();
    let mut tally = Tally::default();
    let title = match crate::problems::find_uri(&kind) {
        Some(kind) => Some(German {
            text: kind.title_de.to_owned(),
            whole: true,
        }),
        None => problem
            .get("title")
            .and_then(Value::as_str)
            .and_then(german),
    };
    let detail_lists_fields =
        problem.get("detail").and_then(Value::as_str) == field_summary(problem).as_deref();
    let mut texts = Vec::new();
    if let Some(messages) = problem.get("errors").and_then(Value::as_array) {
        for error in messages {
            let message = error.get("message").and_then(Value::as_str);
            texts.push(tally.count(message.and_then(german)));
        }
    }
    let detail = if detail_lists_fields {
        None
    } else {
        tally.count(
            problem
                .get("detail")
                .and_then(Value::as_str)
                .and_then(german),
        )
    };
    let title = tally.count(title);
    let language = tally.language()?;
    if let Some(title) = title {
        problem["title"] = Value::String(title);
    }
    if let Some(Value::Array(errors)) = problem.get_mut("errors") {
        for (error, text) in errors.iter_mut().zip(texts) {
            if let Some(text) = text {
                error["message"] = Value::String(text);
            }
        }
    }
    if let Some(detail) = detail {
        problem["detail"] = Value::String(detail);
    } else if detail_lists_fields && let Some(summary) = field_summary(problem) {
        problem["detail"] = Value::String(summary);
    }
    Some(language)
}

/// A validation problem's detail as the API writes it: each field with its message
/// (`title: must not be empty; q: …`); `None` without fields.
fn field_summary(problem: &Value) -> Option<String> {
    let errors = problem.get("errors")?.as_array()?;
    let parts: Vec<String> = errors
        .iter()
        .map(|e| {
            let text = |key: &str| e.get(key).and_then(Value::as_str).unwrap_or_default();
            format!("{}: {}", text("field"), text("message"))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// How many texts of a problem are German and how many stay English.
#[derive(Debug, Default)]
struct Tally {
    german: usize,
    english: usize,
}

impl Tally {
    /// Counts one text by its German version (`None`: it stays English); the German text.
    fn count(&mut self, german: Option<German>) -> Option<String> {
        match german {
            Some(german) => {
                self.german += 1;
                if !german.whole {
                    self.english += 1;
                }
                Some(german.text)
            }
            None => {
                self.english += 1;
                None
            }
        }
    }

    /// The language of the whole document; `None` when nothing is German.
    fn language(&self) -> Option<ProblemLanguage> {
        match (self.german, self.english) {
            (0, _) => None,
            (_, 0) => Some(ProblemLanguage::German),
            _ => Some(ProblemLanguage::GermanAndEnglish),
        }
    }
}

/// A hole in an English pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hole {
    Word,
    Any,
    Ours,
    Theirs,
}

impl Hole {
    /// Whether `value` may stand in this hole.
    fn admits(self, value: &str) -> bool {
        !value.is_empty() && (self != Hole::Word || !value.contains(char::is_whitespace))
    }
}

/// A piece of an English pattern: text to match, or a hole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Hole(Hole),
}

const HOLES: [(&str, Hole); 4] = [
    ("{}", Hole::Word),
    ("{*}", Hole::Any),
    ("{de}", Hole::Ours),
    ("{en}", Hole::Theirs),
];

/// `pattern` cut into text and holes.
fn pieces(pattern: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let (mut start, mut at) = (0, 0);
    while let Some(offset) = pattern[at..].find('{') {
        let brace = at + offset;
        match HOLES
            .iter()
            .find(|(token, _)| pattern[brace..].starts_with(token))
        {
            Some((token, hole)) => {
                if start < brace {
                    out.push(Piece::Text(&pattern[start..brace]));
                }
                out.push(Piece::Hole(*hole));
                start = brace + token.len();
                at = start;
            }
            None => at = brace + 1,
        }
    }
    if start < pattern.len() {
        out.push(Piece::Text(&pattern[start..]));
    }
    out
}

/// The German version of `text` if it matches `pattern`, with the holes of `german` filled.
fn fill(pattern: &str, german: &str, text: &str) -> Option<German> {
    if !pattern.contains('{') {
        return (pattern == text).then(|| German {
            text: german.to_owned(),
            whole: true,
        });
    }
    let pieces = pieces(pattern);
    let mut values = Vec::new();
    if !matches(&pieces, text, &mut values) {
        return None;
    }
    Some(put_in(german, &values))
}

/// Whether `text` matches `pieces`, collecting what stands in each hole.
fn matches<'t>(pieces: &[Piece<'_>], text: &'t str, values: &mut Vec<(Hole, &'t str)>) -> bool {
    match pieces.split_first() {
        None => text.is_empty(),
        Some((Piece::Text(expected), rest)) => text
            .strip_prefix(expected)
            .is_some_and(|after| matches(rest, after, values)),
        Some((Piece::Hole(hole), rest)) => hole_ends(rest, text).into_iter().any(|end| {
            let value = &text[..end];
            if !hole.admits(value) {
                return false;
            }
            values.push((*hole, value));
            let found = matches(rest, &text[end..], values);
            if !found {
                values.pop();
            }
            found
        }),
    }
}

/// Where a hole in `text` may end, given the pieces after it: before each place the next
/// text occurs, or at the end when the hole is last.
fn hole_ends(rest: &[Piece<'_>], text: &str) -> Vec<usize> {
    match rest.first() {
        None => vec![text.len()],
        Some(Piece::Text(next)) => text.match_indices(next).map(|(i, _)| i).collect(),
        Some(Piece::Hole(_)) => text.char_indices().map(|(i, _)| i).skip(1).collect(),
    }
}

/// `german` with `{0}`, `{1}` … replaced by the values of the holes, own texts in German.
fn put_in(german: &str, values: &[(Hole, &str)]) -> German {
    let mut out = String::with_capacity(german.len() + 16);
    let mut whole = true;
    let mut rest = german;
    while let Some(brace) = rest.find('{') {
        out.push_str(&rest[..brace]);
        let after = &rest[brace + 1..];
        match hole_number(after).and_then(|(i, len)| values.get(i).map(|v| (*v, len))) {
            Some(((hole, value), len)) => {
                let (text, is_german) = hole_text(hole, value);
                out.push_str(&text);
                whole &= is_german;
                rest = &after[len + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    German { text: out, whole }
}

/// The number of a hole in a German text (`3}` after the `{`) and how many digits it has.
fn hole_number(after_brace: &str) -> Option<(usize, usize)> {
    let digits = &after_brace[..after_brace.find('}')?];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, digits.len()))
}

/// What a hole's value becomes in German, and whether it is German (or neutral).
fn hole_text(hole: Hole, value: &str) -> (String, bool) {
    match hole {
        Hole::Word | Hole::Any => (value.to_owned(), true),
        Hole::Theirs => (value.to_owned(), false),
        Hole::Ours => match german(value) {
            Some(german) => (german.text, german.whole),
            None => (value.to_owned(), false),
        },
    }
}

/// Every text with its German version; the first that matches wins, so narrower patterns
/// come before wider ones.
const TEXTS: &[(&str, &str)] = &[
    // Details of the kinds of failure themselves.
    (
        "The e-mail address and password do not match an account.",
        "E-Mail-Adresse und Passwort passen zu keinem Konto.",
    ),
    (
        "The refresh token is unknown, expired or revoked. Sign in again.",
        "Das Refresh-Token ist unbekannt, abgelaufen oder widerrufen. Bitte melden Sie sich erneut an.",
    ),
    (
        "The current password is not correct.",
        "Das aktuelle Passwort ist nicht richtig.",
    ),
    ("This resource allows {*}.", "Diese Ressource erlaubt {0}."),
    (
        "An account with this e-mail address exists. Sign in, or use another address.",
        "Es gibt schon ein Konto mit dieser E-Mail-Adresse. Bitte melden Sie sich an oder nutzen Sie eine andere Adresse.",
    ),
    (
        "The resource was changed since you read it. Fetch it again and retry with its new ETag.",
        "Die Ressource wurde geändert, seit Sie sie gelesen haben. Bitte rufen Sie sie erneut ab und versuchen Sie es mit ihrem neuen ETag noch einmal.",
    ),
    (
        "The request body is larger than {} bytes.",
        "Der Inhalt der Anfrage ist größer als {0} Byte.",
    ),
    (
        "Send the body as application/json.",
        "Bitte senden Sie den Inhalt als application/json.",
    ),
    (
        "Send If-Match with the ETag of the version you are changing.",
        "Bitte senden Sie If-Match mit dem ETag der Version, die Sie ändern.",
    ),
    (
        "Quartier cannot serve this request right now. Retry in a few seconds.",
        "Quartier kann diese Anfrage gerade nicht bearbeiten. Bitte versuchen Sie es in ein paar Sekunden erneut.",
    ),
    (
        "Something went wrong on our side. It has been logged.",
        "Bei uns ist etwas schiefgegangen. Der Fehler wurde protokolliert.",
    ),
    (
        "There is nothing at this address.",
        "Unter dieser Adresse gibt es nichts.",
    ),
    ("No such resource.", "Diese Ressource gibt es nicht."),
    // Statuses answered outside any handler, as title and detail.
    ("Bad Request", "Ungültige Anfrage"),
    ("Unauthorized", "Nicht angemeldet"),
    ("Forbidden", "Nicht erlaubt"),
    ("Not Found", "Nicht gefunden"),
    ("Method Not Allowed", "Methode nicht erlaubt"),
    ("Not Acceptable", "Nicht annehmbar"),
    ("Request Timeout", "Zeitüberschreitung der Anfrage"),
    ("Conflict", "Konflikt"),
    ("Length Required", "Länge nötig"),
    ("Precondition Failed", "Vorbedingung nicht erfüllt"),
    ("Payload Too Large", "Anfrage zu groß"),
    ("URI Too Long", "Adresse zu lang"),
    ("Unsupported Media Type", "Medientyp nicht unterstützt"),
    ("Unprocessable Entity", "Nicht verarbeitbar"),
    ("Too Many Requests", "Zu viele Anfragen"),
    (
        "Request Header Fields Too Large",
        "Kopfzeilen der Anfrage zu groß",
    ),
    ("Internal Server Error", "Interner Fehler"),
    ("Service Unavailable", "Dienst nicht verfügbar"),
    // Nothing with this id.
    ("No activity has this id.", "Kein Angebot hat diese ID."),
    ("No centre has this id.", "Kein Zentrum hat diese ID."),
    ("No district has this id.", "Kein Stadtteil hat diese ID."),
    ("No concern has this id.", "Kein Anliegen hat diese ID."),
    ("No partner has this id.", "Kein Partner hat diese ID."),
    ("No network has this id.", "Kein Netzwerk hat diese ID."),
    (
        "must be member when asking to join: those who keep the network give other roles",
        "muss beim Beitrittswunsch member sein: andere Rollen vergibt, wer das Netzwerk führt",
    ),
    (
        "is given by the path here: ask for the queue of the district inside it",
        "ist hier durch den Pfad gegeben: fragen Sie nach der Liste des Stadtteils darin",
    ),
    ("No account has this id.", "Kein Konto hat diese ID."),
    (
        "This account is not in the core team.",
        "Dieses Konto gehört nicht zum Kernteam.",
    ),
    (
        "Only administrators and the core team see the core team.",
        "Nur Administratorinnen und Administratoren und das Kernteam sehen das Kernteam.",
    ),
    (
        "Only administrators and the core team looking after this district read its queue.",
        "Nur Administratorinnen und Administratoren und das Kernteam dieses Stadtteils lesen seine Liste.",
    ),
    (
        "must name 1 to 50 districts for a district manager",
        "muss für ein Quartiersmanagement 1 bis 50 Stadtteile nennen",
    ),
    (
        "must be absent for the town's coordinator, who looks after every district",
        "muss für die Quartierskoordination fehlen, die alle Stadtteile betreut",
    ),
    (
        "No membership of this network has this id.",
        "Keine Mitgliedschaft dieses Netzwerks hat diese ID.",
    ),
    (
        "Only administrators invite; partners ask through their admins, persons for themselves.",
        "Nur Administratorinnen und Administratoren laden ein; Partner fragen über ihre Admins an, Personen für sich selbst.",
    ),
    (
        "give exactly one of partner_id and user_id",
        "geben Sie genau eines von partner_id und user_id an",
    ),
    (
        "Another network has this name.",
        "Ein anderes Netzwerk hat diesen Namen.",
    ),
    (
        "This member is invited, asked or active in this network already.",
        "Dieses Mitglied ist in diesem Netzwerk schon eingeladen, angefragt oder aktiv.",
    ),
    (
        "A membership that is {} cannot become {} from this side.",
        "Eine Mitgliedschaft im Stand {0} kann von dieser Seite aus nicht {1} werden.",
    ),
    (
        "Only the operator answering a concern hands it on.",
        "Nur der Träger, der ein Anliegen beantwortet, gibt es weiter.",
    ),
    (
        "This account is not staff of this partner.",
        "Dieses Konto gehört nicht zu den Mitarbeitenden dieses Partners.",
    ),
    (
        "Only administrators and this partner's staff may do this.",
        "Nur Administratorinnen und Administratoren und die Mitarbeitenden dieses Partners dürfen das.",
    ),
    (
        "Only administrators, this partner's staff and, for changes, those who speak for it (its partner admins, the operator admins of the operator it is) may do this.",
        "Nur Administratorinnen und Administratoren, die Mitarbeitenden dieses Partners und, für Änderungen, wer für ihn spricht (seine Partner-Admins, die Träger-Admins des Trägers, der er ist), dürfen das.",
    ),
    (
        "Only administrators change a partner's name, kind, operator and external id.",
        "Name, Art, Träger und externe ID eines Partners ändern nur Administratorinnen und Administratoren.",
    ),
    (
        "Only administrators and those who speak for this partner (its partner admins, the operator admins of the operator it is) change it.",
        "Nur Administratorinnen und Administratoren und wer für diesen Partner spricht (seine Partner-Admins, die Träger-Admins des Trägers, der er ist), ändern ihn.",
    ),
    (
        "Only those who answer a concern reach its author.",
        "Nur wer ein Anliegen beantwortet, erreicht seine Verfasserin oder seinen Verfasser.",
    ),
    (
        "This concern has no author account to reach.",
        "Dieses Anliegen hat kein Konto, über das seine Verfasserin oder sein Verfasser erreichbar ist.",
    ),
    (
        "This partner is no operator: no API key acts for it.",
        "Dieser Partner ist kein Träger: Kein API-Schlüssel handelt für ihn.",
    ),
    (
        "must be between 1 and 100000",
        "muss zwischen 1 und 100000 liegen",
    ),
    (
        "must be between 1 and 200",
        "muss zwischen 1 und 200 liegen",
    ),
    (
        "must not be given with refer_to",
        "darf nicht mit refer_to zusammen angegeben werden",
    ),
    (
        "is not the id of a partner",
        "ist nicht die ID eines Partners",
    ),
    (
        "is not the address of an account",
        "ist nicht die Adresse eines Kontos",
    ),
    (
        "Another partner has this external id.",
        "Ein anderer Partner hat diese externe ID.",
    ),
    (
        "is another partner's operator already",
        "ist schon der Träger eines anderen Partners",
    ),
    (
        "names a district that does not exist",
        "nennt einen Stadtteil, den es nicht gibt",
    ),
    (
        "must be at most 100 districts",
        "dürfen höchstens 100 Stadtteile sein",
    ),
    (
        "must be at most {} topics",
        "dürfen höchstens {0} Themen sein",
    ),
    (
        "No outcome of this concern has this id.",
        "Kein Ergebnis dieses Anliegens hat diese ID.",
    ),
    (
        "Only those who answer a concern link what came of it.",
        "Nur wer ein Anliegen beantwortet, verknüpft, was daraus wurde.",
    ),
    (
        "This is linked to the concern already.",
        "Das ist schon mit dem Anliegen verknüpft.",
    ),
    (
        "No published concern has this id.",
        "Kein veröffentlichtes Anliegen hat diese ID.",
    ),
    (
        "must be an ISO 8601 date, or date and time with offset, between the years 2000 and 2100",
        "muss ein Datum nach ISO 8601 sein, oder Datum und Uhrzeit mit Zeitzonenversatz, zwischen den Jahren 2000 und 2100",
    ),
    (
        "must be up to 100 ids separated by commas",
        "müssen bis zu 100 IDs sein, durch Kommas getrennt",
    ),
    (
        "must be open, closed or open,closed",
        "muss open, closed oder open,closed sein",
    ),
    (
        "No answer to this concern has this id.",
        "Keine Antwort auf dieses Anliegen hat diese ID.",
    ),
    (
        "This answer is published; a published answer never changes. Write another one.",
        "Diese Antwort ist veröffentlicht; eine veröffentlichte Antwort ändert sich nie. Schreiben Sie eine weitere.",
    ),
    (
        "Only those who answer a concern write answers to it.",
        "Nur wer ein Anliegen beantwortet, schreibt Antworten darauf.",
    ),
    (
        "Another category has this name.",
        "Eine andere Kategorie hat diesen Namen.",
    ),
    (
        "Only its author withdraws a concern.",
        "Nur wer ein Anliegen eingebracht hat, zieht es zurück.",
    ),
    (
        "Only those who answer a concern move it on.",
        "Nur wer ein Anliegen beantwortet, bringt es weiter.",
    ),
    (
        "An operator's system writes down only concerns told to its staff: give the channel they came by.",
        "Das System eines Trägers schreibt nur Anliegen auf, die seinen Mitarbeitenden erzählt wurden: Geben Sie den Weg an, auf dem sie kamen.",
    ),
    (
        "Only those who answer concerns of this category (coordinators limited to some centres: about one of those) write down concerns told to them.",
        "Nur wer Anliegen dieser Kategorie beantwortet (auf einige Einrichtungen beschränkte Koordination: zu einer davon), schreibt Anliegen auf, die ihm erzählt wurden.",
    ),
    (
        "A concern that is {} cannot become {}.",
        "Ein Anliegen im Stand {0} kann nicht {1} werden.",
    ),
    (
        "The concern is {}: it can be supported only from its publication until it is closed.",
        "Das Anliegen ist {0}: Unterstützen geht nur von seiner Veröffentlichung bis zu seinem Abschluss.",
    ),
    ("No occurrence has this id.", "Kein Termin hat diese ID."),
    ("No operator has this id.", "Kein Träger hat diese ID."),
    ("No profile has this id.", "Kein Profil hat diese ID."),
    ("No resource has this id.", "Keine Ressource hat diese ID."),
    ("No shift has this id.", "Keine Schicht hat diese ID."),
    ("No sign-up has this id.", "Keine Anmeldung hat diese ID."),
    (
        "No qualification type has this id.",
        "Keine Qualifikationsart hat diese ID.",
    ),
    (
        "No concern category has this id.",
        "Keine Kategorie von Anliegen hat diese ID.",
    ),
    (
        "No calendar feed has this token.",
        "Kein Kalender-Abo hat dieses Token.",
    ),
    (
        "None of your sign-ups has this id.",
        "Keine Ihrer Anmeldungen hat diese ID.",
    ),
    ("You have no calendar feed.", "Sie haben kein Kalender-Abo."),
    (
        "You have no notification with this id.",
        "Sie haben keine Benachrichtigung mit dieser ID.",
    ),
    (
        "You have no qualification with this id.",
        "Sie haben keine Qualifikation mit dieser ID.",
    ),
    (
        "You do not help an operator with this id.",
        "Sie helfen keinem Träger mit dieser ID.",
    ),
    (
        "This operator has no API key with this id.",
        "Dieser Träger hat keinen API-Schlüssel mit dieser ID.",
    ),
    (
        "This operator has no verification with this id.",
        "Dieser Träger hat keine Prüfung mit dieser ID.",
    ),
    (
        "This operator has no webhook subscription with this id.",
        "Dieser Träger hat kein Webhook-Abonnement mit dieser ID.",
    ),
    (
        "The operator has no open invitation with this id.",
        "Der Träger hat keine offene Einladung mit dieser ID.",
    ),
    (
        "This account is not staff of the operator.",
        "Dieses Konto gehört nicht zu den Mitarbeitenden des Trägers.",
    ),
    (
        "This operator does not trust that one.",
        "Dieser Träger vertraut jenem nicht.",
    ),
    (
        "There is no variant in {}.",
        "Es gibt keine Sprachfassung in {0}.",
    ),
    // Who may do what.
    (
        "API keys cannot be used here: this operation is for signed-in people.",
        "API-Schlüssel gelten hier nicht: Diese Operation ist angemeldeten Personen vorbehalten.",
    ),
    (
        "Only administrators may do this.",
        "Das dürfen nur Administratorinnen und Administratoren.",
    ),
    (
        "This operator is deactivated: its staff can change nothing.",
        "Dieser Träger ist deaktiviert: Seine Mitarbeitenden können nichts ändern.",
    ),
    (
        "You coordinate other centres of this operator, not this one.",
        "Sie koordinieren andere Zentren dieses Trägers, nicht dieses.",
    ),
    (
        "Only administrators and staff of this operator with the role {} may do this.",
        "Das dürfen nur Administratorinnen und Administratoren sowie Mitarbeitende dieses Trägers mit der Rolle {0}.",
    ),
    (
        "This API key acts for another operator.",
        "Dieser API-Schlüssel handelt für einen anderen Träger.",
    ),
    (
        "This API key lacks the scope {}.",
        "Diesem API-Schlüssel fehlt der Geltungsbereich {0}.",
    ),
    (
        "This operator is deactivated: its keys can change nothing.",
        "Dieser Träger ist deaktiviert: Seine Schlüssel können nichts ändern.",
    ),
    (
        "Every variant is shown to staff of the operator only.",
        "Alle Sprachfassungen sehen nur Mitarbeitende des Trägers.",
    ),
    (
        "Every variant is shown to those who answer the concern only.",
        "Alle Sprachfassungen sehen nur die, die das Anliegen beantworten.",
    ),
    (
        "Only those who answer a concern write it in other languages.",
        "Nur wer ein Anliegen beantwortet, schreibt es in anderen Sprachen.",
    ),
    (
        "A category's name is changed by administrators, and by operator admins of the operator answering it.",
        "Den Namen einer Kategorie ändern Administratoren und die Träger-Admins des Trägers, der sie beantwortet.",
    ),
    (
        "This invitation was mailed to another address than your account's.",
        "Diese Einladung ging an eine andere Adresse als die Ihres Kontos.",
    ),
    (
        "Operator admins invite staff (POST /api/v1/operators/{id}/invitations); only administrators add an account directly.",
        "Träger-Admins laden Mitarbeitende ein (POST /api/v1/operators/{id}/invitations); nur Administratorinnen und Administratoren fügen ein Konto direkt hinzu.",
    ),
    (
        "Only administrators change an operator's status.",
        "Nur Administratorinnen und Administratoren ändern den Status eines Trägers.",
    ),
    (
        "The catalogue's names are changed by administrators only.",
        "Die Namen des Katalogs ändern nur Administratorinnen und Administratoren.",
    ),
    // Signing in, tokens and keys.
    (
        "Sign in and send the access token as Authorization: Bearer <token>.",
        "Bitte melden Sie sich an und senden Sie das Zugriffstoken als Authorization: Bearer <token>.",
    ),
    (
        "The access token is invalid or has expired. Refresh it or sign in again.",
        "Das Zugriffstoken ist ungültig oder abgelaufen. Bitte erneuern Sie es oder melden Sie sich erneut an.",
    ),
    (
        "The API key is not valid.",
        "Der API-Schlüssel ist ungültig.",
    ),
    (
        "Send one credential: an access token or an API key, not both.",
        "Bitte senden Sie nur einen Nachweis: ein Zugriffstoken oder einen API-Schlüssel, nicht beides.",
    ),
    (
        "This API key was revoked.",
        "Dieser API-Schlüssel wurde widerrufen.",
    ),
    (
        "This API key has expired.",
        "Dieser API-Schlüssel ist abgelaufen.",
    ),
    (
        "Send the token of the link Quartier mailed you as X-Guest-Token (ask for one at POST /guest/links).",
        "Bitte senden Sie das Token aus dem Link, den Quartier Ihnen gemailt hat, als X-Guest-Token (einen Link können Sie über POST /guest/links anfordern).",
    ),
    (
        "The guest token is not valid.",
        "Das Gast-Token ist ungültig.",
    ),
    (
        "The guest link is unknown, replaced or expired: ask for a new one at POST /guest/links.",
        "Der Gast-Link ist unbekannt, ersetzt oder abgelaufen: Bitte fordern Sie über POST /guest/links einen neuen an.",
    ),
    ("This guest is gone.", "Diesen Gast gibt es nicht mehr."),
    (
        "The account of this token no longer exists.",
        "Das Konto dieses Tokens gibt es nicht mehr.",
    ),
    (
        "This token names a role the account no longer has: sign in again.",
        "Dieses Token nennt eine Rolle, die das Konto nicht mehr hat: Bitte melden Sie sich erneut an.",
    ),
    (
        "The password of this account changed since this token was issued: sign in again.",
        "Das Passwort dieses Kontos wurde geändert, seit dieses Token ausgestellt wurde: Bitte melden Sie sich erneut an.",
    ),
    (
        "Send the configured QUARTIER_BOUNCE_TOKEN as X-Bounce-Token.",
        "Bitte senden Sie das eingestellte QUARTIER_BOUNCE_TOKEN als X-Bounce-Token.",
    ),
    (
        "Sign in to find the shifts you may take.",
        "Bitte melden Sie sich an, um die Schichten zu finden, die Sie übernehmen können.",
    ),
    (
        "This link is unknown, was used already, was replaced by a newer one, or has expired. Ask for a new one.",
        "Dieser Link ist unbekannt, wurde schon benutzt, durch einen neueren ersetzt oder ist abgelaufen. Bitte fordern Sie einen neuen an.",
    ),
    // Too many requests.
    (
        "Too many requests from this address without sign-in: wait until Retry-After, or sign in.",
        "Zu viele Anfragen ohne Anmeldung von dieser Adresse: Bitte warten Sie bis Retry-After oder melden Sie sich an.",
    ),
    (
        "Too many searches without sign-in at the moment: retry after Retry-After, or sign in.",
        "Gerade gibt es zu viele Suchen ohne Anmeldung: Bitte versuchen Sie es nach Retry-After erneut oder melden Sie sich an.",
    ),
    (
        "Too many attempts from this address: wait until Retry-After.",
        "Zu viele Versuche von dieser Adresse: Bitte warten Sie bis Retry-After.",
    ),
    (
        "Too many attempts for this account: wait until Retry-After.",
        "Zu viele Versuche für dieses Konto: Bitte warten Sie bis Retry-After.",
    ),
    (
        "Too many failed sign-ins for this account from this address: wait until Retry-After, then try again.",
        "Zu viele fehlgeschlagene Anmeldungen für dieses Konto von dieser Adresse: Bitte warten Sie bis Retry-After und versuchen Sie es dann erneut.",
    ),
    (
        "Too many failed sign-ins for this account: wait until Retry-After, then try again.",
        "Zu viele fehlgeschlagene Anmeldungen für dieses Konto: Bitte warten Sie bis Retry-After und versuchen Sie es dann erneut.",
    ),
    (
        "Too many requests from this account or API key: wait until Retry-After.",
        "Zu viele Anfragen von diesem Konto oder API-Schlüssel: Bitte warten Sie bis Retry-After.",
    ),
    (
        "Too many registrations from this address: wait until Retry-After.",
        "Zu viele Registrierungen von dieser Adresse: Bitte warten Sie bis Retry-After.",
    ),
    // Conflicts with what is stored.
    (
        "Another activity of this operator has this external id.",
        "Ein anderes Angebot dieses Trägers hat diese externe ID.",
    ),
    (
        "Another shift of this operator has this external id.",
        "Eine andere Schicht dieses Trägers hat diese externe ID.",
    ),
    (
        "Another occurrence of this operator has this external id.",
        "Ein anderer Termin dieses Trägers hat diese externe ID.",
    ),
    (
        "Another request created an object with one of these external ids meanwhile: nothing was imported; send the import again.",
        "Eine andere Anfrage hat inzwischen ein Objekt mit einer dieser externen IDs angelegt: Es wurde nichts importiert; bitte senden Sie den Import erneut.",
    ),
    (
        "Another district has this slug. Choose another one.",
        "Ein anderer Stadtteil hat diesen Kurznamen. Bitte wählen Sie einen anderen.",
    ),
    (
        "Other districts or centres lie in this one. Move or delete them first.",
        "In diesem Stadtteil liegen andere Stadtteile oder Zentren. Bitte verschieben oder löschen Sie diese zuerst.",
    ),
    ("This shift is cancelled.", "Diese Schicht ist abgesagt."),
    (
        "This shift has begun or is over.",
        "Diese Schicht hat begonnen oder ist vorbei.",
    ),
    (
        "The shift has begun: ask its coordinators.",
        "Die Schicht hat begonnen: Bitte wenden Sie sich an ihre Koordinatorinnen und Koordinatoren.",
    ),
    (
        "The shift is over: record attendance instead.",
        "Die Schicht ist vorbei: Bitte erfassen Sie stattdessen die Anwesenheit.",
    ),
    (
        "Check-in opens two hours before the shift.",
        "Das Einchecken ist ab zwei Stunden vor der Schicht möglich.",
    ),
    (
        "Attendance can be recorded once the shift has begun.",
        "Die Anwesenheit kann erfasst werden, sobald die Schicht begonnen hat.",
    ),
    (
        "Only confirmed volunteers can be checked in or marked.",
        "Nur bestätigte Ehrenamtliche können eingecheckt oder markiert werden.",
    ),
    (
        "Guests cannot sign up for this shift: sign in with an account.",
        "Gäste können sich für diese Schicht nicht anmelden: Bitte melden Sie sich mit einem Konto an.",
    ),
    (
        "This shift needs a qualification that staff check in person: sign in with an account.",
        "Diese Schicht verlangt eine Qualifikation, die Mitarbeitende persönlich prüfen: Bitte melden Sie sich mit einem Konto an.",
    ),
    (
        "This shift needs a qualification that staff check for an account.",
        "Diese Schicht verlangt eine Qualifikation, die Mitarbeitende für ein Konto prüfen.",
    ),
    (
        "No place is free on this shift.",
        "In dieser Schicht ist kein Platz frei.",
    ),
    (
        "This volunteer is signed up for this shift already.",
        "Diese ehrenamtliche Person ist schon für diese Schicht angemeldet.",
    ),
    (
        "This volunteer has a confirmed shift at the same time.",
        "Diese ehrenamtliche Person hat zur selben Zeit eine bestätigte Schicht.",
    ),
    (
        "At the new times a confirmed volunteer would have two shifts at once.",
        "Zu den neuen Zeiten hätte eine bestätigte ehrenamtliche Person zwei Schichten gleichzeitig.",
    ),
    (
        "{} volunteers are confirmed: name {} of their sign-ups in move_to_waitlist.",
        "{0} Ehrenamtliche sind bestätigt: Bitte nennen Sie {1} ihrer Anmeldungen in move_to_waitlist.",
    ),
    (
        "This shift needs, inspected and valid on its day: {*}.",
        "Diese Schicht verlangt, geprüft und am Tag der Schicht gültig: {0}.",
    ),
    (
        "This sign-up is cancelled or over already.",
        "Diese Anmeldung ist schon abgesagt oder vorbei.",
    ),
    (
        "This account's address is verified already.",
        "Die Adresse dieses Kontos ist schon bestätigt.",
    ),
    (
        "You are the only administrator: make someone else one first.",
        "Sie sind die einzige Administratorin oder der einzige Administrator: Bitte ernennen Sie zuerst eine weitere Person.",
    ),
    (
        "This account is staff of the operator already; change its role instead.",
        "Dieses Konto gehört schon zu den Mitarbeitenden des Trägers; bitte ändern Sie stattdessen seine Rolle.",
    ),
    (
        "Verify your e-mail address first (the link Quartier mailed you), then accept the invitation.",
        "Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse (mit dem Link, den Quartier Ihnen gemailt hat) und nehmen Sie dann die Einladung an.",
    ),
    (
        "This account has not verified its e-mail address yet: staff must have shown that their address reaches them. Ask the person to use the link Quartier mailed (or to ask for a new one).",
        "Dieses Konto hat seine E-Mail-Adresse noch nicht bestätigt: Mitarbeitende müssen gezeigt haben, dass ihre Adresse sie erreicht. Bitten Sie die Person, den Link zu nutzen, den Quartier gemailt hat (oder einen neuen anzufordern).",
    ),
    (
        "This key is revoked, expired or rotated already: create a new one.",
        "Dieser Schlüssel ist schon widerrufen, abgelaufen oder ersetzt: Bitte legen Sie einen neuen an.",
    ),
    // Requests that cannot be read.
    ("Invalid query: {en}", "Ungültige Abfrage: {0}"),
    ("Invalid path: {en}", "Ungültiger Pfad: {0}"),
    (
        "Unknown query parameter `{*}`; this operation takes: none.",
        "Unbekannter Abfrageparameter `{0}`; diese Operation kennt keine Abfrageparameter.",
    ),
    (
        "Unknown query parameter `{*}`; this operation takes: {*}.",
        "Unbekannter Abfrageparameter `{0}`; diese Operation kennt: {1}.",
    ),
    (
        "The body could not be read: {en}",
        "Der Inhalt der Anfrage konnte nicht gelesen werden: {0}",
    ),
    (
        "The body is not valid JSON: {en}",
        "Der Inhalt ist kein gültiges JSON: {0}",
    ),
    (
        "The language parameters do not parse: {en}",
        "Die Sprachparameter sind nicht lesbar: {0}",
    ),
    (
        "The file is not UTF-8 (first bad byte at {}): save it as \"CSV UTF-8\".",
        "Die Datei ist nicht in UTF-8 (erstes ungültiges Byte an Stelle {0}): Bitte speichern Sie sie als \"CSV UTF-8\".",
    ),
    (
        "The header line cannot be read: {en}",
        "Die Kopfzeile ist nicht lesbar: {0}",
    ),
    (
        "Unknown column {*}; the columns are: {*}.",
        "Unbekannte Spalte {0}; die Spalten sind: {1}.",
    ),
    ("Missing columns: {*}.", "Fehlende Spalten: {0}."),
    (
        "The file cannot be read: {en}",
        "Die Datei ist nicht lesbar: {0}",
    ),
    (
        "The file holds more than {} lines: split the import.",
        "Die Datei hat mehr als {0} Zeilen: Bitte teilen Sie den Import auf.",
    ),
    (
        "{} problem(s); nothing was imported. Each names its line (row) and field. The first {} are listed.",
        "{0} Problem(e); es wurde nichts importiert. Jedes nennt seine Zeile (row) und sein Feld. Die ersten {1} sind aufgeführt.",
    ),
    (
        "{} problem(s); nothing was imported. Each names its line (row) and field.",
        "{0} Problem(e); es wurde nichts importiert. Jedes nennt seine Zeile (row) und sein Feld.",
    ),
    ("line {}: {de}", "Zeile {0}: {1}"),
    // Messages of JSON fields that do not fit, as serde words them.
    ("missing field `{*}`", "Pflichtfeld `{0}` fehlt"),
    ("duplicate field `{*}`", "Feld `{0}` kommt doppelt vor"),
    (
        "unknown field `{*}`, there are no fields",
        "unbekanntes Feld `{0}`; hier gibt es keine Felder",
    ),
    (
        "unknown field `{*}`, expected one of {*}",
        "unbekanntes Feld `{0}`; erwartet wird eines von {1}",
    ),
    (
        "unknown field `{*}`, expected `{*}` or `{*}`",
        "unbekanntes Feld `{0}`; erwartet wird `{1}` oder `{2}`",
    ),
    (
        "unknown field `{*}`, expected {*}",
        "unbekanntes Feld `{0}`; erwartet wird {1}",
    ),
    (
        "unknown variant `{*}`, there are no variants",
        "unbekannter Wert `{0}`; hier gibt es keine Werte",
    ),
    (
        "unknown variant `{*}`, expected one of {*}",
        "unbekannter Wert `{0}`; erwartet wird einer von {1}",
    ),
    (
        "unknown variant `{*}`, expected `{*}` or `{*}`",
        "unbekannter Wert `{0}`; erwartet wird `{1}` oder `{2}`",
    ),
    (
        "unknown variant `{*}`, expected {*}",
        "unbekannter Wert `{0}`; erwartet wird {1}",
    ),
    (
        "invalid type: {en}, expected {en}",
        "ungültiger Typ: {0}, erwartet wird {1}",
    ),
    (
        "invalid value: {en}, expected {en}",
        "ungültiger Wert: {0}, erwartet wird {1}",
    ),
    (
        "invalid length {en}, expected {en}",
        "ungültige Länge {0}, erwartet wird {1}",
    ),
    ("{} is not a whole number", "{0} ist keine ganze Zahl"),
    ("must be 2, 24 or 48", "muss 2, 24 oder 48 sein"),
    // Field messages: lengths, ranges and counts.
    (
        "must be at most {} characters without control characters",
        "darf höchstens {0} Zeichen lang sein und keine Steuerzeichen enthalten",
    ),
    (
        "must be at most {} characters",
        "darf höchstens {0} Zeichen lang sein",
    ),
    (
        "must be at least {} characters",
        "muss mindestens {0} Zeichen lang sein",
    ),
    (
        "must be 1 to 200 visible ASCII characters",
        "muss aus 1 bis 200 sichtbaren ASCII-Zeichen bestehen",
    ),
    (
        "must be {} to {} characters",
        "muss {0} bis {1} Zeichen lang sein",
    ),
    (
        "must be at most 20 tags of at most 50 characters",
        "darf höchstens 20 Schlagwörter mit je höchstens 50 Zeichen enthalten",
    ),
    (
        "must be from 1 (Monday) to 7 (Sunday)",
        "muss zwischen 1 (Montag) und 7 (Sonntag) liegen",
    ),
    (
        "must be from {} to {} cents",
        "muss zwischen {0} und {1} Cent liegen",
    ),
    (
        "must be from {} to {} minutes",
        "muss zwischen {0} und {1} Minuten liegen",
    ),
    ("must be from {} to {}", "muss zwischen {0} und {1} liegen"),
    (
        "must lie between the years {} and {}",
        "muss zwischen den Jahren {0} und {1} liegen",
    ),
    (
        "must be between the years {} and {}",
        "muss zwischen den Jahren {0} und {1} liegen",
    ),
    (
        "must be dates between the years {} and {}",
        "müssen Daten zwischen den Jahren {0} und {1} sein",
    ),
    (
        "must be a moment between the years {} and {}",
        "muss ein Zeitpunkt zwischen den Jahren {0} und {1} sein",
    ),
    (
        "must be at most {de} after {}",
        "darf höchstens {0} nach {1} liegen",
    ),
    ("{} days", "{0} Tage"),
    ("{} hours", "{0} Stunden"),
    ("must be after {}", "muss nach {0} liegen"),
    (
        "must name at most {} types",
        "darf höchstens {0} Arten nennen",
    ),
    (
        "must name at most {} tags",
        "darf höchstens {0} Schlagwörter nennen",
    ),
    (
        "must name at most {} districts",
        "darf höchstens {0} Stadtteile nennen",
    ),
    (
        "must name at most {} centres",
        "darf höchstens {0} Zentren nennen",
    ),
    (
        "must name at most {} sign-ups",
        "darf höchstens {0} Anmeldungen nennen",
    ),
    (
        "must have at most {} entries",
        "darf höchstens {0} Einträge haben",
    ),
    (
        "must have at most 42 ranges (six a day)",
        "darf höchstens 42 Zeiträume haben (sechs am Tag)",
    ),
    (
        "must have at most {} dates",
        "darf höchstens {0} Daten haben",
    ),
    (
        "must hold at most {} dates",
        "darf höchstens {0} Daten enthalten",
    ),
    (
        "holds more than {} lines: split the import",
        "hat mehr als {0} Zeilen: Bitte teilen Sie den Import auf",
    ),
    (
        "would make more than {} occurrences at once: split the import",
        "würde mehr als {0} Termine auf einmal anlegen: Bitte teilen Sie den Import auf",
    ),
    (
        "is longer than {} characters once encoded",
        "ist kodiert länger als {0} Zeichen",
    ),
    // Field messages: texts and formats.
    ("must not be empty", "darf nicht leer sein"),
    (
        "must not be empty: leave the field out instead",
        "darf nicht leer sein: Lassen Sie das Feld stattdessen weg",
    ),
    (
        "must not contain control characters",
        "darf keine Steuerzeichen enthalten",
    ),
    (
        "must not contain control characters other than line breaks and tabs",
        "darf außer Zeilenumbrüchen und Tabulatoren keine Steuerzeichen enthalten",
    ),
    (
        "must not contain control characters or text-direction marks",
        "darf keine Steuerzeichen oder Schreibrichtungszeichen enthalten",
    ),
    (
        "must not contain spaces or control characters",
        "darf keine Leerzeichen oder Steuerzeichen enthalten",
    ),
    (
        "must contain a visible letter, digit or symbol",
        "muss einen sichtbaren Buchstaben, eine Ziffer oder ein Symbol enthalten",
    ),
    (
        "contains a character that cannot be stored, such as NUL",
        "enthält ein Zeichen, das nicht gespeichert werden kann, etwa NUL",
    ),
    (
        "must be an address like name@example.org",
        "muss eine Adresse wie name@example.org sein",
    ),
    (
        "must have a domain like example.org after the @",
        "braucht nach dem @ eine Domain wie example.org",
    ),
    (
        "must not be the e-mail address",
        "darf nicht die E-Mail-Adresse sein",
    ),
    (
        "must be a language code such as de, en or tr",
        "muss ein Sprachkürzel wie de, en oder tr sein",
    ),
    (
        "must be latitude,longitude such as 51.5136,7.4653",
        "muss Breite,Länge sein, etwa 51.5136,7.4653",
    ),
    ("must be five digits", "muss aus fünf Ziffern bestehen"),
    (
        "must be 1 to 80 lowercase letters and digits, in groups joined by single hyphens",
        "muss aus 1 bis 80 Kleinbuchstaben und Ziffern bestehen, in Gruppen, die durch einzelne Bindestriche verbunden sind",
    ),
    (
        "needs at least one letter or digit",
        "braucht mindestens einen Buchstaben oder eine Ziffer",
    ),
    (
        "may hold only visible ASCII characters (no spaces)",
        "darf nur sichtbare ASCII-Zeichen enthalten (keine Leerzeichen)",
    ),
    (
        "must be an http:// or https:// address of at most 500 characters",
        "muss eine http://- oder https://-Adresse mit höchstens 500 Zeichen sein",
    ),
    (
        "must be a phone number: digits, spaces and + - / ( ), at most 40 characters",
        "muss eine Telefonnummer sein: Ziffern, Leerzeichen und + - / ( ), höchstens 40 Zeichen",
    ),
    (
        "must be after opens; a range past midnight is two ranges",
        "muss nach opens liegen; ein Zeitraum über Mitternacht sind zwei Zeiträume",
    ),
    (
        "overlaps another range of the same day",
        "überschneidet sich mit einem anderen Zeitraum desselben Tages",
    ),
    ("is not a time", "ist keine Uhrzeit"),
    (
        "must be a time such as 09:30",
        "muss eine Uhrzeit wie 09:30 sein",
    ),
    (
        "must be an IANA time zone such as Europe/Berlin",
        "muss eine IANA-Zeitzone wie Europe/Berlin sein",
    ),
    ("must be an object", "muss ein Objekt sein"),
    ("is required, as a string", "ist nötig, als Zeichenkette"),
    (
        "must be activity or shift, not {*}",
        "muss activity oder shift sein, nicht {0}",
    ),
    (
        "is not a cursor this list gave out",
        "ist kein Cursor, den diese Liste ausgegeben hat",
    ),
    (
        "was used before for a different request",
        "wurde schon für eine andere Anfrage verwendet",
    ),
    (
        "must be true: an account needs consent to the privacy policy",
        "muss true sein: Ein Konto setzt die Zustimmung zur Datenschutzerklärung voraus",
    ),
    (
        "must be the current version of the privacy policy, {*}",
        "muss die aktuelle Fassung der Datenschutzerklärung sein, {0}",
    ),
    (
        "is not the privacy policy in force, which is {*}",
        "ist nicht die geltende Datenschutzerklärung; diese ist {0}",
    ),
    // Field messages: languages and variants.
    (
        "is not a BCP 47 language tag (such as de, en, tr, ar or de-x-ls for Leichte Sprache)",
        "ist kein BCP-47-Sprachkürzel (etwa de, en, tr, ar oder de-x-ls für Leichte Sprache)",
    ),
    (
        "de-LS means German as used in Lesotho (LS is Lesotho's region code); Leichte Sprache is de-x-ls",
        "de-LS bedeutet Deutsch, wie es in Lesotho gebraucht wird (LS ist der Regionscode von Lesotho); Leichte Sprache ist de-x-ls",
    ),
    (
        "is not a content language here (enabled: {*})",
        "ist hier keine Inhaltssprache (eingeschaltet: {0})",
    ),
    (
        "is {*}, the language the texts are written in: they stay as written",
        "ist {0}, die Sprache, in der die Texte geschrieben sind: Sie bleiben, wie sie geschrieben wurden",
    ),
    (
        "The feed formats here are json, atom and jsonld.",
        "Die Feed-Formate hier sind json, atom und jsonld.",
    ),
    (
        "The widgets are help-wanted, whats-on and centres.",
        "Die Widgets sind help-wanted, whats-on und centres.",
    ),
    (
        "is a filter of the {*} widget only",
        "ist nur ein Filter des Widgets {0}",
    ),
    (
        "This sign-up leaves {} minutes of rest between two shifts; the operator asks for at least {}.",
        "Diese Anmeldung lässt {0} Minuten Ruhe zwischen zwei Schichten; der Träger verlangt mindestens {1}.",
    ),
    (
        "This sign-up goes past the workload limit {}: at most {}, now {}, with it {}.",
        "Diese Anmeldung überschreitet die Belastungsgrenze {0}: höchstens {1}, jetzt {2}, mit ihr {3}.",
    ),
    (
        "This sign-up leaves {} minutes of rest between two {} shifts; the operator asks for at least {}.",
        "Diese Anmeldung lässt {0} Minuten Ruhe zwischen zwei Schichten der Kategorie {1}; der Träger verlangt mindestens {2}.",
    ),
    (
        "This sign-up goes past the workload limit {} for {} shifts: at most {}, now {}, with it {}.",
        "Diese Anmeldung überschreitet die Belastungsgrenze {0} für Schichten der Kategorie {1}: höchstens {2}, jetzt {3}, mit ihr {4}.",
    ),
    (
        "This date has no open offer: it was answered, or its answer was due.",
        "Für diesen Termin gibt es kein offenes Angebot: Es wurde schon beantwortet, oder die Frist ist abgelaufen.",
    ),
    ("is for the mode ask only", "gilt nur für den Modus ask"),
    ("must be from 1 to {}", "muss zwischen 1 und {0} liegen"),
    (
        "is a guest without an account: standing sign-ups are for accounts",
        "ist ein Gast ohne Konto: Feste Anmeldungen gibt es nur mit Konto",
    ),
    ("is named twice", "ist doppelt genannt"),
    ("sets no limit", "setzt keine Grenze"),
    (
        "must be an ISO week such as 2027-W05",
        "muss eine ISO-Kalenderwoche sein, etwa 2027-W05",
    ),
    (
        "must be from 1 to {}, or null",
        "muss zwischen 1 und {0} liegen oder null sein",
    ),
    (
        "This list has no origin with this id.",
        "Diese Liste hat keinen Ursprung mit dieser ID.",
    ),
    (
        "the list holds {} origins already: remove one first",
        "die Liste enthält schon {0} Ursprünge: Bitte entfernen Sie zuerst einen",
    ),
    (
        "must start with https:// or http://",
        "muss mit https:// oder http:// beginnen",
    ),
    (
        "must be an origin only: no path, query, fragment or user",
        "darf nur ein Ursprung sein: ohne Pfad, Abfrage, Fragment oder Benutzer",
    ),
    (
        "must have a port from 1 to 65535, if any",
        "muss, wenn überhaupt, einen Port von 1 bis 65535 haben",
    ),
    (
        "must name a host such as www.example.org (or *.example.org)",
        "muss einen Host nennen, etwa www.example.org (oder *.example.org)",
    ),
    (
        "a wildcard must stand below a domain, such as *.example.org",
        "ein Platzhalter muss unter einer Domain stehen, etwa *.example.org",
    ),
    (
        "The formats are json, atom, ics, jsonld and csv.",
        "Die Formate sind json, atom, ics, jsonld und csv.",
    ),
    (
        "is German, the source: change the resource itself",
        "ist Deutsch, die Ausgangssprache: Bitte ändern Sie die Ressource selbst",
    ),
    (
        "is German, the source: give it in the resource's own fields",
        "ist Deutsch, die Ausgangssprache: Bitte geben Sie den Text in den Feldern der Ressource selbst an",
    ),
    (
        "must hold at least one text",
        "muss mindestens einen Text enthalten",
    ),
    ("names {} a second time", "nennt {0} ein zweites Mal"),
    (
        "is not enabled in the database yet; try again in a moment",
        "ist in der Datenbank noch nicht eingeschaltet; bitte versuchen Sie es gleich noch einmal",
    ),
    // Field messages: references to other resources.
    (
        "is not the id of an account",
        "ist nicht die ID eines Kontos",
    ),
    (
        "is not the id of a centre",
        "ist nicht die ID eines Zentrums",
    ),
    (
        "is not the id of a centre of this operator",
        "ist nicht die ID eines Zentrums dieses Trägers",
    ),
    (
        "is not the id of a district",
        "ist nicht die ID eines Stadtteils",
    ),
    (
        "{} is not the id of a district",
        "{0} ist nicht die ID eines Stadtteils",
    ),
    (
        "is not the id of an operator",
        "ist nicht die ID eines Trägers",
    ),
    (
        "is not the id of an occurrence",
        "ist nicht die ID eines Termins",
    ),
    (
        "is not the id of a qualification type",
        "ist nicht die ID einer Qualifikationsart",
    ),
    (
        "is not the id of an activity",
        "ist nicht die ID eines Angebots",
    ),
    ("is not the id of a shift", "ist nicht die ID einer Schicht"),
    (
        "is not the id of a room booking",
        "ist nicht die ID einer Raumbuchung",
    ),
    (
        "must be absent for an outside outcome",
        "muss bei einem Ergebnis außerhalb fehlen",
    ),
    (
        "is required for an outside outcome",
        "ist bei einem Ergebnis außerhalb nötig",
    ),
    (
        "is only for an outside outcome",
        "gibt es nur bei einem Ergebnis außerhalb",
    ),
    ("is required for this kind", "ist bei dieser Art nötig"),
    (
        "is not the id of a category",
        "ist nicht die ID einer Kategorie",
    ),
    (
        "is not the id of a published concern that is carried on (not a duplicate, declined or withdrawn)",
        "ist nicht die ID eines veröffentlichten Anliegens, das weiterverfolgt wird (kein Duplikat, nicht abgelehnt oder zurückgezogen)",
    ),
    (
        "is required for a duplicate: the concern it is the same as",
        "ist für ein Duplikat nötig: das Anliegen, mit dem es übereinstimmt",
    ),
    (
        "must be another concern than this one",
        "muss ein anderes Anliegen als dieses sein",
    ),
    (
        "is only for the status duplicate",
        "gibt es nur beim Stand duplicate",
    ),
    (
        "is only for concerns staff write down; leave it out for your own",
        "gibt es nur bei Anliegen, die Mitarbeitende aufschreiben; bei eigenen weglassen",
    ),
    (
        "is required when staff write down a concern: the day the person agreed to its being stored",
        "ist nötig, wenn Mitarbeitende ein Anliegen aufschreiben: der Tag, an dem die Person dem Speichern zugestimmt hat",
    ),
    (
        "must lie between the year 2000 and today",
        "muss zwischen dem Jahr 2000 und heute liegen",
    ),
    ("needs near", "braucht near"),
    (
        "is required for a referral: the operator that answers it from now on",
        "ist für eine Weitergabe nötig: der Träger, der es von nun an beantwortet",
    ),
    (
        "is only for the status referred",
        "gibt es nur beim Stand referred",
    ),
    (
        "must not be false for an internal note: notes are never drafts",
        "darf bei einer internen Notiz nicht false sein: Notizen sind nie Entwürfe",
    ),
    (
        "lat and lon come together",
        "lat und lon gibt es nur zusammen",
    ),
    (
        "is not the centre of the occurrence",
        "ist nicht das Zentrum des Termins",
    ),
    (
        "is a centre you do not coordinate",
        "ist ein Zentrum, das Sie nicht koordinieren",
    ),
    (
        "names a centre that is not one of this operator's",
        "nennt ein Zentrum, das nicht zu diesem Träger gehört",
    ),
    (
        "names a type that does not exist",
        "nennt eine Art, die es nicht gibt",
    ),
    (
        "is another operator's own type",
        "ist eine eigene Art eines anderen Trägers",
    ),
    (
        "is not staff of the centre's operator",
        "gehört nicht zu den Mitarbeitenden des Trägers des Zentrums",
    ),
    (
        "has not verified their e-mail address yet",
        "hat die E-Mail-Adresse noch nicht bestätigt",
    ),
    (
        "no account has this address; the person registers first",
        "kein Konto hat diese Adresse; die Person muss sich zuerst registrieren",
    ),
    (
        "must not be the district itself",
        "darf nicht der Stadtteil selbst sein",
    ),
    (
        "lies inside this district: the two would contain each other",
        "liegt innerhalb dieses Stadtteils: Die beiden würden einander enthalten",
    ),
    (
        "differs from the activity's centre: an activity cannot move; give the one at the new centre another external id",
        "weicht vom Zentrum des Angebots ab: Ein Angebot kann nicht umziehen; bitte geben Sie dem Angebot am neuen Zentrum eine andere externe ID",
    ),
    (
        "differs from the activity's centre: an activity cannot move",
        "weicht vom Zentrum des Angebots ab: Ein Angebot kann nicht umziehen",
    ),
    (
        "differs from the shift's centre or occurrence: a shift cannot move; give the new one another external id",
        "weicht vom Zentrum oder Termin der Schicht ab: Eine Schicht kann nicht umziehen; bitte geben Sie der neuen eine andere externe ID",
    ),
    (
        "differs from the shift's centre or occurrence: a shift cannot move",
        "weicht vom Zentrum oder Termin der Schicht ab: Eine Schicht kann nicht umziehen",
    ),
    (
        "appears twice in this import",
        "kommt in diesem Import zweimal vor",
    ),
    ("appears twice", "kommt zweimal vor"),
    (
        "is not supported in imports: give centre_id and the times",
        "wird in Importen nicht unterstützt: Bitte geben Sie centre_id und die Zeiten an",
    ),
    // Field messages: activities, occurrences and schedules.
    (
        "from and to must be given together",
        "from und to müssen zusammen angegeben werden",
    ),
    (
        "must be left out when the activity is free",
        "muss wegfallen, wenn das Angebot kostenlos ist",
    ),
    (
        "needs amount_cents or a note when the activity is not free",
        "braucht amount_cents oder einen Hinweis, wenn das Angebot nicht kostenlos ist",
    ),
    (
        "needs registration.required",
        "setzt registration.required voraus",
    ),
    (
        "is needed to cancel: tell participants why",
        "ist zum Absagen nötig: Bitte sagen Sie den Teilnehmenden, warum",
    ),
    (
        "can be recorded once the occurrence has begun",
        "kann erfasst werden, sobald der Termin begonnen hat",
    ),
    (
        "must be given in whole seconds",
        "muss in ganzen Sekunden angegeben werden",
    ),
    ("is not valid", "ist ungültig"),
    (
        "yields no dates after first_start and the excluded dates",
        "ergibt nach first_start und den ausgenommenen Daten keine Termine",
    ),
    (
        "{} does not exist in {}: the clocks skip that hour; choose a time outside it",
        "{0} gibt es in {1} nicht: Die Uhren überspringen diese Stunde; bitte wählen Sie eine Zeit außerhalb",
    ),
    (
        "must not be empty; use for example FREQ=WEEKLY;BYDAY=TU",
        "darf nicht leer sein; nutzen Sie zum Beispiel FREQ=WEEKLY;BYDAY=TU",
    ),
    (
        "contains {*}: give a single RRULE value such as FREQ=WEEKLY;BYDAY=TU",
        "enthält {0}: Bitte geben Sie einen einzelnen RRULE-Wert an, etwa FREQ=WEEKLY;BYDAY=TU",
    ),
    ("{*} is not NAME=VALUE", "{0} ist nicht NAME=WERT"),
    ("names {} twice", "nennt {0} zweimal"),
    (
        "is not the id of a published concern that is carried on or done",
        "ist nicht die ID eines veröffentlichten Anliegens, das weiterverfolgt wird oder erledigt ist",
    ),
    (
        "names the applying partner: list the others involved",
        "nennt den antragstellenden Partner: Nennen Sie die anderen Beteiligten",
    ),
    (
        "You applied for this project: others who keep the fund check, decide and settle it.",
        "Sie haben dieses Projekt beantragt: Andere, die den Fonds verwalten, prüfen, entscheiden und rechnen es ab.",
    ),
    (
        "You act for some centres of this operator: its funds are kept by those who act for all of them.",
        "Sie handeln für einige Einrichtungen dieses Trägers: Seine Fonds verwalten die, die für alle handeln.",
    ),
    (
        "is not the id of a project a neighbourhood fund granted money for",
        "ist nicht die ID eines Projekts, dem ein Quartiersfonds Geld bewilligt hat",
    ),
    (
        "Concerns, neighbourhood funds or their projects belong to this district: they keep their record.",
        "Anliegen, Quartiersfonds oder deren Projekte gehören zu diesem Stadtteil: Sie behalten ihren Nachweis.",
    ),
    (
        "No application to this fund has this id.",
        "Kein Antrag an diesen Fonds hat diese ID.",
    ),
    (
        "Only those on a partner's staff apply for it.",
        "Nur wer zum Team eines Partners gehört, stellt für ihn einen Antrag.",
    ),
    (
        "This API key does not keep this fund.",
        "Dieser API-Schlüssel verwaltet diesen Fonds nicht.",
    ),
    (
        "must be the fund's district or one inside it",
        "muss der Stadtteil des Fonds oder einer darin sein",
    ),
    (
        "is required for an operator's fund: where the project happens",
        "ist bei einem Fonds eines Trägers nötig: wo das Projekt stattfindet",
    ),
    (
        "names a partner that does not exist",
        "nennt einen Partner, den es nicht gibt",
    ),
    (
        "is not the id of a concern",
        "ist nicht die ID eines Anliegens",
    ),
    (
        "must name at most 20 groups",
        "darf höchstens 20 Gruppen nennen",
    ),
    (
        "must name at most 20 partners",
        "darf höchstens 20 Partner nennen",
    ),
    (
        "is said by those who keep the fund, once they saw the receipts",
        "sagen die, die den Fonds verwalten, wenn sie die Belege gesehen haben",
    ),
    (
        "this fund has no committee: staff decide, up to their threshold",
        "dieser Fonds hat kein Gremium: Es entscheidet das Personal, bis zu seiner Grenze",
    ),
    ("is not the id of a date", "ist nicht die ID eines Termins"),
    (
        "must be more than 0: to grant nothing, decline",
        "muss mehr als 0 sein: Wer nichts bewilligt, lehnt ab",
    ),
    (
        "a committee's decision names its minutes: minutes_occurrence_id or minutes_note",
        "eine Entscheidung des Gremiums nennt ihr Protokoll: minutes_occurrence_id oder minutes_note",
    ),
    (
        "must not be more than was asked for ({} cents)",
        "darf nicht mehr sein als beantragt ({0} Cent)",
    ),
    ("is for a decline only", "gilt nur für eine Ablehnung"),
    ("is required to approve", "ist für eine Bewilligung nötig"),
    ("is for an approval only", "gilt nur für eine Bewilligung"),
    ("is required to decline", "ist für eine Ablehnung nötig"),
    (
        "must be approved or declined",
        "muss approved oder declined sein",
    ),
    (
        "An application that is {} cannot be {}.",
        "Ein Antrag im Stand {0} kann nicht {1} werden.",
    ),
    (
        "The fund has {} cents left: grant at most that.",
        "Der Fonds hat noch {0} Cent: Bewilligen Sie höchstens das.",
    ),
    (
        "Staff decide alone up to {} cents; above it the fund's committee decides.",
        "Das Personal entscheidet allein bis {0} Cent; darüber entscheidet das Gremium des Fonds.",
    ),
    (
        "A project gets at most {} cents from this fund.",
        "Ein Projekt erhält aus diesem Fonds höchstens {0} Cent.",
    ),
    ("No fund has this id.", "Kein Fonds hat diese ID."),
    (
        "Only administrators and the core team looking after its district keep a district's fund.",
        "Den Fonds eines Stadtteils verwalten nur Administratoren und das Kernteam, das sich um den Stadtteil kümmert.",
    ),
    (
        "A district's fund is the town's: API keys act for operators only.",
        "Der Fonds eines Stadtteils gehört der Stadt: API-Schlüssel handeln nur für Träger.",
    ),
    (
        "give exactly one of operator_id and district_id",
        "geben Sie genau eines von operator_id und district_id an",
    ),
    (
        "is not the id of a network",
        "ist nicht die ID eines Netzwerks",
    ),
    ("must be more than 0", "muss mehr als 0 sein"),
    (
        "must have at most {} lines",
        "darf höchstens {0} Zeilen haben",
    ),
    (
        "must not be more than the cost plan's lines together",
        "darf nicht mehr sein als die Zeilen des Kostenplans zusammen",
    ),
    (
        "must together be at most {} cents",
        "dürfen zusammen höchstens {0} Cent sein",
    ),
    (
        "Only the one who applied changes the partner she applies with.",
        "Nur wer den Antrag gestellt hat, ändert den Partner, mit dem sie beantragt.",
    ),
    (
        "Only those who keep the fund write its texts in other languages.",
        "Nur wer den Fonds verwaltet, schreibt seine Texte in anderen Sprachen.",
    ),
    (
        "None of your applications has this id.",
        "Keiner Ihrer Anträge hat diese ID.",
    ),
    (
        "is required: record a request for someone only with her consent, and say when she gave it",
        "ist nötig: Erfassen Sie eine Anfrage für jemanden nur mit ihrer Einwilligung, und sagen Sie, wann sie sie gab",
    ),
    (
        "must not be in the future",
        "darf nicht in der Zukunft liegen",
    ),
    (
        "Only the applicant rewrites a draft.",
        "Nur wer den Antrag gestellt hat, überarbeitet den Entwurf.",
    ),
    (
        "is for those who sign in: a guest applies for herself",
        "gilt für Angemeldete: Als Gast beantragen Sie für sich selbst",
    ),
    (
        "An application that is {} is no longer rewritten.",
        "Ein Antrag im Stand {0} wird nicht mehr überarbeitet.",
    ),
    (
        "This fund is closed: it takes no more applications.",
        "Dieser Fonds ist geschlossen: Er nimmt keine Anträge mehr an.",
    ),
    (
        "The fund has granted {} cents: its budget cannot be less.",
        "Der Fonds hat {0} Cent bewilligt: Sein Budget kann nicht kleiner sein.",
    ),
    (
        "Only the applicant takes this step.",
        "Nur wer den Antrag gestellt hat, geht diesen Schritt.",
    ),
    (
        "Only those who keep the fund take this step.",
        "Nur wer den Fonds verwaltet, geht diesen Schritt.",
    ),
    (
        "must be a whole number of cents from 0 to {}",
        "muss eine ganze Zahl von Cent zwischen 0 und {0} sein",
    ),
    (
        "must not be more than the budget",
        "darf nicht mehr als das Budget sein",
    ),
    (
        "must not be more than the most a project may get",
        "darf nicht mehr sein als der Höchstbetrag für ein Projekt",
    ),
    (
        "Send the configured QUARTIER_METRICS_TOKEN as a bearer token.",
        "Senden Sie das eingerichtete QUARTIER_METRICS_TOKEN als Bearer-Token.",
    ),
    (
        "No indicator has this key.",
        "Keine Kennzahl hat diesen Schlüssel.",
    ),
    (
        "No snapshot has this id.",
        "Kein eingefrorener Bericht hat diese ID.",
    ),
    ("names a grouping twice", "nennt eine Gliederung zweimal"),
    (
        "is a grouping or filter this indicator cannot be counted in",
        "ist eine Gliederung oder ein Filter, nach der diese Kennzahl nicht gezählt werden kann",
    ),
    (
        "can only be {}, the version figures are counted by now",
        "kann nur {0} sein, die Version, nach der jetzt gezählt wird",
    ),
    (
        "has an unknown value: {*}",
        "enthält einen unbekannten Wert: {0}",
    ),
    (
        "must be a date from 2000 to 2100",
        "muss ein Datum zwischen 2000 und 2100 sein",
    ),
    ("must not be before from", "darf nicht vor from liegen"),
    (
        "must be at least the first-time participants and at least the age bands together",
        "muss mindestens so groß sein wie die Erstbesuche und wie die Altersgruppen zusammen",
    ),
    (
        "Only operator staff, the town's coordinator and administrators read reports.",
        "Berichte lesen nur Mitarbeitende der Träger, die Quartierskoordination und die Administration.",
    ),
    (
        "You read the figures of the operators you are staff of only.",
        "Sie lesen nur die Zahlen der Träger, bei denen Sie mitarbeiten.",
    ),
    (
        "needs FREQ, such as FREQ=WEEKLY",
        "braucht FREQ, etwa FREQ=WEEKLY",
    ),
    (
        "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY: an activity takes place at most once a day",
        "FREQ muss DAILY, WEEKLY, MONTHLY oder YEARLY sein: Ein Angebot findet höchstens einmal am Tag statt",
    ),
    (
        "FREQ={} is unknown; use DAILY, WEEKLY, MONTHLY or YEARLY",
        "FREQ={0} ist unbekannt; nutzen Sie DAILY, WEEKLY, MONTHLY oder YEARLY",
    ),
    (
        "{} is not supported: the time of day is first_start's",
        "{0} wird nicht unterstützt: Die Uhrzeit kommt aus first_start",
    ),
    (
        "may have COUNT or UNTIL, not both",
        "darf COUNT oder UNTIL haben, nicht beides",
    ),
    (
        "COUNT must be from 1 to {}",
        "COUNT muss zwischen 1 und {0} liegen",
    ),
    (
        "INTERVAL must be from 1 to 1000",
        "INTERVAL muss zwischen 1 und 1000 liegen",
    ),
    (
        "UNTIL lies before first_start",
        "UNTIL liegt vor first_start",
    ),
    (
        "UNTIL={} is not a date (20271231) or date and time (20271231T180000Z)",
        "UNTIL={0} ist weder ein Datum (20271231) noch ein Datum mit Uhrzeit (20271231T180000Z)",
    ),
    (
        "UNTIL must lie between the years 2000 and 2100",
        "UNTIL muss zwischen den Jahren 2000 und 2100 liegen",
    ),
    ("is not a valid rule: {en}", "ist keine gültige Regel: {0}"),
    // Field messages: shifts, sign-ups and rosters.
    (
        "a cancelled shift cannot be opened again: create a new one",
        "eine abgesagte Schicht kann nicht wieder geöffnet werden: Bitte legen Sie eine neue an",
    ),
    (
        "{} is not a confirmed sign-up of this shift",
        "{0} ist keine bestätigte Anmeldung dieser Schicht",
    ),
    (
        "is needed when no occurrence_id is given",
        "ist nötig, wenn keine occurrence_id angegeben ist",
    ),
    (
        "starts_at and ends_at are needed when no occurrence_id is given",
        "starts_at und ends_at sind nötig, wenn keine occurrence_id angegeben ist",
    ),
    (
        "is needed when an API key signs someone up",
        "ist nötig, wenn ein API-Schlüssel jemanden anmeldet",
    ),
    (
        "is not a volunteer known to this operator: one who helps it (PUT /me/operators/{id}), works for it, or signed up for one of its shifts",
        "ist keine ehrenamtliche Person, die dieser Träger kennt: eine, die ihm hilft (PUT /me/operators/{id}), für ihn arbeitet oder sich für eine seiner Schichten angemeldet hat",
    ),
    (
        "only for volunteers who attended",
        "nur für Ehrenamtliche, die da waren",
    ),
    (
        "phone and sms need a phone number",
        "phone und sms brauchen eine Telefonnummer",
    ),
    (
        "must be immediate or off: a reminder in tomorrow's digest would come too late",
        "muss immediate oder off sein: Eine Erinnerung in der Zusammenfassung von morgen käme zu spät",
    ),
    (
        "must be daily_digest or off: a digest gathers a day",
        "muss daily_digest oder off sein: Eine Zusammenfassung sammelt einen Tag",
    ),
    // Field messages: operators, staff, keys and qualifications.
    ("must be in the future", "muss in der Zukunft liegen"),
    (
        "must not lie in the future",
        "darf nicht in der Zukunft liegen",
    ),
    (
        "must name at least one scope",
        "muss mindestens einen Geltungsbereich nennen",
    ),
    (
        "this operator has {} live keys already: revoke one first",
        "dieser Träger hat schon {0} gültige Schlüssel: Bitte widerrufen Sie zuerst einen",
    ),
    (
        "only coordinators can be limited to named centres",
        "nur Koordinatorinnen und Koordinatoren können auf bestimmte Zentren beschränkt werden",
    ),
    (
        "must be another operator: an operator always accepts its own verifications",
        "muss ein anderer Träger sein: Ein Träger erkennt seine eigenen Prüfungen immer an",
    ),
    (
        "this operator has {} qualification types already",
        "dieser Träger hat schon {0} Qualifikationsarten",
    ),
    (
        "must lie between the issue date and today",
        "muss zwischen dem Ausstellungsdatum und heute liegen",
    ),
    (
        "is not a volunteer who declared this qualification to this operator (and helps it) or signed up for one of its shifts",
        "ist keine ehrenamtliche Person, die diese Qualifikation bei diesem Träger angegeben hat (und ihm hilft) oder sich für eine seiner Schichten angemeldet hat",
    ),
    (
        "is not a volunteer who signed up for a shift at your centres",
        "ist keine ehrenamtliche Person, die sich für eine Schicht in Ihren Zentren angemeldet hat",
    ),
    // Field messages: webhooks.
    (
        "this operator has {} subscriptions already: delete one first",
        "dieser Träger hat schon {0} Abonnements: Bitte löschen Sie zuerst eines",
    ),
    (
        "cannot name webhook.ping: POST …/ping sends it on request",
        "darf webhook.ping nicht nennen: POST …/ping sendet es auf Anfrage",
    ),
    (
        "must name at least one event type",
        "muss mindestens eine Ereignisart nennen",
    ),
    (
        "Enter a complete http or https address, such as https://example.org/webhooks.",
        "Bitte geben Sie eine vollständige http- oder https-Adresse an, etwa https://example.org/webhooks.",
    ),
    (
        "Only http and https addresses can receive webhooks.",
        "Nur http- und https-Adressen können Webhooks empfangen.",
    ),
    (
        "The address must name a host.",
        "Die Adresse muss einen Host nennen.",
    ),
    (
        "The address must not contain a user name or password.",
        "Die Adresse darf keinen Benutzernamen und kein Passwort enthalten.",
    ),
    (
        "The address must be at most 2000 characters long.",
        "Die Adresse darf höchstens 2000 Zeichen lang sein.",
    ),
    (
        "This address is local, private or reserved and cannot receive webhooks.",
        "Diese Adresse ist lokal, privat oder reserviert und kann keine Webhooks empfangen.",
    ),
    // Rooms and their bookings.
    (
        "A cancelled or archived activity uses no room.",
        "Ein abgesagtes oder archiviertes Angebot nutzt keinen Raum.",
    ),
    // Notes on dates Quartier declines itself (in the bookers' mail).
    (
        "The room was given to an overlapping booking.",
        "Der Raum wurde an eine überschneidende Buchung vergeben.",
    ),
    (
        "The room is used by an activity at this time.",
        "Der Raum wird zu dieser Zeit von einem Angebot genutzt.",
    ),
    (
        "The person who booked it has left Quartier.",
        "Die Person, die ihn gebucht hat, ist nicht mehr bei Quartier.",
    ),
    (
        "The activity it was booked for has ended.",
        "Das Angebot, für das der Termin gebucht war, ist beendet.",
    ),
    (
        "The centre is closed on this day.",
        "Die Einrichtung ist an diesem Tag geschlossen.",
    ),
    (
        "This activity uses no room.",
        "Dieses Angebot nutzt keinen Raum.",
    ),
    (
        "is not the id of a room of the activity's centre",
        "ist nicht die ID eines Raums der Einrichtung des Angebots",
    ),
    (
        "The room is taken at a date of this activity.",
        "Der Raum ist an einem Termin dieses Angebots belegt.",
    ),
    (
        "A room of the centre is booked or used by an activity on a closure day; cancel or move that first.",
        "Ein Raum der Einrichtung ist an einem Schließtag gebucht oder von einem Angebot belegt; bitte das zuerst absagen oder verschieben.",
    ),
    (
        "A room this change would claim is taken at that time.",
        "Ein Raum, den diese Änderung belegen würde, ist zu dieser Zeit schon belegt.",
    ),
    ("is not a partner", "ist kein Partner"),
    (
        "must be less than max_notice_days: the room could never be booked",
        "muss unter max_notice_days liegen: sonst wäre der Raum nie buchbar",
    ),
    (
        "must end within {} days, how far ahead the room takes bookings (give COUNT or UNTIL)",
        "muss innerhalb von {0} Tagen enden, so weit im Voraus nimmt der Raum Buchungen an (COUNT oder UNTIL angeben)",
    ),
    ("No room has this id.", "Kein Raum hat diese ID."),
    (
        "No booked date has this id.",
        "Kein gebuchter Termin hat diese ID.",
    ),
    (
        "{} is not a room of this centre",
        "{0} ist kein Raum dieses Zentrums",
    ),
    (
        "one capacity at least is needed",
        "mindestens eine Kapazität ist nötig",
    ),
    (
        "must hold at most 30 items, none empty",
        "darf höchstens 30 Einträge enthalten, keinen leeren",
    ),
    (
        "must not be above max_duration_minutes",
        "darf nicht über max_duration_minutes liegen",
    ),
    (
        "must divide a day (5, 10, 15, 20, 30, 60, …)",
        "muss einen Tag teilen (5, 10, 15, 20, 30, 60, …)",
    ),
    (
        "must name at most 10 rooms",
        "darf höchstens 10 Räume nennen",
    ),
    (
        "must be after from and at most 93 days later",
        "muss nach from und höchstens 93 Tage später liegen",
    ),
    (
        "This room is booked by the operator's staff only.",
        "Diesen Raum buchen nur die Mitarbeitenden des Trägers.",
    ),
    (
        "Only the partner's staff may book for it.",
        "Nur die Mitarbeitenden des Partners dürfen für ihn buchen.",
    ),
    (
        "This room is not booked by residents.",
        "Diesen Raum buchen keine Anwohnerinnen und Anwohner.",
    ),
    (
        "must yield at most {} dates",
        "darf höchstens {0} Termine ergeben",
    ),
    (
        "give starts_at and ends_at, or a series, not both",
        "starts_at und ends_at angeben oder eine Serie, nicht beides",
    ),
    (
        "yields no date between now and how far ahead the room takes bookings",
        "ergibt keinen Termin zwischen jetzt und so weit im Voraus, wie der Raum Buchungen annimmt",
    ),
    (
        "is needed for booker partner",
        "ist für booker partner nötig",
    ),
    ("is for booker partner only", "gilt nur für booker partner"),
    (
        "is needed for booker activity",
        "ist für booker activity nötig",
    ),
    (
        "is for booker activity only",
        "gilt nur für booker activity",
    ),
    ("is not an activity", "ist kein Angebot"),
    (
        "guest is for residents without an account, at POST /rooms/{id}/guest-bookings",
        "guest ist für Menschen ohne Konto, über POST /rooms/{id}/guest-bookings",
    ),
    (
        "None of your room dates has this id.",
        "Keiner Ihrer Raumtermine hat diese ID.",
    ),
    (
        "is not offered in this room",
        "wird in diesem Raum nicht angeboten",
    ),
    (
        "must be at most {}, what the room holds in this layout",
        "darf höchstens {0} sein, so viele fasst der Raum in dieser Anordnung",
    ),
    ("The room is taken at {*}.", "Der Raum ist belegt: {0}."),
    (
        "One booker may hold at most {} dates to come in this room.",
        "Eine Buchende oder ein Buchender darf höchstens {0} künftige Termine in diesem Raum halten.",
    ),
    (
        "A booking may be cancelled up to {} hours before it starts; ask the centre.",
        "Eine Buchung kann bis {0} Stunden vor Beginn abgesagt werden; bitte wenden Sie sich an das Zentrum.",
    ),
    ("This date is {} already.", "Dieser Termin ist schon {0}."),
    (
        "the date at {} must last from {} to {} minutes",
        "der Termin um {0} muss {1} bis {2} Minuten dauern",
    ),
    (
        "the date at {} must start and end on the room's {}-minute grid",
        "der Termin um {0} muss im {1}-Minuten-Raster des Raums beginnen und enden",
    ),
    (
        "the date at {} must be booked at least {} hours ahead",
        "der Termin um {0} muss mindestens {1} Stunden im Voraus gebucht werden",
    ),
    (
        "the date at {} must be at most {} days ahead",
        "der Termin um {0} darf höchstens {1} Tage im Voraus liegen",
    ),
    (
        "must be from 1 (Monday) to 7 (Sunday)",
        "muss zwischen 1 (Montag) und 7 (Sonntag) liegen",
    ),
    (
        "must be a local time HH:MM",
        "muss eine Ortszeit HH:MM sein",
    ),
    (
        "must be 1 to 200 characters",
        "muss 1 bis 200 Zeichen lang sein",
    ),
    (
        "is needed for a biweekly pattern",
        "wird für ein zweiwöchentliches Muster gebraucht",
    ),
    (
        "is needed for a monthly pattern",
        "wird für ein monatliches Muster gebraucht",
    ),
    (
        "is for a biweekly pattern only",
        "gilt nur für ein zweiwöchentliches Muster",
    ),
    (
        "is for a monthly pattern only",
        "gilt nur für ein monatliches Muster",
    ),
    (
        "A volunteer keeps at most {} standing sign-ups that have not ended.",
        "Eine Freiwillige hat höchstens {0} feste Anmeldungen, die nicht beendet sind.",
    ),
    (
        "No standing sign-up has this id.",
        "Keine feste Anmeldung hat diese ID.",
    ),
    (
        "ends only by DELETE, which cancels its sign-ups ahead",
        "endet nur mit DELETE, das ihre kommenden Anmeldungen absagt",
    ),
    (
        "must not be in the past",
        "darf nicht in der Vergangenheit liegen",
    ),
    (
        "must not be before valid_from",
        "darf nicht vor valid_from liegen",
    ),
    (
        "must not be before starts_on",
        "darf nicht vor starts_on liegen",
    ),
    (
        "must not be before ends_on",
        "darf nicht vor ends_on liegen",
    ),
    (
        "This standing sign-up has ended; make a new one.",
        "Diese feste Anmeldung ist beendet; legen Sie eine neue an.",
    ),
    (
        "must be up to 200 characters on one line",
        "darf höchstens 200 Zeichen in einer Zeile haben",
    ),
    (
        "You keep at most {} blockouts; remove some that have passed.",
        "Sie haben höchstens {0} Abwesenheiten; entfernen Sie vergangene.",
    ),
    (
        "You have no blockout with this id.",
        "Sie haben keine Abwesenheit mit dieser ID.",
    ),
    ("must fall on the weekday", "muss auf den Wochentag fallen"),
    (
        "This volunteer has a standing sign-up for this slot on this pattern; change or end that one.",
        "Diese Freiwillige hat schon eine feste Anmeldung für diesen Termin mit diesem Muster; ändern oder beenden Sie diese.",
    ),
    (
        "must be from 0 to 1000, or null",
        "muss zwischen 0 und 1000 liegen oder null sein",
    ),
    (
        "is for staff signing someone else up",
        "ist für Mitarbeitende, die jemand anderen anmelden",
    ),
    (
        "must be 3 to 500 characters on one line",
        "muss 3 bis 500 Zeichen in einer Zeile haben",
    ),
    (
        "must be within three years",
        "muss innerhalb von drei Jahren liegen",
    ),
    (
        "needs a span of less than a week to repeat",
        "braucht eine Spanne unter einer Woche, um sich zu wiederholen",
    ),
    (
        "No help request or match has this id.",
        "Kein Hilfegesuch und keine Vermittlung hat diese ID.",
    ),
    (
        "No help request has this id.",
        "Kein Hilfegesuch hat diese ID.",
    ),
    (
        "No help match has this id.",
        "Keine Vermittlung hat diese ID.",
    ),
    (
        "This request is {}: it takes no helpers and no steps now.",
        "Dieses Gesuch ist {0}: Es nimmt jetzt keine Helfenden und keine Schritte mehr an.",
    ),
    (
        "This request's time ran out.",
        "Die Zeit dieses Gesuchs ist abgelaufen.",
    ),
    (
        "Every place of this request is held by a helper already.",
        "Jeder Platz dieses Gesuchs ist schon von einer helfenden Person besetzt.",
    ),
    (
        "This helper is matched to this request already.",
        "Diese helfende Person ist diesem Gesuch schon zugeordnet.",
    ),
    (
        "Nobody helps with her own request.",
        "Bei einem eigenen Gesuch hilft man nicht selbst.",
    ),
    (
        "This request needs a qualification its centre accepts, valid through its time window, which the helper does not hold.",
        "Dieses Gesuch braucht eine Qualifikation, die seine Einrichtung anerkennt und die über das ganze Zeitfenster gültig ist; die helfende Person hat sie nicht.",
    ),
    (
        "The helper set herself a cap of {} neighbours helped in a month, and holds that many.",
        "Die helfende Person hat sich eine Grenze von {0} Nachbarschaftshilfen im Monat gesetzt und hat so viele schon zugesagt.",
    ),
    (
        "A match that is {} cannot take this step.",
        "Eine Vermittlung im Stand {0} kann diesen Schritt nicht gehen.",
    ),
    (
        "Only the centre's staff record a request for someone.",
        "Nur das Team der Einrichtung erfasst ein Gesuch für jemanden.",
    ),
    (
        "An API key records requests for someone only: name her in recorded_for.",
        "Ein API-Schlüssel erfasst Gesuche nur für jemanden: Nennen Sie die Person in recorded_for.",
    ),
    (
        "A helper declines her match; the request is the requester's to withdraw.",
        "Helfende sagen ihre Vermittlung ab; zurückziehen kann das Gesuch nur, wer es gestellt hat.",
    ),
    (
        "is not the id of an active centre",
        "ist nicht die ID einer aktiven Einrichtung",
    ),
    (
        "Only the staff of the centre that mediates a request propose its helpers.",
        "Nur das Team der vermittelnden Einrichtung schlägt Helfende vor.",
    ),
    (
        "The centre's staff find the helpers for this request: ask them.",
        "Für dieses Gesuch sucht das Team der Einrichtung die Helfenden: Fragen Sie dort nach.",
    ),
    (
        "must lie in Europe: the grid of 500 m cells covers latitudes 25 to 85 and longitudes -35 to 45",
        "muss in Europa liegen: Das Raster aus 500-m-Zellen reicht von 25 bis 85 Grad Breite und von -35 bis 45 Grad Länge",
    ),
    (
        "must be at most 90 days ahead",
        "darf höchstens 90 Tage in der Zukunft liegen",
    ),
    (
        "Only the helper says yes to a proposal.",
        "Nur die helfende Person sagt einem Vorschlag zu.",
    ),
    (
        "Only the requester, or the centre's staff for her, takes this step.",
        "Nur wer das Gesuch gestellt hat, oder das Team der Einrichtung für sie, geht diesen Schritt.",
    ),
    (
        "None of your requests has this id.",
        "Keines Ihrer Gesuche hat diese ID.",
    ),
    (
        "No match of your requests has this id.",
        "Keine Vermittlung Ihrer Gesuche hat diese ID.",
    ),
    (
        "is for staff recording a request for someone: a guest asks for herself",
        "ist für das Team, das ein Gesuch für jemanden erfasst: Als Gast fragen Sie für sich selbst",
    ),
    (
        "An offer that needs a qualification is made by the account that holds it, accepted by the centre's operator and valid through the window.",
        "Ein Angebot, das eine Qualifikation braucht, macht das Konto, das sie hat – anerkannt vom Träger der Einrichtung und über das ganze Zeitfenster gültig.",
    ),
    (
        "Only the requester says yes to her helper; the centre's staff say it only for someone they recorded.",
        "Nur wer das Gesuch gestellt hat, sagt der helfenden Person zu; das Team der Einrichtung sagt nur für jemanden zu, für den es das Gesuch erfasst hat.",
    ),
    (
        "The centre's staff write for someone they recorded; a resident with an account writes herself.",
        "Das Team der Einrichtung schreibt für jemanden, den es erfasst hat; wer ein Konto hat, schreibt selbst.",
    ),
    (
        "This match is over: its sides write to each other no more.",
        "Diese Vermittlung ist beendet: Ihre beiden Seiten schreiben einander nicht mehr.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::{Path, PathBuf};

    #[track_caller]
    fn german_of(english: &str) -> German {
        german(english).unwrap_or_else(|| panic!("no German version of {english:?}"))
    }

    #[test]
    fn fixed_texts_and_patterns_come_in_german() {
        assert_eq!(
            german_of("No activity has this id.").text,
            "Kein Angebot hat diese ID."
        );
        let long = german_of("must be at most 200 characters");
        assert_eq!(long.text, "darf höchstens 200 Zeichen lang sein");
        assert!(long.whole);
        assert_eq!(
            german_of("must be at most 80 characters without control characters").text,
            "darf höchstens 80 Zeichen lang sein und keine Steuerzeichen enthalten"
        );
        assert_eq!(
            german_of("must be at most 31 days after from").text,
            "darf höchstens 31 Tage nach from liegen"
        );
        assert_eq!(
            german_of("must be from 0.1 to 100").text,
            "muss zwischen 0.1 und 100 liegen"
        );
        assert_eq!(
            german_of("Unknown query parameter `x`; this operation takes: none.").text,
            "Unbekannter Abfrageparameter `x`; diese Operation kennt keine Abfrageparameter."
        );
        assert_eq!(
            german_of("unknown field `colour`, expected `title` or `name`").text,
            "unbekanntes Feld `colour`; erwartet wird `title` oder `name`"
        );
    }

    #[test]
    fn words_stay_words_and_unknown_texts_stay_english() {
        assert_eq!(german("must be at most 20 tags of at most 50 chars"), None);
        assert_eq!(german("must be from 1 (Mon) to 7 (Sun)"), None);
        assert_eq!(german("something nobody wrote"), None);
        assert_eq!(german(""), None);
    }

    #[test]
    fn quoted_english_and_unknown_inner_texts_make_a_text_partly_english() {
        let inner = german_of("line 4: must not be empty");
        assert_eq!(inner.text, "Zeile 4: darf nicht leer sein");
        assert!(inner.whole);
        let unknown = german_of("line 4: something nobody wrote");
        assert_eq!(unknown.text, "Zeile 4: something nobody wrote");
        assert!(!unknown.whole);
        let library = german_of("Invalid query: invalid digit found in string");
        assert_eq!(
            library.text,
            "Ungültige Abfrage: invalid digit found in string"
        );
        assert!(!library.whole);
    }

    #[test]
    fn braces_that_are_not_holes_are_text() {
        let text = "is not a volunteer known to this operator: one who helps it (PUT \
                    /me/operators/{id}), works for it, or signed up for one of its shifts";
        assert!(german_of(text).text.contains("/me/operators/{id}"));
    }

    #[test]
    fn a_validation_problem_is_german_in_title_detail_and_messages() {
        let mut problem = json!({
            "type": "/problems/validation-failed", "title": "The request has invalid fields",
            "status": 422, "detail": "query.limit: must be from 1 to 100; q: must be at most 200 characters",
            "errors": [
                {"field": "query.limit", "message": "must be from 1 to 100"},
                {"field": "q", "message": "must be at most 200 characters"}
            ]
        });
        assert_eq!(
            problem_into_german(&mut problem),
            Some(ProblemLanguage::German)
        );
        assert_eq!(problem["title"], "Die Anfrage hat ungültige Felder");
        assert_eq!(
            problem["detail"],
            "query.limit: muss zwischen 1 und 100 liegen; q: darf höchstens 200 Zeichen lang sein"
        );
        assert_eq!(problem["errors"][1]["field"], "q");
        assert_eq!(problem["type"], "/problems/validation-failed");
    }

    #[test]
    fn texts_without_a_german_version_stay_and_are_counted() {
        let mut problem = json!({
            "type": "/problems/not-found", "title": "Not found", "status": 404,
            "detail": "A detail nobody translated."
        });
        assert_eq!(
            problem_into_german(&mut problem),
            Some(ProblemLanguage::GermanAndEnglish)
        );
        assert_eq!(problem["title"], "Nicht gefunden");
        assert_eq!(problem["detail"], "A detail nobody translated.");
        let mut unknown = json!({"type": "/problems/teapot", "title": "Teapot", "detail": "Tea"});
        let before = unknown.clone();
        assert_eq!(problem_into_german(&mut unknown), None);
        assert_eq!(unknown, before);
        assert_eq!(problem_into_german(&mut json!({"title": "x"})), None);
    }

    #[test]
    fn bare_statuses_are_german_too() {
        let mut problem = json!({
            "type": "/problems/bad-request", "title": "Bad Request", "status": 400,
            "detail": "Bad Request"
        });
        assert_eq!(
            problem_into_german(&mut problem),
            Some(ProblemLanguage::German)
        );
        assert_eq!(problem["title"], "Ungültige Anfrage");
    }

    /// Texts the API writes through values rather than at the call: the messages of errors
    /// of the domain, of serde and of the webhook address check.
    #[test]
    fn texts_made_elsewhere_have_german_versions() {
        use crate::error::ApiError;
        use crate::webhooks::client::UrlRefusal;
        use quartier_domain::language::LanguageTag;
        let mut texts: Vec<String> = Vec::new();
        for tag in ["x", "de-LS"] {
            texts.push(LanguageTag::parse(tag).expect_err("refused").to_string());
        }
        let long = "x".repeat(129);
        for password in ["short", long.as_str(), "anna@example.org"] {
            let errors = quartier_domain::Password::parse(password, "anna@example.org", "p")
                .expect_err("refused");
            texts.extend(errors.0.into_iter().map(|e| e.message));
        }
        for origin in [
            "ftp://example.org",
            "https://example.org/path",
            "https://example.org:0",
            "https://exa mple.org",
            "https://*.org",
        ] {
            texts.push(
                quartier_domain::embed::EmbedOrigin::parse(origin)
                    .expect_err("refused")
                    .to_owned(),
            );
        }
        {
            use chrono::NaiveDate;
            use quartier_domain::standing::{Blockout, Commitment, Pattern};
            let day = |d| NaiveDate::from_ymd_opt(2027, 1, d).expect("a date");
            let mut errors = quartier_domain::ValidationErrors::default();
            Commitment {
                weekday: chrono::Weekday::Mon,
                pattern: Pattern::Biweekly { anchor: day(5) },
                slot_start: chrono::NaiveTime::MIN,
                valid_from: day(1),
                valid_until: Some(day(1) - chrono::Duration::days(1)),
            }
            .check(day(2), &mut errors);
            Commitment {
                weekday: chrono::Weekday::Mon,
                pattern: Pattern::Weekly,
                slot_start: chrono::NaiveTime::MIN,
                valid_from: day(1) + chrono::Duration::days(4000),
                valid_until: None,
            }
            .check(day(1), &mut errors);
            for blockout in [
                Blockout {
                    starts_on: day(3),
                    ends_on: day(2),
                    weekly_until: None,
                },
                Blockout {
                    starts_on: day(1),
                    ends_on: day(1),
                    weekly_until: None,
                },
                Blockout {
                    starts_on: day(3),
                    ends_on: day(12),
                    weekly_until: Some(day(30)),
                },
                Blockout {
                    starts_on: day(3),
                    ends_on: day(5),
                    weekly_until: Some(day(4) + chrono::Duration::days(4000)),
                },
                Blockout {
                    starts_on: day(3),
                    ends_on: day(5),
                    weekly_until: Some(day(4)),
                },
            ] {
                blockout.check(day(2), &mut errors);
            }
            texts.extend(errors.0.into_iter().map(|e| e.message));
        }
        for refusal in [
            UrlRefusal::Malformed,
            UrlRefusal::NotHttp,
            UrlRefusal::NoHost,
            UrlRefusal::Credentials,
            UrlRefusal::TooLong,
            UrlRefusal::AddressNotAllowed,
        ] {
            texts.push(refusal.to_string());
        }
        for error in [
            ApiError::InvalidCredentials,
            ApiError::InvalidRefreshToken,
            ApiError::WrongPassword,
            ApiError::MethodNotAllowed {
                allow: vec!["GET".into(), "PUT".into()],
            },
            ApiError::EmailTaken,
            ApiError::VersionConflict,
            ApiError::PayloadTooLarge { limit: 1024 },
            ApiError::UnsupportedMediaType,
            ApiError::PreconditionRequired,
            ApiError::Unavailable("cause".into()),
            ApiError::Internal("cause".into()),
        ] {
            texts.push(error.problem().detail);
        }
        for status in [
            400, 401, 403, 404, 405, 408, 411, 413, 414, 415, 422, 429, 431, 500, 503,
        ] {
            let status = actix_web::http::StatusCode::from_u16(status).expect("a status");
            let problem = crate::error::problem_for_status(status);
            texts.extend([problem.title, problem.detail]);
        }
        let lead = crate::routes::me::notification_preferences::LeadHours::try_from(5);
        texts.push(lead.expect_err("refused"));
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Body {
            title: String,
            kind: Kind,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[allow(dead_code)]
        enum Kind {
            Weekly,
            Monthly,
            Once,
        }
        for body in [
            r#"{"kind": "once"}"#,
            r#"{"title": "T", "kind": "once", "colour": 1}"#,
            r#"{"title": "T", "kind": "daily"}"#,
            r#"{"title": "T", "title": "U", "kind": "once"}"#,
        ] {
            let error = crate::extract::parse_json::<Body>(body.as_bytes()).expect_err("refused");
            texts.extend(error.problem().errors.into_iter().map(|e| e.message));
        }
        let missing: Vec<&String> = texts.iter().filter(|t| german(t).is_none()).collect();
        assert!(missing.is_empty(), "no German version: {missing:#?}");
    }

    /// Calls whose text reaches readers, with the position of the argument holding it.
    const CALLS: &[(&str, usize)] = &[
        ("ApiError::NotFound(", 0),
        ("ApiError::Forbidden(", 0),
        ("ApiError::BadRequest(", 0),
        ("ApiError::validation(", 1),
        ("ApiError::query(", 1),
        ("ValidationErrors::single(", 1),
        ("errors.push(", 1),
        // Written in two parts: the slug scan in `problems.rs` would read it as a call.
        (concat!("conflict", "("), 1),
        ("invalid_key(", 0),
        ("invalid(", 0),
        ("outdated(", 0),
        ("too_many(", 1),
        ("attempt(", 4),
        ("fail(", 0),
        ("Unreadable(", 0),
    ];

    /// Texts the scan finds as written but cannot fill in with a number: a constant, a
    /// word or a sentence stands in the format string. Each is checked as the API writes it.
    const UNRESOLVED: &[(&str, &[&str])] = &[
        (
            "{TOO_MANY_LINES} {} lines: split the import.",
            &["The file holds more than 20000 lines: split the import."],
        ),
        (
            "{total} problem(s); nothing was imported. Each names its line (row) and field.{shown}",
            &[
                "3 problem(s); nothing was imported. Each names its line (row) and field.",
                "120 problem(s); nothing was imported. Each names its line (row) and field. \
                 The first 100 are listed.",
            ],
        ),
        (
            "No {what} has this id.",
            &[
                "No activity has this id.",
                "No centre has this id.",
                "No district has this id.",
                "No occurrence has this id.",
                "No operator has this id.",
                "No profile has this id.",
                "No resource has this id.",
            ],
        ),
        (
            "lies inside this {what}: the two would contain each other",
            &["lies inside this district: the two would contain each other"],
        ),
    ];

    /// The `.rs` files under `dir`, test modules cut off.
    fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).expect("a directory").flatten() {
                    stack.push(entry.path());
                }
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("german.rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                let code = match text.find("#[cfg(test)]") {
                    Some(end) => text[..end].to_owned(),
                    None => text,
                };
                out.push((path, code));
            }
        }
        out
    }

    /// The string literal starting at `at` (a `"`): its value and where it ends.
    fn literal(code: &str, at: usize) -> (String, usize) {
        let mut value = String::new();
        let mut chars = code[at + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return (value, at + 1 + i + 1),
                '\\' => match chars.next() {
                    Some((_, '\n')) => {
                        let rest = &code[at + 1 + i + 2..];
                        let skip = rest.len() - rest.trim_start().len();
                        for _ in 0..rest[..skip].chars().count() {
                            chars.next();
                        }
                    }
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, 't')) => value.push('\t'),
                    Some((_, other)) => value.push(other),
                    None => break,
                },
                other => value.push(other),
            }
        }
        (value, code.len())
    }

    /// The arguments of the call whose `(` is just before `at`, as source text; `None` when
    /// it does not close.
    fn arguments(code: &str, at: usize) -> Option<Vec<&str>> {
        let bytes = code.as_bytes();
        let (mut depth, mut start, mut i) = (0usize, at, at);
        let mut out = Vec::new();
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    i = literal(code, i).1;
                    continue;
                }
                b'\'' if bytes.get(i + 2) == Some(&b'\'') => i += 2,
                b'\'' if bytes.get(i + 1) == Some(&b'\\') => {
                    i += code[i + 3..].find('\'').map_or(0, |n| n + 3);
                }
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth == 0 => {
                    out.push(code[start..i].trim());
                    return Some(out);
                }
                b')' | b']' | b'}' => depth -= 1,
                b',' if depth == 0 => {
                    out.push(code[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// The text an argument gives, as a sample: a literal as it is, a `format!` string
    /// with each placeholder filled by a number. `None` when it is not written out there.
    fn text_of(argument: &str) -> Option<(String, String)> {
        let argument = argument.trim_start_matches('&');
        if argument.starts_with('"') {
            let (value, _) = literal(argument, 0);
            return Some((value.clone(), value));
        }
        let inner = argument.strip_prefix("format!(")?;
        let first = inner.trim_start();
        if !first.starts_with('"') {
            return None;
        }
        let (template, _) = literal(first, 0);
        Some((template.clone(), filled(&template)))
    }

    /// A `format!` string with each placeholder replaced by `7`.
    fn filled(template: &str) -> String {
        let mut out = String::new();
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('{', Some('{')) | ('}', Some('}')) => {
                    out.push(c);
                    chars.next();
                }
                ('{', _) => {
                    for inside in chars.by_ref() {
                        if inside == '}' {
                            break;
                        }
                    }
                    out.push('7');
                }
                _ => out.push(c),
            }
        }
        out
    }

    /// Where `marker` begins a call in `code`, not inside a longer name.
    fn calls<'c>(code: &'c str, marker: &'c str) -> impl Iterator<Item = usize> + 'c {
        code.match_indices(marker)
            .map(|(i, _)| i)
            .filter(move |&i| {
                !code[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
    }

    /// Every text the scan finds at calls and `detail:` fields: where, as written, and a
    /// sample of it.
    fn written_texts() -> Vec<(String, String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = sources(&root.join("src"));
        files.extend(sources(&root.join("../domain/src")));
        let mut out = Vec::new();
        for (path, code) in &files {
            let place = |at: usize| {
                let line = code[..at].matches('\n').count() + 1;
                format!("{}:{line}", path.display())
            };
            for (marker, position) in CALLS {
                for at in calls(code, marker) {
                    let args = arguments(code, at + marker.len());
                    let text = args.and_then(|a| a.get(*position).copied().and_then(text_of));
                    if let Some((written, sample)) = text {
                        out.push((place(at), written, sample));
                    }
                }
            }
            for (at, _) in code.match_indices("detail:") {
                let rest = &code[at + "detail:".len()..];
                let expression = rest.trim_start();
                if let Some((written, sample)) = text_of(expression) {
                    out.push((place(at), written, sample));
                }
            }
        }
        out
    }

    /// Every detail and field message written at a call in the sources has a German version.
    /// `ApiError::Unavailable` and `ApiError::Internal` are left out: their text is logged,
    /// and readers get the fixed detail of `error.rs`, which is among the texts checked.
    #[test]
    fn every_text_written_in_the_sources_has_a_german_version() {
        let found = written_texts();
        assert!(found.len() > 200, "the scan found {} texts", found.len());
        let missing: Vec<String> = found
            .iter()
            .filter(|(_, written, sample)| {
                match UNRESOLVED
                    .iter()
                    .find(|(unresolved, _)| unresolved == written)
                {
                    Some((_, real)) => real.iter().any(|text| german(text).is_none()),
                    None => german(sample).is_none(),
                }
            })
            .map(|(place, written, _)| format!("{place}: {written:?}"))
            .collect();
        assert!(
            missing.is_empty(),
            "{} texts have no German version:\n{}",
            missing.len(),
            missing.join("\n")
        );
    }

    #[test]
    fn the_scan_reads_calls_over_several_lines() {
        let code = "x(ApiError::validation(\n    \"field\",\n    &format!(\"must be at most {max} \\\n     characters\"),\n))";
        let at =
            code.find("ApiError::validation(").expect("a call") + "ApiError::validation(".len();
        let args = arguments(code, at).expect("arguments");
        assert_eq!(args.len(), 3);
        assert_eq!(
            text_of(args[1]),
            Some((
                "must be at most {max} characters".to_owned(),
                "must be at most 7 characters".to_owned()
            ))
        );
    }
}
