//! An Atom (RFC 4287) writer for the public feeds (`application/atom+xml`).
//!
//! Every entry has a stable id (a `urn:uuid:` of the resource), so that a feed reader shows a
//! changed entry as changed rather than as new, and `updated` moves whenever what the entry
//! says changes.

use chrono::{DateTime, SecondsFormat, Utc};

/// One feed.
#[derive(Debug)]
pub struct Feed<'a> {
    /// A permanent IRI of the feed, such as `urn:quartier:help-wanted`.
    pub id: &'a str,
    pub title: &'a str,
    /// The feed's own address (`rel="self"`).
    pub self_url: &'a str,
    /// The next page of a paged feed (`rel="next"`, RFC 5005).
    pub next_url: Option<&'a str>,
    /// Who publishes it: `author` of the feed, which every entry then shares.
    pub author: &'a str,
    /// The language of its texts (`xml:lang`).
    pub language: &'a str,
    /// When any entry last changed (the start of 1970 for a feed without entries, so that
    /// an empty feed stays the same from one request to the next).
    pub updated: DateTime<Utc>,
    pub entries: Vec<Entry<'a>>,
}

/// One entry.
#[derive(Debug)]
pub struct Entry<'a> {
    /// Stable across changes, such as `urn:uuid:<id>`.
    pub id: String,
    pub title: String,
    pub updated: DateTime<Utc>,
    /// Plain text.
    pub summary: String,
    /// Where a person acts on it (`rel="alternate"`).
    pub link: Option<&'a str>,
    /// Terms (`category term="…"`).
    pub categories: Vec<&'a str>,
}

/// The feed as an XML document.
pub fn render(feed: &Feed<'_>) -> String {
    let mut out = String::with_capacity(512 + feed.entries.len() * 512);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
    escape_into(&mut out, feed.language);
    out.push_str("\">\n");
    element(&mut out, 1, "id", feed.id);
    element(&mut out, 1, "title", feed.title);
    element(&mut out, 1, "updated", &timestamp(feed.updated));
    out.push_str("  <link rel=\"self\" href=\"");
    escape_into(&mut out, feed.self_url);
    out.push_str("\"/>\n");
    if let Some(next) = feed.next_url {
        out.push_str("  <link rel=\"next\" href=\"");
        escape_into(&mut out, next);
        out.push_str("\"/>\n");
    }
    out.push_str("  <author>\n");
    element(&mut out, 2, "name", feed.author);
    out.push_str("  </author>\n");
    for entry in &feed.entries {
        out.push_str("  <entry>\n");
        element(&mut out, 2, "id", &entry.id);
        element(&mut out, 2, "title", &entry.title);
        element(&mut out, 2, "updated", &timestamp(entry.updated));
        if let Some(link) = entry.link {
            out.push_str("    <link rel=\"alternate\" href=\"");
            escape_into(&mut out, link);
            out.push_str("\"/>\n");
        }
        for term in &entry.categories {
            out.push_str("    <category term=\"");
            escape_into(&mut out, term);
            out.push_str("\"/>\n");
        }
        element(&mut out, 2, "summary", &entry.summary);
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// An RFC 3339 date-time as Atom writes it.
fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn element(out: &mut String, depth: usize, name: &str, text: &str) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape_into(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

/// Appends `text` escaped for XML (and HTML) text and attribute values; characters XML 1.0
/// does not allow (most control characters) are left out.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn texts_are_escaped_and_entries_carry_their_ids() {
        let at = Utc.with_ymd_and_hms(2027, 3, 1, 9, 30, 0).unwrap();
        let feed = Feed {
            id: "urn:quartier:help-wanted",
            title: "Hilfe gesucht",
            self_url: "https://q.example/api/v1/help-wanted.atom?district_id=1&max=2",
            next_url: Some("https://q.example/api/v1/help-wanted.atom?cursor=a&b"),
            author: "Quartier",
            language: "de",
            updated: at,
            entries: vec![Entry {
                id: "urn:uuid:0190".into(),
                title: "Kuchen <backen> & \"verkaufen\"\u{1}".into(),
                updated: at,
                summary: "2 Plätze frei".into(),
                link: Some("https://app.example/shifts/1?as=guest&x=1"),
                categories: vec!["baking"],
            }],
        };
        let xml = render(&feed);
        assert!(xml.contains("<title>Kuchen &lt;backen&gt; &amp; &quot;verkaufen&quot;</title>"));
        assert!(xml.contains(
            "href=\"https://q.example/api/v1/help-wanted.atom?district_id=1&amp;max=2\""
        ));
        assert!(xml.contains("<id>urn:uuid:0190</id>"));
        assert!(xml.contains(
            "<link rel=\"next\" href=\"https://q.example/api/v1/help-wanted.atom?cursor=a&amp;b\"/>"
        ));
        assert!(xml.contains("<updated>2027-03-01T09:30:00Z</updated>"));
        assert!(xml.contains("<category term=\"baking\"/>"));
        assert_eq!(xml.matches("<entry>").count(), 1);
    }
}
