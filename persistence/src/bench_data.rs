//! A city-sized dataset for benchmarks, made by PostgreSQL itself (`generate_series`, a
//! statement per table), reproducible from a seed.
//!
//! At scale 1: 60 districts (a sixth of them top level), 40 operators with a coordinator
//! each, 400 centres, 8 000 activities (three quarters weekly, a fifth fortnightly, the rest
//! monthly; 95 % published) with their occurrences from a month back to a year ahead (about
//! 390 000), a shift on every fifth occurrence, staggered per activity so that every week of
//! the year has full shifts with waitlists (about 78 000, 2–8 places), 50 000 volunteers
//! and about 500 000 sign-ups: most shifts full, many with a waitlist, some with places
//! left. Nobody is signed up for two shifts on one day, so the overlap rule holds by
//! construction.
//!
//! "Random" choices are hashes of the seed and a row number, and ids are UUID v7 made from a
//! fixed instant and the row number: the same seed on the same day (dates follow today)
//! makes the same data, whatever plan PostgreSQL picks.

use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::{Error, Result};

/// How many of each, at a scale.
#[derive(Debug, Clone, Copy)]
pub struct Counts {
    pub districts: i64,
    pub operators: i64,
    pub centres: i64,
    pub activities: i64,
    pub volunteers: i64,
    pub concerns: i64,
}

impl Counts {
    pub fn at(scale: f64) -> Self {
        let n = |base: f64| ((base * scale).round() as i64).max(1);
        Self {
            districts: n(60.0).max(2),
            operators: n(40.0),
            centres: n(400.0),
            activities: n(8000.0),
            volunteers: n(50_000.0).max(20),
            concerns: n(20_000.0).max(20),
        }
    }
}

/// The statements, in order, with `{…}` placeholders for the counts.
const STATEMENTS: &[(&str, &str)] = &[
    (
        "helpers",
        "CREATE OR REPLACE FUNCTION pg_temp.uuid7(at timestamptz, n bigint) RETURNS uuid \
         LANGUAGE sql IMMUTABLE AS $f$ \
           SELECT (lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0') || '7' \
             || lpad(to_hex(n & 4095), 3, '0') || '8' || lpad(to_hex((n >> 12) & 4095), 3, '0') \
             || lpad(to_hex(abs(hashtextextended(n::text, 7)) % 281474976710656), 12, '0'))::uuid $f$",
    ),
    (
        "helpers",
        "CREATE OR REPLACE FUNCTION pg_temp.rnd(seed bigint, k text, i bigint) RETURNS double precision \
         LANGUAGE sql IMMUTABLE AS $f$ \
           SELECT (abs(hashtextextended(k || ':' || i, seed)) % 1000000) / 1000000.0 $f$",
    ),
    (
        "districts",
        "INSERT INTO districts (id, name, slug, town, parent_id, latitude, longitude) \
         SELECT pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + i * interval '1 ms', i), 'Bezirk ' || i, 'bezirk-' || i, 'Benchstadt', \
           CASE WHEN i > {top} THEN pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + (((i - 1) % {top}) + 1) * interval '1 ms', ((i - 1) % {top}) + 1) END, \
           51.40 + pg_temp.rnd({seed}, 'dlat', i) * 0.20, 7.30 + pg_temp.rnd({seed}, 'dlon', i) * 0.30 \
         FROM generate_series(1, {districts}) i",
    ),
    (
        "operators",
        "INSERT INTO operators (id, name, kind) \
         SELECT pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + i * interval '1 ms', 1000000 + i), 'Träger ' || i, \
           (ARRAY['municipality', 'housing_company', 'church_or_welfare', 'association', 'other'])[1 + i % 5] \
         FROM generate_series(1, {operators}) i",
    ),
    (
        "centres",
        "INSERT INTO centres (id, operator_id, district_id, name, kind, street, postcode, town, latitude, longitude, languages, step_free) \
         SELECT pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + i * interval '1 ms', 2000000 + i), \
           pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + (((i - 1) % {operators}) + 1) * interval '1 ms', 1000000 + ((i - 1) % {operators}) + 1), \
           pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + (((i * 7) % {districts}) + 1) * interval '1 ms', ((i * 7) % {districts}) + 1), \
           'Quartierszentrum ' || i, 'community_house', 'Hauptstraße ' || i, '44135', 'Benchstadt', \
           51.40 + pg_temp.rnd({seed}, 'clat', i) * 0.20, 7.30 + pg_temp.rnd({seed}, 'clon', i) * 0.30, \
           CASE WHEN i % 3 = 0 THEN ARRAY['de', 'tr'] ELSE ARRAY['de'] END, i % 2 = 0 \
         FROM generate_series(1, {centres}) i",
    ),
    (
        "activities",
        "INSERT INTO activities (id, centre_id, operator_id, title, description, category, target_groups, languages, \
           free_of_charge, status, schedule_kind, time_zone, first_start_local, first_start, duration_minutes, rrule, materialized_until) \
         SELECT id, centre_id, operator_id, title, description, category, target_groups, languages, true, status, \
           'recurring', 'Europe/Berlin', first_local, first_local AT TIME ZONE 'Europe/Berlin', duration, rule, now() + interval '365 days' \
         FROM ( \
           SELECT pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + i * interval '1 ms', 3000000 + i) AS id, \
             pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + (((i - 1) % {centres}) + 1) * interval '1 ms', 2000000 + ((i - 1) % {centres}) + 1) AS centre_id, \
             pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + (((((i - 1) % {centres})) % {operators}) + 1) * interval '1 ms', 1000000 + (((i - 1) % {centres}) % {operators}) + 1) AS operator_id, \
             (ARRAY['Kaffeetisch', 'Spielgruppe', 'Sprachcafé', 'Seniorentreff', 'Hausaufgabenhilfe', 'Nähkurs', 'Repair-Café', 'Kochabend'])[1 + i % 8] || ' ' || i AS title, \
             (ARRAY['Kaffee und Kuchen für die Nachbarschaft', 'Spielen und Basteln für Kinder', 'Deutsch üben bei Kaffee', 'Gemeinsam statt einsam', \
                    'Hilfe bei den Hausaufgaben', 'Nähen und Flicken', 'Reparieren statt wegwerfen', 'Zusammen kochen und essen'])[1 + i % 8] AS description, \
             (ARRAY['coffee_table', 'play_group', 'course', 'open_meetup', 'counselling', 'course', 'project', 'interest_group'])[1 + i % 8] AS category, \
             CASE i % 4 WHEN 0 THEN ARRAY['children', 'families'] WHEN 1 THEN ARRAY['seniors'] WHEN 2 THEN ARRAY['all_generations'] ELSE ARRAY['adults'] END AS target_groups, \
             CASE WHEN i % 5 = 0 THEN ARRAY['de', 'tr'] WHEN i % 7 = 0 THEN ARRAY['de', 'ar'] ELSE ARRAY['de'] END AS languages, \
             CASE WHEN pg_temp.rnd({seed}, 'draft', i) < 0.05 THEN 'draft' ELSE 'published' END AS status, \
             date_trunc('day', now() AT TIME ZONE 'Europe/Berlin') - interval '31 days' + (i % 7) * interval '1 day' \
               + (9 + i % 11) * interval '1 hour' + (i % 2) * interval '30 minutes' AS first_local, \
             60 + 30 * (i % 5) AS duration, \
             CASE WHEN pg_temp.rnd({seed}, 'freq', i) < 0.75 THEN 'FREQ=WEEKLY' \
                  WHEN pg_temp.rnd({seed}, 'freq', i) < 0.95 THEN 'FREQ=WEEKLY;INTERVAL=2' \
                  ELSE 'FREQ=MONTHLY;BYMONTHDAY=' || extract(day FROM date_trunc('day', now() AT TIME ZONE 'Europe/Berlin') - interval '31 days' + (i % 7) * interval '1 day')::int END AS rule \
           FROM generate_series(1, {activities}) i) a",
    ),
    (
        "occurrences",
        "INSERT INTO occurrences (id, activity_id, original_start, starts_at, ends_at) \
         SELECT pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + n * interval '1 ms', 4000000000 + n), activity_id, at, at, at + duration * interval '1 minute' \
         FROM ( \
           SELECT row_number() OVER () AS n, a.id AS activity_id, local AT TIME ZONE 'Europe/Berlin' AS at, a.duration_minutes AS duration \
           FROM activities a CROSS JOIN LATERAL generate_series( \
             a.first_start_local, a.first_start_local + interval '396 days', \
             CASE a.rrule WHEN 'FREQ=WEEKLY' THEN interval '7 days' WHEN 'FREQ=WEEKLY;INTERVAL=2' THEN interval '14 days' ELSE interval '1 month' END) local \
         ) o",
    ),
    (
        "shifts",
        "INSERT INTO shifts (id, centre_id, operator_id, occurrence_id, title, starts_at, ends_at, capacity, skills) \
         SELECT pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + n * interval '1 ms', 5000000000 + n), centre_id, operator_id, occurrence_id, \
           (ARRAY['Aufbau und Kaffee kochen', 'Kinderbetreuung', 'Küche', 'Empfang'])[1 + n % 4], starts_at, ends_at, \
           2 + (abs(hashtextextended('cap:' || n, {seed})) % 7), \
           CASE n % 4 WHEN 0 THEN ARRAY['kitchen', 'baking'] WHEN 1 THEN ARRAY['childcare'] WHEN 2 THEN ARRAY['kitchen'] ELSE ARRAY['welcome'] END \
         FROM ( \
           SELECT row_number() OVER () AS n, a.centre_id, a.operator_id, o.id AS occurrence_id, o.starts_at, o.ends_at \
           FROM (SELECT o.*, row_number() OVER (PARTITION BY o.activity_id ORDER BY o.starts_at) AS k FROM occurrences o) o \
           JOIN activities a ON a.id = o.activity_id \
           WHERE (o.k + abs(hashtextextended('offset:' || a.id, {seed}))) % 5 = 0 \
         ) s",
    ),
    (
        "users",
        "INSERT INTO users (id, email, display_name, password_hash, privacy_consent_at) \
         SELECT pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + i * interval '1 ms', 6000000000 + i), 'freiwillig-' || i || '@bench.example', \
           'Freiwillige ' || i, $1, now() \
         FROM generate_series(1, {volunteers}) i",
    ),
    (
        "staff",
        "INSERT INTO users (id, email, display_name, password_hash, privacy_consent_at) \
         SELECT pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + i * interval '1 ms', 7000000000 + i), 'koordination-' || i || '@bench.example', \
           'Koordination ' || i, $1, now() \
         FROM generate_series(1, {operators}) i",
    ),
    (
        "staff roles",
        "INSERT INTO operator_members (operator_id, user_id, role) \
         SELECT pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + i * interval '1 ms', 1000000 + i), \
           pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + i * interval '1 ms', 7000000000 + i), 'coordinator' \
         FROM generate_series(1, {operators}) i",
    ),
    (
        "concern categories",
        "INSERT INTO concern_categories (id, name, kind, operator_id, needs_moderation) \
         SELECT pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + i * interval '1 ms', 8000000 + i), \
           (ARRAY['Spielplätze', 'Grünflächen', 'Verkehr', 'Sauberkeit', 'Treffpunkte', 'Nachbarschaftshilfe', 'Kultur', 'Sicherheit'])[i], \
           (ARRAY['problem', 'idea', 'problem', 'problem', 'idea', 'need', 'idea', 'need'])[i], \
           pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + (((i - 1) % {operators}) + 1) * interval '1 ms', 1000000 + ((i - 1) % {operators}) + 1), \
           false \
         FROM generate_series(1, 8) i",
    ),
    (
        "concerns",
        "INSERT INTO concerns (id, kind, category_id, title, text, district_id, latitude, longitude, author_id, \
           status, operator_id, support_count, published_at, created_at, updated_at) \
         SELECT pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + i * interval '1 ms', 9000000 + i), \
           (ARRAY['problem', 'idea', 'problem', 'problem', 'idea', 'need', 'idea', 'need'])[1 + i % 8], \
           pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + (1 + i % 8) * interval '1 ms', 8000000 + 1 + i % 8), \
           (ARRAY['Sitzbank am Spielplatz fehlt', 'Mehr Bäume an der Hauptstraße', 'Zebrastreifen vor der Schule', \
                  'Müll am Bolzplatz', 'Ein Nachbarschaftscafé', 'Einkaufshilfe für Ältere', 'Straßenfest im Sommer', \
                  'Beleuchtung im Park'])[1 + i % 8] || ' ' || (ARRAY['Nordstraße', 'am Markt', 'Lindenweg', 'beim Bahnhof', \
                  'Schulstraße', 'im Hof', 'Ringstraße', 'am Kanal', 'Parkallee', 'Kirchplatz'])[1 + (i / 8) % 10] || ' ' || i, \
           'Anliegen ' || i || ' aus der Nachbarschaft: bitte kümmern Sie sich darum.', \
           pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + (((i * 11) % {districts}) + 1) * interval '1 ms', ((i * 11) % {districts}) + 1), \
           51.40 + pg_temp.rnd({seed}, 'qlat', i) * 0.20, 7.30 + pg_temp.rnd({seed}, 'qlon', i) * 0.30, \
           pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + (((i - 1) % {volunteers}) + 1) * interval '1 ms', 6000000000 + ((i - 1) % {volunteers}) + 1), \
           status, \
           pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + (((i % 8) % {operators}) + 1) * interval '1 ms', 1000000 + ((i % 8) % {operators}) + 1), \
           0, CASE WHEN status = 'submitted' THEN NULL ELSE made END, made, made \
         FROM (SELECT i, now() - (i % 700) * interval '1 hour' AS made, \
                 (ARRAY['submitted', 'published', 'published', 'published', 'in_review', 'accepted', 'in_progress', 'done', 'published', 'referred']) \
                   [1 + floor(pg_temp.rnd({seed}, 'qstatus', i) * 10)::int] AS status \
               FROM generate_series(1, {concerns}) i) c",
    ),
    (
        "signups",
        "INSERT INTO signups (id, shift_id, user_id, status, starts_at, ends_at, queued_at, confirmed_at) \
         SELECT pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + m * interval '1 ms', 8000000000 + m), shift_id, user_id, \
           CASE WHEN slot <= capacity THEN 'confirmed' ELSE 'waitlisted' END, starts_at, ends_at, \
           now() - interval '60 days' + slot * interval '1 second', \
           CASE WHEN slot <= capacity THEN now() - interval '60 days' + slot * interval '1 second' END \
         FROM ( \
           SELECT row_number() OVER () AS m, s.id AS shift_id, s.capacity, s.starts_at, s.ends_at, slot, \
             pg_temp.uuid7(timestamptz '2026-01-01 00:00:00+00' + u * interval '1 ms', 6000000000 + u) AS user_id \
           FROM ( \
             SELECT s.*, row_number() OVER (PARTITION BY (s.starts_at AT TIME ZONE 'Europe/Berlin')::date ORDER BY s.id) - 1 AS k, \
               (s.starts_at AT TIME ZONE 'Europe/Berlin')::date - date '2000-01-01' AS day, \
               s.capacity - 1 + (abs(hashtextextended('fill:' || s.id, {seed})) % 6) AS wanted \
             FROM shifts s) s \
           CROSS JOIN LATERAL generate_series(1, s.wanted) slot \
           CROSS JOIN LATERAL (SELECT ((s.day * 2311 + s.k * 11 + slot) % {volunteers}) + 1 AS u) pick \
         ) x",
    ),
    (
        "confirmed counts",
        "UPDATE shifts s SET confirmed_count = c.n \
         FROM (SELECT shift_id, count(*) AS n FROM signups WHERE status = 'confirmed' GROUP BY shift_id) c \
         WHERE c.shift_id = s.id",
    ),
];

/// Fills an empty database with the dataset at `counts`, from `seed`, in one transaction;
/// every account gets `password_hash`. Returns the rows each table then holds.
pub async fn fill(
    conn: &mut AsyncPgConnection,
    counts: Counts,
    seed: i64,
    password_hash: &str,
) -> Result<Vec<(&'static str, i64)>> {
    let fill = |sql: &str| {
        sql.replace("{seed}", &seed.to_string())
            .replace("{top}", &(counts.districts / 6).max(1).to_string())
            .replace("{districts}", &counts.districts.to_string())
            .replace("{operators}", &counts.operators.to_string())
            .replace("{centres}", &counts.centres.to_string())
            .replace("{activities}", &counts.activities.to_string())
            .replace("{volunteers}", &counts.volunteers.to_string())
            .replace("{concerns}", &counts.concerns.to_string())
    };
    let statements: Vec<(&str, String)> = STATEMENTS
        .iter()
        .map(|(name, sql)| (*name, fill(sql)))
        .collect();
    conn.transaction::<_, Error, _>(async |conn| {
        diesel::sql_query("SET LOCAL statement_timeout = 0")
            .execute(conn)
            .await?;
        for (name, sql) in &statements {
            let started = std::time::Instant::now();
            if sql.contains("$1") {
                diesel::sql_query(sql.as_str())
                    .bind::<Text, _>(password_hash)
                    .execute(conn)
                    .await?;
            } else {
                diesel::sql_query(sql.as_str()).execute(conn).await?;
            }
            tracing::info!(
                step = name,
                ms = started.elapsed().as_millis() as u64,
                "seeded"
            );
        }
        Ok(())
    })
    .await?;
    diesel::sql_query("ANALYZE").execute(conn).await?;
    let mut made = Vec::new();
    for table in [
        "districts",
        "operators",
        "centres",
        "activities",
        "occurrences",
        "shifts",
        "users",
        "signups",
        "concerns",
    ] {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let count: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
            .get_result(conn)
            .await?;
        made.push((table, count.n));
    }
    Ok(made)
}
