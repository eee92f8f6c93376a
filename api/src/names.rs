//! Names stored in text columns, which CHECK constraints keep to a closed set, read as the
//! enums the API documents: a status, role or kind is one enum type in requests and
//! responses alike, and the enums spell their values as the database stores them.

use serde::de::value::{Error, StrDeserializer};
use serde::de::{DeserializeOwned, IntoDeserializer};

/// `raw` as the enum `T`; `otherwise` for a name `T` does not know (which the column's
/// constraint rules out).
pub fn stored<T: DeserializeOwned>(raw: &str, otherwise: T) -> T {
    let names: StrDeserializer<'_, Error> = raw.into_deserializer();
    T::deserialize(names).unwrap_or(otherwise)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::centres::CentreStatusBody;
    use crate::routes::operators::api_keys::ScopeBody;

    #[test]
    fn stored_names_read_as_their_enums() {
        assert_eq!(
            stored("temporarily_closed", CentreStatusBody::Active),
            CentreStatusBody::TemporarilyClosed
        );
        assert_eq!(
            stored("roster:read", ScopeBody::ActivitiesWrite),
            ScopeBody::RosterRead
        );
        assert_eq!(
            stored("no such name", CentreStatusBody::Closed),
            CentreStatusBody::Closed
        );
    }
}
