//! The catalogue of problem types: every `type` a Quartier problem can carry, with its
//! status and title. Errors name their type from here, the OpenAPI document gives each
//! documented error an example built from here, and a test holds every problem type an
//! operation documents to this list.

/// One kind of problem: `type` is `/problems/<slug>`.
#[derive(Debug, PartialEq, Eq)]
pub struct ProblemType {
    pub slug: &'static str,
    pub status: u16,
    pub title: &'static str,
    /// The title in German, for readers who prefer it (`Accept-Language`).
    pub title_de: &'static str,
}

macro_rules! catalogue {
    ($($name:ident = $slug:literal, $status:literal, $title:literal, $title_de:literal;)*) => {
        $(
            #[doc = concat!("`", $slug, "` (", stringify!($status), "): ", $title, ".")]
            pub const $name: ProblemType = ProblemType {
                slug: $slug,
                status: $status,
                title: $title,
                title_de: $title_de,
            };
        )*
        /// Every problem type, in the order of the list above.
        pub const ALL: &[ProblemType] = &[$($name),*];
    };
}

catalogue! {
    MALFORMED_REQUEST = "malformed-request", 400, "The request could not be read", "Die Anfrage konnte nicht gelesen werden";
    VALIDATION_FAILED = "validation-failed", 422, "The request has invalid fields", "Die Anfrage hat ungültige Felder";
    IMPORT_INVALID = "import-invalid", 422, "The import has invalid lines", "Der Import hat ungültige Zeilen";
    QUALIFICATION_MISSING = "qualification-missing", 422, "A required qualification is missing", "Eine nötige Qualifikation fehlt";
    UNAUTHENTICATED = "unauthenticated", 401, "Authentication required", "Anmeldung nötig";
    INVALID_CREDENTIALS = "invalid-credentials", 401, "Invalid credentials", "Anmeldedaten falsch";
    INVALID_REFRESH_TOKEN = "invalid-refresh-token", 401, "Invalid refresh token", "Ungültiges Refresh-Token";
    FORBIDDEN = "forbidden", 403, "Forbidden", "Nicht erlaubt";
    WRONG_PASSWORD = "wrong-password", 403, "Wrong password", "Falsches Passwort";
    NOT_FOUND = "not-found", 404, "Not found", "Nicht gefunden";
    METHOD_NOT_ALLOWED = "method-not-allowed", 405, "Method not allowed", "Methode nicht erlaubt";
    EMAIL_TAKEN = "email-taken", 409, "E-mail address taken", "E-Mail-Adresse vergeben";
    SLUG_TAKEN = "slug-taken", 409, "Name taken", "Name vergeben";
    EXTERNAL_ID_TAKEN = "external-id-taken", 409, "External id taken", "Externe ID vergeben";
    ALREADY_MEMBER = "already-member", 409, "Already a member", "Schon Mitglied";
    LAST_ADMIN = "last-admin", 409, "The last administrator", "Letzte Administratorin oder letzter Administrator";
    DISTRICT_IN_USE = "district-in-use", 409, "District in use", "Stadtteil in Gebrauch";
    ALREADY_SIGNED_UP = "already-signed-up", 409, "Already signed up", "Schon angemeldet";
    SHIFT_CANCELLED = "shift-cancelled", 409, "Shift cancelled", "Schicht abgesagt";
    SHIFT_PAST = "shift-past", 409, "Shift begun or over", "Schicht begonnen oder vorbei";
    OVERLAPPING_SHIFT = "overlapping-shift", 409, "Overlapping shift", "Überschneidende Schicht";
    CAPACITY_BELOW_CONFIRMED = "capacity-below-confirmed", 409, "Capacity below the confirmed sign-ups", "Kapazität unter den bestätigten Anmeldungen";
    SIGNUP_NOT_LIVE = "signup-not-live", 409, "Sign-up not live", "Anmeldung nicht aktiv";
    SIGNUP_NOT_CONFIRMED = "signup-not-confirmed", 409, "Sign-up not confirmed", "Anmeldung nicht bestätigt";
    NOT_YET = "not-yet", 409, "Not yet", "Noch nicht";
    CONCERN_NOT_OPEN = "concern-not-open", 409, "Concern not open", "Anliegen nicht offen";
    CONCERN_MOVE_NOT_ALLOWED = "concern-move-not-allowed", 409, "Move not allowed", "Schritt nicht erlaubt";
    ANSWER_PUBLISHED = "answer-published", 409, "Answer published", "Antwort veröffentlicht";
    OUTCOME_LINKED = "outcome-linked", 409, "Outcome linked already", "Ergebnis schon verknüpft";
    VERSION_CONFLICT = "version-conflict", 412, "Version conflict", "Versionskonflikt";
    PAYLOAD_TOO_LARGE = "payload-too-large", 413, "Payload too large", "Anfrage zu groß";
    UNSUPPORTED_MEDIA_TYPE = "unsupported-media-type", 415, "Unsupported media type", "Medientyp nicht unterstützt";
    PRECONDITION_REQUIRED = "precondition-required", 428, "Precondition required", "Vorbedingung nötig";
    RATE_LIMITED = "rate-limited", 429, "Too many requests", "Zu viele Anfragen";
    INTERNAL_ERROR = "internal-error", 500, "Internal error", "Interner Fehler";
    SERVICE_UNAVAILABLE = "service-unavailable", 503, "Service unavailable", "Dienst nicht verfügbar";
    CONFLICT = "conflict", 409, "Conflict", "Konflikt";
    REFUSED = "refused", 422, "Refused", "Abgelehnt";
    LINK_INVALID = "link-invalid", 422, "Link expired, used or unknown", "Link abgelaufen, benutzt oder unbekannt";
    GUESTS_NOT_WELCOME = "guests-not-welcome", 409, "Guests cannot sign up here", "Gäste können sich hier nicht anmelden";
    ACCOUNT_NEEDED = "account-needed", 409, "An account is needed", "Ein Konto ist nötig";
    SHIFT_FULL = "shift-full", 409, "No place free", "Kein Platz frei";
    WORKLOAD_LIMIT = "workload-limit", 409, "Workload limit reached", "Belastungsgrenze erreicht";
    EMAIL_NOT_VERIFIED = "email-not-verified", 409, "E-mail address not verified", "E-Mail-Adresse nicht bestätigt";
    ALREADY_VERIFIED = "already-verified", 409, "E-mail address already verified", "E-Mail-Adresse schon bestätigt";
    ROOM_TAKEN = "room-taken", 409, "Room taken", "Raum belegt";
    BOOKING_DECIDED = "booking-decided", 409, "Booking date decided", "Termin schon entschieden";
    BOOKING_LIMIT = "booking-limit", 409, "Booking limit reached", "Buchungsgrenze erreicht";
    TOO_MANY_STANDING_SIGNUPS = "too-many-standing-signups", 409, "Too many standing sign-ups", "Zu viele feste Anmeldungen";
    STANDING_SIGNUP_EXISTS = "standing-signup-exists", 409, "Standing sign-up exists", "Feste Anmeldung besteht schon";
    STANDING_SIGNUP_ENDED = "standing-signup-ended", 409, "Standing sign-up ended", "Feste Anmeldung beendet";
    TOO_MANY_BLOCKOUTS = "too-many-blockouts", 409, "Too many blockouts", "Zu viele Abwesenheiten";
    OFFER_NOT_OPEN = "offer-not-open", 409, "No open offer", "Kein offenes Angebot";
    FUND_STEP_NOT_ALLOWED = "fund-step-not-allowed", 409, "Step not allowed", "Schritt nicht möglich";
    OVER_BUDGET = "over-budget", 409, "Over the fund's budget", "Über dem Budget des Fonds";
    COMMITTEE_NEEDED = "committee-needed", 422, "The committee must decide", "Das Gremium muss entscheiden";
    OVER_PROJECT_MAXIMUM = "over-project-maximum", 422, "Over the most a project may get", "Über dem Höchstbetrag je Projekt";
    FUND_CLOSED = "fund-closed", 409, "Fund closed", "Fonds geschlossen";
    BUDGET_BELOW_GRANTED = "budget-below-granted", 409, "Budget below what was granted", "Budget unter dem Bewilligten";
    HELP_REQUEST_CLOSED = "help-request-closed", 409, "Help request closed", "Hilfegesuch geschlossen";
    HELP_REQUEST_FULL = "help-request-full", 409, "Every helper place is held", "Alle Helferplätze vergeben";
    HELP_ALREADY_MATCHED = "help-already-matched", 409, "Helper already matched", "Schon vermittelt";
    HELP_OWN_REQUEST = "help-own-request", 422, "Own help request", "Eigenes Hilfegesuch";
    HELP_CAP_REACHED = "help-cap-reached", 409, "Monthly help cap reached", "Monatliche Grenze erreicht";
    HELP_STEP_NOT_ALLOWED = "help-step-not-allowed", 409, "Step not allowed", "Schritt nicht erlaubt";
    HELP_MEDIATED = "help-mediated", 409, "Help request mediated by staff", "Vermittlung durch die Einrichtung";
}

/// The problem type with this slug.
pub fn find(slug: &str) -> Option<&'static ProblemType> {
    ALL.iter().find(|problem| problem.slug == slug)
}

/// The problem type a `type` URI reference (`/problems/<slug>`) names.
pub fn find_uri(uri: &str) -> Option<&'static ProblemType> {
    uri.strip_prefix("/problems/").and_then(find)
}

impl ProblemType {
    /// Its `type` URI reference.
    pub fn uri(&self) -> String {
        format!("/problems/{}", self.slug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every problem type a handler names by its slug is in the catalogue (a slug outside
    /// it would be answered as the generic `conflict` or `refused`).
    #[test]
    fn every_slug_in_the_code_is_in_the_catalogue() {
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        let mut named = 0;
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).expect("a directory").flatten() {
                    stack.push(entry.path());
                }
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            for marker in ["slug: \"", "conflict(\""] {
                for (i, _) in text.match_indices(marker) {
                    let rest = &text[i + marker.len()..];
                    let slug = &rest[..rest.find('"').expect("a closing quote")];
                    assert!(
                        find(slug).is_some(),
                        "{}: `{slug}` is not in the catalogue",
                        path.display()
                    );
                    named += 1;
                }
            }
        }
        assert!(named > 10, "the scan found the slugs");
    }

    #[test]
    fn slugs_are_unique_and_statuses_are_errors() {
        for (i, problem) in ALL.iter().enumerate() {
            assert!((400..600).contains(&problem.status), "{}", problem.slug);
            assert!(
                ALL[..i].iter().all(|other| other.slug != problem.slug),
                "{} twice",
                problem.slug
            );
        }
    }
}
