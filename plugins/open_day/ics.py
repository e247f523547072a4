"""iCalendar (RFC 5545) for one open day, written by hand: one event needs a dozen lines."""
from __future__ import annotations

import re
import unicodedata

from core.plugin_api import plain_text, utcnow


def _escape(text: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11); any line break becomes \\n and other control characters go."""
    text = re.sub(r"\r\n|\r|\n", "\n", text or "")
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch)[0] != "C")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (CRLF + space), never inside a UTF-8 character."""
    out, current = [], b""
    for ch in line:
        encoded = ch.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _stamp(moment) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def event_calendar(event, url: str, host: str) -> str:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//county-cms//open day//ZH", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VEVENT",
        f"UID:open-day-{event.id}@{host.split(':')[0]}",
        f"DTSTAMP:{_stamp(utcnow())}",
        f"DTSTART:{_stamp(event.starts_at)}",
        f"DTEND:{_stamp(event.ends_at)}",
        f"SUMMARY:{_escape(event.title)}",
        f"LOCATION:{_escape(event.place)}",
        f"DESCRIPTION:{_escape(plain_text(event.description_html) + (chr(10) + event.notes if event.notes else ''))}",
        f"URL:{url}",
        "STATUS:CANCELLED" if event.cancelled_at else "STATUS:CONFIRMED",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
