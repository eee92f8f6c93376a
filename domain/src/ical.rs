//! An RFC 5545 iCalendar writer for calendar feeds (`text/calendar`).
//!
//! Times are written in one named zone (`DTSTART;TZID=...`), and the feed carries a
//! VTIMEZONE for that zone, generated from the chrono-tz data for the span the events need.

use chrono::{DateTime, Months, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// A calendar feed: one VCALENDAR.
#[derive(Debug)]
pub struct Calendar<'a> {
    /// X-WR-CALNAME, the name calendar programs show for a subscription.
    pub name: &'a str,
    /// The zone in which DTSTART/DTEND are written (with TZID and a generated VTIMEZONE).
    pub time_zone: Tz,
    /// The events of the feed, one VEVENT each.
    pub events: Vec<Event<'a>>,
    /// What the calendar is for (RFC 5546): a feed publishes; a mail invites or cancels.
    pub method: Method,
}

/// The iTIP method of a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A feed or a download.
    Publish,
    /// An invitation: calendar programs add or update the event (same UID, higher SEQUENCE).
    Request,
    /// A cancellation: calendar programs remove the event with the same UID.
    Cancel,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// One VEVENT.
#[derive(Debug)]
pub struct Event<'a> {
    /// Stable across changes, e.g. `"<uuid>@quartier"`.
    pub uid: String,
    /// Revision counter; raise it when the event changes.
    pub sequence: i32,
    /// Start instant (DTSTART, written as local time in the calendar's zone).
    pub starts_at: DateTime<Utc>,
    /// End instant (DTEND, written as local time in the calendar's zone).
    pub ends_at: DateTime<Utc>,
    /// DTSTAMP / LAST-MODIFIED
    pub updated_at: DateTime<Utc>,
    /// SUMMARY, the title.
    pub summary: &'a str,
    /// DESCRIPTION, free text.
    pub description: Option<&'a str>,
    /// LOCATION, e.g. an address.
    pub location: Option<&'a str>,
    /// (latitude, longitude)
    pub geo: Option<(f64, f64)>,
    /// URL of the event's page.
    pub url: Option<&'a str>,
    /// CATEGORIES.
    pub categories: Vec<&'a str>,
    /// STATUS:CANCELLED instead of STATUS:CONFIRMED.
    pub cancelled: bool,
    /// For invitations: the ORGANIZER's and the ATTENDEE's addresses (`mailto:` is added).
    pub parties: Option<(&'a str, &'a str)>,
}

/// The whole feed as text/calendar: CRLF line endings, lines folded at 75 octets.
pub fn render(calendar: &Calendar<'_>) -> String {
    let mut out = String::new();
    let mut line = |text: &str| push_folded(&mut out, text);
    let zone = calendar.time_zone.name();

    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Quartier//Quartier API//DE");
    line("CALSCALE:GREGORIAN");
    line(&format!("METHOD:{}", calendar.method.as_str()));
    line(&format!("X-WR-CALNAME:{}", escape_text(calendar.name)));
    line(&format!("X-WR-TIMEZONE:{zone}"));
    for text in vtimezone(calendar) {
        line(&text);
    }
    for event in &calendar.events {
        for text in vevent(event, calendar.time_zone) {
            line(&text);
        }
    }
    line("END:VCALENDAR");
    out
}

/// The unfolded content lines of one VEVENT.
fn vevent(event: &Event<'_>, tz: Tz) -> Vec<String> {
    let local = |at: &DateTime<Utc>| at.with_timezone(&tz).format("%Y%m%dT%H%M%S").to_string();
    let updated = event.updated_at.format("%Y%m%dT%H%M%SZ");
    let mut lines = vec![
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape_text(&event.uid)),
        format!("DTSTAMP:{updated}"),
        format!("LAST-MODIFIED:{updated}"),
        format!("SEQUENCE:{}", event.sequence),
        format!("DTSTART;TZID={}:{}", tz.name(), local(&event.starts_at)),
        format!("DTEND;TZID={}:{}", tz.name(), local(&event.ends_at)),
        format!("SUMMARY:{}", escape_text(event.summary)),
    ];
    let texts = [
        ("DESCRIPTION", event.description),
        ("LOCATION", event.location),
    ];
    for (name, value) in texts {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            lines.push(format!("{name}:{}", escape_text(value)));
        }
    }
    if let Some((lat, lon)) = event.geo.filter(|(a, b)| a.is_finite() && b.is_finite()) {
        lines.push(format!("GEO:{lat:.6};{lon:.6}"));
    }
    if let Some(url) = event.url.filter(|u| !u.is_empty()) {
        // A URI, not TEXT: no escaping, but no control characters either.
        lines.push(format!("URL:{}", url.replace(char::is_control, "")));
    }
    let categories: Vec<String> = event
        .categories
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| escape_text(c))
        .collect();
    if !categories.is_empty() {
        lines.push(format!("CATEGORIES:{}", categories.join(",")));
    }
    let status = if event.cancelled {
        "CANCELLED"
    } else {
        "CONFIRMED"
    };
    if let Some((organizer, attendee)) = event.parties {
        let clean = |a: &str| a.replace(|c: char| c.is_control() || c == ':' || c == ';', "");
        lines.push(format!("ORGANIZER:mailto:{}", clean(organizer)));
        lines.push(format!(
            "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:{}",
            clean(attendee)
        ));
    }
    lines.push(format!("STATUS:{status}"));
    lines.push("TRANSP:OPAQUE".to_owned());
    lines.push("END:VEVENT".to_owned());
    lines
}

/// What the zone observes at an instant: total UTC offset and DST part, in seconds.
type Observance = (i32, i64);

fn observance(tz: Tz, at: DateTime<Utc>) -> Observance {
    let offset = tz.offset_from_utc_datetime(&at.naive_utc());
    let dst = offset.dst_offset().num_seconds();
    (offset.fix().local_minus_utc(), dst)
}

/// The unfolded content lines of the VTIMEZONE, covering the events with a year to spare.
fn vtimezone(calendar: &Calendar<'_>) -> Vec<String> {
    let tz = calendar.time_zone;
    let events = &calendar.events;
    let instants = || events.iter().flat_map(|e| [e.starts_at, e.ends_at]);
    let now = Utc::now();
    let first = instants().min().unwrap_or(now);
    let last = instants().max().unwrap_or(now);
    let year = Months::new(12);
    let from = first.checked_sub_months(year).unwrap_or(first);
    let to = last.checked_add_months(year).unwrap_or(last);

    let mut lines = vec!["BEGIN:VTIMEZONE".to_owned(), format!("TZID:{}", tz.name())];
    let transitions = transitions(tz, from, to);
    if transitions.is_empty() {
        // No change in the span: one observance with equal offsets.
        let epoch = DateTime::<Utc>::UNIX_EPOCH.naive_utc();
        let (offset, _) = observance(tz, from);
        lines.extend(observance_lines(tz, from, epoch, offset));
    }
    for (at, (offset_before, _)) in transitions {
        let local_start = at.naive_utc() + TimeDelta::seconds(offset_before.into());
        lines.extend(observance_lines(tz, at, local_start, offset_before));
    }
    lines.push("END:VTIMEZONE".to_owned());
    lines
}

/// One STANDARD or DAYLIGHT sub-component: the zone's offset at `observed`, in force from
/// `local_start` (local time of `offset_before`, in seconds east of UTC).
fn observance_lines(
    tz: Tz,
    observed: DateTime<Utc>,
    local_start: NaiveDateTime,
    offset_before: i32,
) -> Vec<String> {
    let offset = tz.offset_from_utc_datetime(&observed.naive_utc());
    let kind = if offset.dst_offset().is_zero() {
        "STANDARD"
    } else {
        "DAYLIGHT"
    };
    let mut lines = vec![
        format!("BEGIN:{kind}"),
        format!("DTSTART:{}", local_start.format("%Y%m%dT%H%M%S")),
        format!("TZOFFSETFROM:{}", utc_offset(offset_before)),
        format!("TZOFFSETTO:{}", utc_offset(offset.fix().local_minus_utc())),
    ];
    if let Some(name) = offset.abbreviation() {
        lines.push(format!("TZNAME:{}", escape_text(name)));
    }
    lines.push(format!("END:{kind}"));
    lines
}

/// Every instant in `from..=to` at which the zone's offset changes, with what was observed
/// just before it. Samples daily, then bisects to the exact second.
fn transitions(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, Observance)> {
    let day = TimeDelta::days(1);
    let second = TimeDelta::seconds(1);
    let mut found = Vec::new();
    let (mut at, mut current) = (from, observance(tz, from));
    while at < to {
        let next = at.checked_add_signed(day).map_or(to, |n| n.min(to));
        if observance(tz, next) == current {
            at = next;
            continue;
        }
        // `lo` still observes `current`, `hi` does not.
        let (mut lo, mut hi) = (at, next);
        while hi - lo > second {
            let mid = lo + (hi - lo) / 2;
            if observance(tz, mid) == current {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        found.push((hi, current));
        (at, current) = (hi, observance(tz, hi));
    }
    found
}

/// A UTC offset as +HHMM, or +HHMMSS when it has seconds.
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

/// Escapes a TEXT value: `\` `;` `,` and newlines; drops control characters except tab.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.replace("\r\n", "\n").chars() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so that no physical line exceeds 75 octets.
///
/// Folds fall on UTF-8 character boundaries, and not right after a space or tab where that
/// can be helped: lenient parsers trim trailing whitespace from physical lines.
fn push_folded(out: &mut String, line: &str) {
    let mut rest = line;
    let mut limit = 75;
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let trimmed = rest[..cut].trim_end_matches([' ', '\t']).len();
        if trimmed > 0 {
            cut = trimmed;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = 74; // the continuation's leading space counts
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ical::parser::ical::component::IcalCalendar;
    use ical::parser::ical::component::IcalTimeZoneTransitionType::{DAYLIGHT, STANDARD};
    use ical::property::Property;

    const LONG: &str = "Frühjahrsputz im Quartier: Bürger*innen, Nachbar*innen; alle sind \
        willkommen!\nTreffpunkt: Grünfläche an der Straße \"Am Rübenfeld\", Höhe Hausnummer 12; \
        Handschuhe, Müllsäcke & Getränke werden gestellt. Danach gemütliches Beisammensein \
        mit Kaffee\\Kuchen – äöüß ÄÖÜ €.";

    fn event(uid: &str, starts_at: &str, summary: &'static str) -> Event<'static> {
        let starts_at: DateTime<Utc> = starts_at.parse().unwrap();
        Event {
            uid: uid.to_owned(),
            sequence: 0,
            starts_at,
            ends_at: starts_at + TimeDelta::hours(2),
            updated_at: "2027-01-05T08:30:00Z".parse().unwrap(),
            summary,
            description: None,
            location: None,
            geo: None,
            url: None,
            categories: vec![],
            cancelled: false,
            parties: None,
        }
    }

    fn in_zone(time_zone: Tz, events: Vec<Event<'static>>) -> Calendar<'static> {
        let name = "Stadtteilzentrum Südstadt";
        Calendar {
            name,
            time_zone,
            events,
            method: Method::Publish,
        }
    }

    /// Renders and parses back with the `ical` crate: exactly one VCALENDAR.
    fn round_trip(calendar: &Calendar<'_>) -> IcalCalendar {
        let text = render(calendar);
        let mut parser = ical::IcalParser::new(text.as_bytes());
        let parsed = parser.next().unwrap().unwrap();
        assert!(parser.next().is_none());
        parsed
    }

    fn value<'p>(properties: &'p [Property], name: &str) -> &'p str {
        let found = properties.iter().find(|p| p.name == name);
        found.and_then(|p| p.value.as_deref()).unwrap()
    }

    /// Reverses TEXT escaping: the parser hands out raw values.
    fn unescape(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            out.push(match c {
                '\\' => match chars.next().unwrap() {
                    'n' | 'N' => '\n',
                    other => other,
                },
                c => c,
            });
        }
        out
    }

    #[test]
    fn events_parse_back_with_local_times_in_the_zone() {
        let mut cancelled = event("b@quartier", "2027-03-30T13:00:00Z", "Sprechstunde");
        (cancelled.sequence, cancelled.cancelled) = (3, true);
        let cet = event("a@quartier", "2027-03-23T14:00:00Z", "Erzählcafé");
        let parsed = round_trip(&in_zone(chrono_tz::Europe::Berlin, vec![cet, cancelled]));

        let calendar = &parsed.properties;
        assert_eq!(value(calendar, "X-WR-CALNAME"), "Stadtteilzentrum Südstadt");
        assert_eq!(value(calendar, "X-WR-TIMEZONE"), "Europe/Berlin");
        assert_eq!(parsed.events.len(), 2);
        let (first, second) = (&parsed.events[0].properties, &parsed.events[1].properties);
        assert_eq!(value(first, "UID"), "a@quartier");
        assert_eq!(value(first, "STATUS"), "CONFIRMED");
        assert_eq!(value(first, "DTSTAMP"), "20270105T083000Z");
        assert_eq!(value(second, "UID"), "b@quartier");
        assert_eq!(value(second, "SEQUENCE"), "3");
        assert_eq!(value(second, "STATUS"), "CANCELLED");
        // 14:00Z in CET and 13:00Z in CEST are both 15:00 on the wall.
        let tzid = Some(vec![("TZID".to_owned(), vec!["Europe/Berlin".to_owned()])]);
        for (properties, date) in [(first, "20270323"), (second, "20270330")] {
            let start = properties.iter().find(|p| p.name == "DTSTART").unwrap();
            assert_eq!(start.params, tzid);
            assert_eq!(start.value, Some(format!("{date}T150000")));
            assert_eq!(value(properties, "DTEND"), format!("{date}T170000"));
        }
    }

    #[test]
    fn berlin_vtimezone_has_the_2027_transitions() {
        let events = vec![event("a@quartier", "2027-03-23T14:00:00Z", "x")];
        let parsed = round_trip(&in_zone(chrono_tz::Europe::Berlin, events));
        assert_eq!(parsed.timezones.len(), 1);
        let zone = &parsed.timezones[0];
        assert_eq!(value(&zone.properties, "TZID"), "Europe/Berlin");
        // 2026-03-23 to 2028-03-23: March and October of 2026 and 2027.
        assert_eq!(zone.transitions.len(), 4);
        let find = |start: &str| {
            let mut all = zone.transitions.iter();
            all.find(|t| value(&t.properties, "DTSTART") == start)
                .unwrap()
        };

        let spring = find("20270328T020000");
        assert!(matches!(spring.transition, DAYLIGHT));
        assert_eq!(value(&spring.properties, "TZOFFSETFROM"), "+0100");
        assert_eq!(value(&spring.properties, "TZOFFSETTO"), "+0200");
        assert_eq!(value(&spring.properties, "TZNAME"), "CEST");
        let autumn = find("20271031T030000");
        assert!(matches!(autumn.transition, STANDARD));
        assert_eq!(value(&autumn.properties, "TZOFFSETFROM"), "+0200");
        assert_eq!(value(&autumn.properties, "TZOFFSETTO"), "+0100");
        assert_eq!(value(&autumn.properties, "TZNAME"), "CET");
    }

    #[test]
    fn text_round_trips_through_escaping_and_folding() {
        assert!(LONG.len() > 200);
        let mut long = event("c@quartier", "2027-04-10T08:00:00Z", LONG);
        long.description = Some("Zeile 1\r\nZeile 2; mit \\ und , drin");
        long.location = Some("Bürgerhaus, Raum 3");
        long.categories = vec!["Umwelt, Natur", "Nachbarschaft;Treff"];
        long.geo = Some((52.520008, 13.404954));
        long.url = Some("https://example.org/termine/früh");
        let parsed = round_trip(&in_zone(chrono_tz::Europe::Berlin, vec![long]));
        let got = |name| unescape(value(&parsed.events[0].properties, name));

        assert_eq!(got("SUMMARY"), LONG);
        assert_eq!(got("DESCRIPTION"), "Zeile 1\nZeile 2; mit \\ und , drin");
        assert_eq!(got("LOCATION"), "Bürgerhaus, Raum 3");
        let categories = value(&parsed.events[0].properties, "CATEGORIES");
        assert_eq!(categories, r"Umwelt\, Natur,Nachbarschaft\;Treff");
        assert_eq!(got("GEO"), "52.520008;13.404954");
        assert_eq!(got("URL"), "https://example.org/termine/früh");
    }

    #[test]
    fn physical_lines_are_at_most_75_octets_and_end_with_crlf() {
        let umlauts: &'static str = "äöüÄÖÜß€ ".repeat(40).trim_end().to_owned().leak();
        let calendar = in_zone(
            chrono_tz::Europe::Berlin,
            vec![
                event("d@quartier", "2027-05-01T10:00:00Z", LONG),
                event("e@quartier", "2027-05-02T10:00:00Z", umlauts),
            ],
        );
        let text = render(&calendar);
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        let lines: Vec<&str> = text.split_terminator("\r\n").collect();
        assert!(lines.len() > 40);
        for line in lines {
            assert!(line.len() <= 75, "too long: {line:?}");
            assert!(!line.contains(['\r', '\n']), "bare line break in {line:?}");
        }
        let parsed = round_trip(&calendar);
        assert_eq!(
            unescape(value(&parsed.events[1].properties, "SUMMARY")),
            umlauts
        );
    }

    #[test]
    fn folds_move_before_a_space() {
        let (x, y) = ("x".repeat(66), "y".repeat(20));
        let mut folded = String::new();
        push_folded(&mut folded, &format!("SUMMARY:{x} {y}"));
        assert_eq!(folded, format!("SUMMARY:{x}\r\n  {y}\r\n"));
    }

    #[test]
    fn utc_gets_one_standard_component() {
        let events = vec![event("f@quartier", "2027-03-23T14:00:00Z", "x")];
        let parsed = round_trip(&in_zone(Tz::UTC, events));
        let transitions = &parsed.timezones[0].transitions;
        assert_eq!(transitions.len(), 1);
        let standard = &transitions[0];
        assert!(matches!(standard.transition, STANDARD));
        assert_eq!(value(&standard.properties, "DTSTART"), "19700101T000000");
        assert_eq!(value(&standard.properties, "TZOFFSETFROM"), "+0000");
        assert_eq!(value(&standard.properties, "TZOFFSETTO"), "+0000");
        assert_eq!(
            value(&parsed.events[0].properties, "DTSTART"),
            "20270323T140000"
        );
    }

    #[test]
    fn empty_values_are_left_out_and_an_empty_feed_still_has_its_zone() {
        let parsed = round_trip(&in_zone(chrono_tz::Europe::Berlin, vec![]));
        assert!(parsed.events.is_empty());
        assert!(!parsed.timezones[0].transitions.is_empty());

        let mut bare = event("g@quartier", "2027-06-01T10:00:00Z", "x");
        (bare.description, bare.categories) = (Some(""), vec![""]);
        let parsed = round_trip(&in_zone(chrono_tz::Europe::Berlin, vec![bare]));
        for absent in ["DESCRIPTION", "LOCATION", "GEO", "URL", "CATEGORIES"] {
            let mut names = parsed.events[0].properties.iter().map(|p| &p.name);
            assert!(
                !names.any(|name| name == absent),
                "{absent} should be left out"
            );
        }
    }

    #[test]
    fn escaping_and_offsets() {
        let escaped = escape_text("a\\b;c,d\r\ne\nf\u{7}g\th");
        assert_eq!(escaped, "a\\\\b\\;c\\,d\\ne\\nfg\th");
        assert_eq!(utc_offset(3600), "+0100");
        assert_eq!(utc_offset(-(3 * 3600 + 30 * 60)), "-0330");
        assert_eq!(utc_offset(3208), "+005328");
    }
}
