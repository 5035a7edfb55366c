"""The chronological report of a verified bundle, as plain text or a self-contained HTML page.

Field names and labels match the entry form in templates/journal/index.html.
"""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field

from .bundle import Bundle, Revision

OCCURRED_PARTS = {"morning": "morning", "afternoon": "afternoon", "evening": "evening", "night": "night"}
FIELDS = [
    ("place", "Where"),
    ("what", "What happened"),
    ("who", "Who was involved"),
    ("injuries", "Injuries"),
    ("effect", "Effect on me"),
    ("witnesses", "Witnesses"),
    ("childrenPresent", "Children present"),
    ("children", "About the children"),
    ("evidence", "Messages, CCTV or other evidence kept"),
    ("policeOfficer", "Police officer"),
    ("crimeReference", "Crime reference number"),
    ("medical", "Doctor or hospital visits"),
]
TAGS = {
    "isolation": "Isolating me", "monitoring": "Monitoring or tracking me", "money": "Controlling money",
    "threats": "Threats", "degradation": "Putting me down or humiliating me", "physical": "Physical violence",
    "sexual": "Sexual abuse", "property": "Damaging my things", "children": "Using the children",
    "online": "Abusive messages or online abuse", "stalking": "Following me or turning up",
}
CHILDREN = {"yes": "Yes", "no": "No", "unsure": "Not sure"}


@dataclass
class Entry:
    entry: str
    revisions: list[Revision] = field(default_factory=list)

    @property
    def latest(self) -> dict:
        """The entry as last written (for a deleted entry, its content before deletion)."""
        for revision in reversed(self.revisions):
            if revision.record.get("op") != "delete":
                return revision.record
        return {}

    @property
    def deleted(self) -> Revision | None:
        last = self.revisions[-1]
        return last if last.record.get("op") == "delete" else None

    @property
    def sort_key(self) -> tuple:
        fields = self.latest.get("fields") or {}
        return (str(fields.get("occurredDate") or ""), str(fields.get("occurredTime") or ""),
                str(self.revisions[0].record.get("recordedAt") or ""), self.revisions[0].seq)


def entries(bundle: Bundle) -> list[Entry]:
    grouped: dict[str, Entry] = {}
    for revision in bundle.revisions:
        grouped.setdefault(revision.entry, Entry(revision.entry)).revisions.append(revision)
    return sorted(grouped.values(), key=lambda e: e.sort_key)


def when(fields: dict) -> str:
    parts = []
    if fields.get("approximate"):
        parts.append("Around")
    parts.append(str(fields.get("occurredDate") or "Date not given"))
    if fields.get("occurredTime"):
        parts.append(str(fields["occurredTime"]))
    if fields.get("partOfDay") in OCCURRED_PARTS:
        parts.append(f"({OCCURRED_PARTS[fields['partOfDay']]})")
    text = " ".join(parts)
    if fields.get("occurredNote"):
        text += f"; {fields['occurredNote']}"
    return text


def field_value(fields: dict, name: str) -> str:
    value = fields.get(name)
    if name == "childrenPresent":
        return CHILDREN.get(str(value), "")
    return str(value).strip() if value not in (None, "") else ""


def changed_fields(before: dict, after: dict) -> list[str]:
    labels = dict(FIELDS) | {"occurredDate": "date", "occurredTime": "time", "approximate": "approximate",
                             "partOfDay": "part of day", "occurredNote": "date note", "tags": "tags"}
    keys = sorted(set(before) | set(after), key=lambda k: list(labels).index(k) if k in labels else 99)
    return [labels.get(k, k) for k in keys if before.get(k) != after.get(k)]


def history(entry: Entry) -> list[str]:
    lines = []
    previous: dict = {}
    for revision in entry.revisions:
        record = revision.record
        at = record.get("recordedAt") or "time not recorded"
        if record.get("op") == "create":
            lines.append(f"Written {at}")
        elif record.get("op") == "edit":
            changed = changed_fields(previous.get("fields") or {}, record.get("fields") or {})
            photos = len(record.get("photos") or []) != len(previous.get("photos") or [])
            what = ", ".join(changed + (["photos"] if photos else [])) or "no visible change"
            lines.append(f"Edited {at} (changed: {what})")
        else:
            reason = f": {record['reason']}" if record.get("reason") else ""
            lines.append(f"Deleted by the writer {at}{reason}")
        if record.get("op") != "delete":
            previous = record
    return lines


def summary(bundle: Bundle) -> list[str]:
    manifest = bundle.opened_manifest
    return [
        f"Exported: {manifest.get('exportedAt', 'not recorded')}",
        f"Checked: {len(bundle.revisions)} revision(s), hash chain intact, every authentication tag valid",
        f"Photos: {len(bundle.photos)}, each matching the SHA-256 recorded when it was added",
        f"Chain head (SHA-256): {bundle.head}",
    ]


def to_text(bundle: Bundle) -> str:
    out = ["Journal report (decrypted from an Open Door export)", "", *summary(bundle), ""]
    for number, entry in enumerate(entries(bundle), start=1):
        fields = entry.latest.get("fields") or {}
        title = f"{number}. {when(fields)}"
        if entry.deleted:
            title += "  [DELETED by the writer]"
        out += ["=" * 72, title, "=" * 72]
        for name, label in FIELDS:
            value = field_value(fields, name)
            if value:
                out.append(f"{label}:")
                out += [f"  {line}" for line in value.splitlines() or [""]]
        tags = [TAGS.get(tag, str(tag)) for tag in fields.get("tags") or []]
        if tags:
            out.append(f"Behaviours: {', '.join(tags)}")
        for photo in entry.latest.get("photos") or []:
            out.append(f"Photo: {photo.get('name') or 'photo'} ({photo.get('type')}, {photo.get('size')} bytes, "
                       f"added {photo.get('capturedAt')}) SHA-256 {photo.get('sha256')}")
        out.append("History:")
        out += [f"  - {line}" for line in history(entry)]
        out.append(f"Entry id: {entry.entry}")
        out.append("")
    return "\n".join(out) + "\n"


def to_html(bundle: Bundle) -> str:
    e = html.escape
    parts = ["<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Journal report</title>",
             "<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem}"
             "article{border-top:2px solid #000;margin-top:1.5rem;break-inside:avoid-page}"
             "dt{font-weight:700}dd{margin:0 0 .5rem;white-space:pre-wrap}img{max-width:100%}"
             ".deleted{color:#b00020}</style></head><body>",
             "<h1>Journal report</h1><p>Decrypted from an Open Door export.</p><ul>",
             *[f"<li>{e(line)}</li>" for line in summary(bundle)], "</ul>"]
    for number, entry in enumerate(entries(bundle), start=1):
        fields = entry.latest.get("fields") or {}
        parts.append(f"<article><h2>{number}. {e(when(fields))}</h2>")
        if entry.deleted:
            parts.append("<p class=\"deleted\"><strong>Deleted by the writer.</strong> Shown as last written.</p>")
        parts.append("<dl>")
        for name, label in FIELDS:
            value = field_value(fields, name)
            if value:
                parts.append(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>")
        tags = [TAGS.get(tag, str(tag)) for tag in fields.get("tags") or []]
        if tags:
            parts.append(f"<dt>Behaviours</dt><dd>{e(', '.join(tags))}</dd>")
        parts.append("</dl>")
        for photo in entry.latest.get("photos") or []:
            data = bundle.photos.get(photo.get("id"))
            caption = (f"{photo.get('name') or 'photo'}, added {photo.get('capturedAt')}, "
                       f"SHA-256 {photo.get('sha256')}")
            parts.append("<figure>")
            if data is not None and str(photo.get("type", "")).startswith("image/"):
                uri = f"data:{e(photo['type'])};base64,{base64.b64encode(data).decode()}"
                parts.append(f"<img src=\"{uri}\" alt=\"Photo from this entry\">")
            parts.append(f"<figcaption>{e(caption)}</figcaption></figure>")
        parts.append("<h3>History</h3><ul>")
        parts += [f"<li>{e(line)}</li>" for line in history(entry)]
        parts.append(f"</ul><p>Entry id: {e(entry.entry)}</p></article>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
