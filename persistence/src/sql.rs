//! A raw SQL statement put together from the filters a search actually uses, so PostgreSQL
//! plans only the conditions that apply.

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, BoxedSqlQuery, Query, QueryFragment, QueryId, SqlQuery};
use diesel::serialize::ToSql;
use diesel::sql_types::HasSqlType;

/// SQL text with numbered bind parameters, appended to piece by piece.
pub(crate) struct Statement<'f> {
    query: Option<BoxedSqlQuery<'f, Pg, SqlQuery>>,
    binds: usize,
}

impl<'f> Statement<'f> {
    pub(crate) fn new(sql: &str) -> Self {
        Self {
            query: Some(diesel::sql_query(sql).into_boxed()),
            binds: 0,
        }
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.query = self.query.take().map(|q| q.sql(sql));
        self
    }

    /// Appends a placeholder for `value` and binds it.
    pub(crate) fn bind<ST, V>(&mut self, value: V) -> &mut Self
    where
        Pg: HasSqlType<ST>,
        V: ToSql<ST, Pg> + Send + 'f,
        ST: Send + 'f,
    {
        self.binds += 1;
        let placeholder = format!("${}", self.binds);
        self.query = self
            .query
            .take()
            .map(|q| q.sql(placeholder).bind::<ST, V>(value));
        self
    }

    /// Binds `value` without writing its placeholder; returns its number for `$n` in SQL
    /// appended later.
    pub(crate) fn param<ST, V>(&mut self, value: V) -> usize
    where
        Pg: HasSqlType<ST>,
        V: ToSql<ST, Pg> + Send + 'f,
        ST: Send + 'f,
    {
        self.binds += 1;
        self.query = self.query.take().map(|q| q.bind::<ST, V>(value));
        self.binds
    }

    /// Appends ` AND c.district_id IN (...)`: the district and every district inside it, at
    /// any depth (`c` is the centre in the statement).
    pub(crate) fn push_in_district(&mut self, district: uuid::Uuid) -> &mut Self {
        self.push_district_within("c.district_id", district)
    }

    /// Appends ` AND {column} IN (...)`: the district and every district inside it.
    pub(crate) fn push_district_within(&mut self, column: &str, district: uuid::Uuid) -> &mut Self {
        self.push(&format!(
            " AND {column} IN (WITH RECURSIVE subtree (id) AS (SELECT id FROM districts WHERE id = "
        ))
        .bind::<diesel::sql_types::Uuid, _>(district)
        .push(
            " UNION SELECT d2.id FROM districts d2 JOIN subtree t ON d2.parent_id = t.id) \
             SELECT id FROM subtree)",
        )
    }

    /// The statement, prepared and planned anew at each execution: for statements whose text
    /// carries values (a report's period), which a per-connection cache would only fill up.
    pub(crate) fn finish_planned_each_time(mut self) -> BoxedSqlQuery<'f, Pg, SqlQuery> {
        match self.query.take() {
            Some(query) => query,
            None => diesel::sql_query("").into_boxed(),
        }
    }

    pub(crate) fn finish(mut self) -> Reusable<BoxedSqlQuery<'f, Pg, SqlQuery>> {
        Reusable(match self.query.take() {
            Some(query) => query,
            None => diesel::sql_query("").into_boxed(),
        })
    }
}

/// Raw SQL whose text depends only on which conditions it has, never on values (those are
/// bound): each connection prepares it once and keeps it, with its plan. Diesel treats raw
/// SQL as never reusable, which costs every execution a prepare round trip and a planning.
#[derive(Debug, Clone)]
pub(crate) struct Reusable<Q>(pub(crate) Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Reusable<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> QueryId for Reusable<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Reusable<Q> {
    type SqlType = Q::SqlType;
}

impl<Q> diesel::query_dsl::RunQueryDslSupport for Reusable<Q> {}
