"""Imports Quartier's calendar feeds with two independent iCalendar libraries, as calendar
programs would, and checks what they read: events, time zones, local times across the
daylight-saving switches, cancellations.

Usage: check_calendars.py BASE_URL
"""

import datetime
import json
import sys
import urllib.request

import icalendar
import vobject


def get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.headers.get("content-type", ""), response.read()


def main(base):
    _, body = get(f"{base}/api/v1/centres?limit=100")
    centres = json.loads(body)["items"]
    assert centres, "the demo town has centres"
    total = cancelled = 0
    for centre in centres:
        content_type, data = get(f"{base}/api/v1/centres/{centre['id']}/calendar.ics")
        assert content_type.startswith("text/calendar"), content_type
        calendar = icalendar.Calendar.from_ical(data)
        events = list(calendar.walk("VEVENT"))
        assert events, centre["name"]
        assert len(list(calendar.walk("VTIMEZONE"))) == 1
        parsed = vobject.readOne(data.decode("utf-8"))
        assert len(parsed.vevent_list) == len(events)
        uids = set()
        for event in events:
            start = event.decoded("DTSTART")
            assert start.tzinfo is not None, "times carry their zone"
            assert event.decoded("DTEND") > start
            uids.add(str(event["UID"]))
            if str(event.get("STATUS")) == "CANCELLED":
                cancelled += 1
        assert len(uids) == len(events), "UIDs are unique"
        # A weekly series keeps its local time while its UTC time changes with the seasons.
        weekly = [e for e in events if str(e["SUMMARY"]) == "Offener Treff"]
        local = {e.decoded("DTSTART").strftime("%a %H:%M") for e in weekly}
        utc = {e.decoded("DTSTART").astimezone(datetime.timezone.utc).strftime("%H:%M") for e in weekly}
        assert local == {"Fri 14:00"}, local
        assert utc == {"13:00", "12:00"}, utc
        total += len(events)
    assert cancelled > 0, "cancelled dates are marked"
    print(f"calendar feeds: {len(centres)} centres, {total} events, {cancelled} cancelled, all imported")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
