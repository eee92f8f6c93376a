//! Status columns read as their domain types: a name the domain does not know fails the read
//! (the columns' CHECK constraints keep such names out). Writes use the types' `as_str`.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::Text;
use quartier_domain::{ShiftStatus, SignupStatus};

macro_rules! status_column {
    ($column:ident, $domain:ty, $what:literal) => {
        #[doc = concat!("A `", $what, "` column as `", stringify!($domain), "`.")]
        #[derive(Debug, Clone, Copy, FromSqlRow)]
        pub struct $column(pub $domain);

        impl FromSql<Text, Pg> for $column {
            fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
                let raw = <String as FromSql<Text, Pg>>::from_sql(value)?;
                <$domain>::parse(&raw)
                    .map($column)
                    .ok_or_else(|| format!(concat!("unknown ", $what, " `{}`"), raw).into())
            }
        }

        impl From<$column> for $domain {
            fn from(column: $column) -> Self {
                column.0
            }
        }
    };
}

status_column!(SignupStatusColumn, SignupStatus, "sign-up status");
status_column!(ShiftStatusColumn, ShiftStatus, "shift status");
