//! The audit trail: who read or changed personal data, when, and about whom. Entries name
//! principals, objects and people by id only, so the trail itself holds no personal details
//! and outlives the accounts it mentions.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::Result;
use crate::schema::audit_events;

/// Who did it: a person, an operator's API key, or Quartier itself (a background task).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User(Uuid),
    Key(Uuid),
    System,
}

/// An entry to write.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub actor: Actor,
    /// `roster.viewed`, `qualification.verified`, `member.role_changed`, …
    pub action: &'a str,
    /// `shift`, `centre`, `operator`, `user`, `qualification`, `api_key`, …
    pub object_type: &'a str,
    pub object_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    /// The people whose data was read or changed.
    pub subjects: Vec<Uuid>,
    /// What else helps to understand the entry (a format, a range, a new role); never names.
    pub details: serde_json::Value,
}

impl<'a> NewEntry<'a> {
    /// An entry about the object `object_type` `object_id`, about no one yet.
    pub fn new(actor: Actor, action: &'a str, object_type: &'a str, object_id: Uuid) -> Self {
        Self {
            object_id: Some(object_id),
            ..Self::of_many(actor, action, object_type)
        }
    }

    /// An entry about objects of the kind `object_type` at once (a page of accounts, a batch
    /// of sign-ups), naming none of them.
    pub fn of_many(actor: Actor, action: &'a str, object_type: &'a str) -> Self {
        Self {
            actor,
            action,
            object_type,
            object_id: None,
            operator_id: None,
            subjects: Vec::new(),
            details: serde_json::json!({}),
        }
    }

    pub fn operator(mut self, operator_id: Uuid) -> Self {
        self.operator_id = Some(operator_id);
        self
    }

    pub fn about(mut self, subjects: impl IntoIterator<Item = Uuid>) -> Self {
        self.subjects.extend(subjects);
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    pub async fn record(&self, conn: &mut AsyncPgConnection) -> Result<()> {
        record(conn, self).await
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct EntryRow {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<Uuid>,
    pub actor_key_id: Option<Uuid>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
    pub subjects: Vec<Uuid>,
    pub details: String,
}

/// Writes one entry.
pub async fn record(conn: &mut AsyncPgConnection, entry: &NewEntry<'_>) -> Result<()> {
    let (user, key) = match entry.actor {
        Actor::User(id) => (Some(id), None),
        Actor::Key(id) => (None, Some(id)),
        Actor::System => (None, None),
    };
    let mut subjects = entry.subjects.clone();
    subjects.sort_unstable();
    subjects.dedup();
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(Uuid::now_v7()),
            audit_events::actor_user_id.eq(user),
            audit_events::actor_key_id.eq(key),
            audit_events::action.eq(entry.action),
            audit_events::object_type.eq(entry.object_type),
            audit_events::object_id.eq(entry.object_id),
            audit_events::operator_id.eq(entry.operator_id),
            audit_events::subjects.eq(subjects),
            audit_events::details.eq(entry.details.to_string()),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Which entries a listing shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only entries about this person.
    pub subject: Option<Uuid>,
    /// Only entries by this person.
    pub actor_user: Option<Uuid>,
    /// Only entries by this key.
    pub actor_key: Option<Uuid>,
    pub action: Option<String>,
    pub object_id: Option<Uuid>,
    /// Newest first: only entries before this (time, id).
    pub before: Option<(DateTime<Utc>, Uuid)>,
}

/// Up to `limit` entries, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &Filter,
    limit: i64,
) -> Result<Vec<EntryRow>> {
    let mut query = audit_events::table.into_boxed();
    if let Some(subject) = filter.subject {
        query = query.filter(audit_events::subjects.contains(vec![subject]));
    }
    if let Some(actor) = filter.actor_user {
        query = query.filter(audit_events::actor_user_id.eq(actor));
    }
    if let Some(key) = filter.actor_key {
        query = query.filter(audit_events::actor_key_id.eq(key));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(object) = filter.object_id {
        query = query.filter(audit_events::object_id.eq(object));
    }
    if let Some((at, id)) = filter.before {
        query = query.filter(
            audit_events::at
                .lt(at)
                .or(audit_events::at.eq(at).and(audit_events::id.lt(id))),
        );
    }
    Ok(query
        .order((audit_events::at.desc(), audit_events::id.desc()))
        .limit(limit)
        .select(EntryRow::as_select())
        .load(conn)
        .await?)
}
