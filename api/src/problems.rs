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
}

macro_rules! catalogue {
    ($($name:ident = $slug:literal, $status:literal, $title:literal;)*) => {
        $(
            #[doc = concat!("`", $slug, "` (", stringify!($status), "): ", $title, ".")]
            pub const $name: ProblemType = ProblemType { slug: $slug, status: $status, title: $title };
        )*
        /// Every problem type, in the order of the list above.
        pub const ALL: &[ProblemType] = &[$($name),*];
    };
}

catalogue! {
    MALFORMED_REQUEST = "malformed-request", 400, "The request could not be read";
    VALIDATION_FAILED = "validation-failed", 422, "The request has invalid fields";
    IMPORT_INVALID = "import-invalid", 422, "The import has invalid lines";
    QUALIFICATION_MISSING = "qualification-missing", 422, "A required qualification is missing";
    UNAUTHENTICATED = "unauthenticated", 401, "Authentication required";
    INVALID_CREDENTIALS = "invalid-credentials", 401, "Invalid credentials";
    INVALID_REFRESH_TOKEN = "invalid-refresh-token", 401, "Invalid refresh token";
    FORBIDDEN = "forbidden", 403, "Forbidden";
    WRONG_PASSWORD = "wrong-password", 403, "Wrong password";
    NOT_FOUND = "not-found", 404, "Not found";
    METHOD_NOT_ALLOWED = "method-not-allowed", 405, "Method not allowed";
    EMAIL_TAKEN = "email-taken", 409, "E-mail address taken";
    SLUG_TAKEN = "slug-taken", 409, "Name taken";
    EXTERNAL_ID_TAKEN = "external-id-taken", 409, "External id taken";
    ALREADY_MEMBER = "already-member", 409, "Already a member";
    LAST_ADMIN = "last-admin", 409, "The last administrator";
    DISTRICT_IN_USE = "district-in-use", 409, "District in use";
    ALREADY_SIGNED_UP = "already-signed-up", 409, "Already signed up";
    SHIFT_CANCELLED = "shift-cancelled", 409, "Shift cancelled";
    SHIFT_PAST = "shift-past", 409, "Shift begun or over";
    OVERLAPPING_SHIFT = "overlapping-shift", 409, "Overlapping shift";
    CAPACITY_BELOW_CONFIRMED = "capacity-below-confirmed", 409, "Capacity below the confirmed sign-ups";
    SIGNUP_NOT_LIVE = "signup-not-live", 409, "Sign-up not live";
    SIGNUP_NOT_CONFIRMED = "signup-not-confirmed", 409, "Sign-up not confirmed";
    NOT_YET = "not-yet", 409, "Not yet";
    VERSION_CONFLICT = "version-conflict", 412, "Version conflict";
    PAYLOAD_TOO_LARGE = "payload-too-large", 413, "Payload too large";
    UNSUPPORTED_MEDIA_TYPE = "unsupported-media-type", 415, "Unsupported media type";
    PRECONDITION_REQUIRED = "precondition-required", 428, "Precondition required";
    RATE_LIMITED = "rate-limited", 429, "Too many requests";
    INTERNAL_ERROR = "internal-error", 500, "Internal error";
    SERVICE_UNAVAILABLE = "service-unavailable", 503, "Service unavailable";
    CONFLICT = "conflict", 409, "Conflict";
    REFUSED = "refused", 422, "Refused";
    LINK_INVALID = "link-invalid", 422, "Link expired, used or unknown";
    GUESTS_NOT_WELCOME = "guests-not-welcome", 409, "Guests cannot sign up here";
    ACCOUNT_NEEDED = "account-needed", 409, "An account is needed";
    SHIFT_FULL = "shift-full", 409, "No place free";
    EMAIL_NOT_VERIFIED = "email-not-verified", 409, "E-mail address not verified";
    ALREADY_VERIFIED = "already-verified", 409, "E-mail address already verified";
}

/// The problem type with this slug.
pub fn find(slug: &str) -> Option<&'static ProblemType> {
    ALL.iter().find(|problem| problem.slug == slug)
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
