"""The chronological report of a verified bundle, as plain text or a self-contained HTML page.

Field names and labels match the entry form in templates/journal/index.html. The labels are marked for pybabel (N_):
the journal page shows them in the person's language (journal/views.py); this report, made by the verifier on the
command line, keeps them in English.
"""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..i18n import N_
from ..wording import plural
from .bundle import CANNOT_PROVE, LEGACY_CAVEAT, PROVES, Bundle, Revision

UK = ZoneInfo("Europe/London")

OCCURRED_PARTS = {"morning": "morning", "afternoon": "afternoon", "evening": "evening", "night": "night"}
FIELDS = [
    ("place", N_("Where")),
    ("what", N_("What happened")),
    ("who", N_("Who was involved")),
    ("injuries", N_("Injuries")),
    ("effect", N_("Effect on me")),
    ("witnesses", N_("Witnesses")),
    ("childrenPresent", N_("Children present")),
    ("children", N_("About the children")),
    ("evidence", N_("Messages, CCTV or other evidence kept")),
    ("policeOfficer", N_("Police officer")),
    ("crimeReference", N_("Crime reference number")),
    ("medical", N_("Doctor or hospital visits")),
]
TAGS = {
    "isolation": N_("Isolating me"), "monitoring": N_("Monitoring or tracking me"),
    "money": N_("Controlling money"), "threats": N_("Threats"), "degradation": N_("Putting me down or humiliating me"),
    "physical": N_("Physical violence"), "sexual": N_("Sexual abuse"), "property": N_("Damaging my things"),
    "children": N_("Using the children"), "online": N_("Abusive messages or online abuse"),
    "stalking": N_("Following me or turning up"),
}
CHILDREN = {"yes": N_("Yes"), "no": N_("No"), "unsure": N_("Not sure")}


def uk_time(value) -> str:
    """A moment recorded in UTC, as UK local time with its zone: "Sun 29 Nov 2026, 21:02 GMT"."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value or "time not recorded")
    if moment.tzinfo is None:
        return str(value)
    local = moment.astimezone(UK)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def long_date(value) -> str:
    """A calendar date as written in the entry ("14 November 2026"); anything else as it was written."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


@dataclass
class Entry:
    entry: str
    revisions: list[Revision] = field(default_factory=list)

    @property
    def latest(self) -> dict:
        """The entry as last written and readable (for a deleted entry, its content before deletion)."""
        for revision in reversed(self.revisions):
            if revision.record and revision.record.get("op") != "delete":
                return revision.record
        return {}

    @property
    def deleted(self) -> Revision | None:
        last = self.revisions[-1]
        return last if last.record.get("op") == "delete" else None

    @property
    def unreadable(self) -> int:
        """Revisions that could not be decrypted (only in a partial report)."""
        return sum(1 for revision in self.revisions if not revision.record)

    @property
    def sort_key(self) -> tuple:
        fields = self.latest.get("fields") or {}
        return (str(fields.get("occurredDate") or ""), str(fields.get("occurredTime") or ""),
                str(self.revisions[0].record.get("recordedAt") or ""), self.revisions[0].seq)


def entries(bundle: Bundle) -> list[Entry]:
    grouped: dict[str, Entry] = {}
    for revision in bundle.revisions:
        if revision.record.get("kind") not in ("notice", "plan", "contacts", "chaff"):
            grouped.setdefault(revision.entry, Entry(revision.entry)).revisions.append(revision)
    return sorted(grouped.values(), key=lambda e: e.sort_key)


def when(fields: dict) -> str:
    parts = []
    if fields.get("approximate"):
        parts.append("Around")
    parts.append(long_date(fields.get("occurredDate")) if fields.get("occurredDate") else "Date not given")
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
        at = uk_time(record.get("recordedAt")) if record.get("recordedAt") else "time not recorded"
        if not record:
            lines.append(f"Revision {revision.rev}: COULD NOT BE READ (altered or damaged)")
            continue
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
    """What was checked and what it shows, or, in a partial report, everything that did not check out."""
    manifest = bundle.opened_manifest
    exported = uk_time(manifest["exportedAt"]) if manifest.get("exportedAt") else "not recorded"
    lines = [f"Exported: {exported}"]
    if bundle.problems:
        lines.append(f"NOT VERIFIED: {plural(len(bundle.problems), 'problem')} found. This is a partial report: "
                     "whatever could not be read or checked is marked.")
        lines += [f"Problem: {problem}" for problem in bundle.problems]
    else:
        lines.append(f"Verified: {plural(len(bundle.revisions), 'revision')} and {plural(len(bundle.photos), 'photo')}.")
        lines += [f"This proves {line}" for line in PROVES]
        lines += [f"It cannot prove {line}" for line in CANNOT_PROVE]
    if bundle.chain_key is None:
        lines.append(LEGACY_CAVEAT)
    lines.append(f"Last revision's hash (SHA-256): {bundle.head}")
    return lines


def notice_lines(bundle: Bundle) -> list[str]:
    return [f"{uk_time(revision.record.get('recordedAt'))}: {revision.record.get('summary')}"
            for revision in bundle.notices]


# The safety plan (js/plan/): every record carries each question's words and the chosen options' labels, so it
# reads as it was answered even after the questions were changed. The latest version is printed in full, each
# earlier one as what it changed.

def plan_answer(answer: dict) -> str:
    labels = [str(label) for label in answer.get("labels") or []]
    value = answer.get("value")
    if labels:
        return "; ".join(labels)
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value or "").strip()


def plan_groups(record: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """(heading, [(question, answer)]) in the order answered: the plan's parts, then the self-check if kept."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for answer in (record.get("answers") or {}).values():
        text = plan_answer(answer)
        if text:
            groups.setdefault(str(answer.get("partTitle") or "Plan"), []).append((str(answer.get("question")), text))
    risk = record.get("risk")
    if isinstance(risk, dict):
        title = str(risk.get("title") or "Self-check")
        rows = [(str(a.get("question")), plan_answer(a)) for a in (risk.get("answers") or {}).values() if plan_answer(a)]
        if risk.get("summary"):
            rows.append(("Result", str(risk["summary"])))
        if risk.get("recordedAt"):
            rows.insert(0, ("Done", uk_time(risk["recordedAt"])))
        if rows:
            groups.setdefault(title, []).extend(rows)
    return list(groups.items())


def plan_changes(before: dict, after: dict) -> list[str]:
    """What one saved version changed from the one before, question by question."""
    old = {question: answer for _, rows in plan_groups(before) for question, answer in rows}
    new = {question: answer for _, rows in plan_groups(after) for question, answer in rows}
    lines = [f"{question} → {answer}" for question, answer in new.items() if old.get(question) != answer]
    lines += [f"{question} → (answer removed)" for question in old if question not in new]
    return lines


def plan_versions(bundle: Bundle) -> tuple[Revision | None, list[str]]:
    """The latest readable version of the plan, and one line for each version, oldest first."""
    revisions = bundle.plan_revisions
    lines, previous, latest = [], {}, None
    for number, revision in enumerate(revisions, start=1):
        saved = f"Saved {uk_time(revision.record.get('recordedAt'))} (version {number})"
        changes = plan_changes(previous, revision.record)
        lines.append(f"{saved}: {'; '.join(changes) if changes else 'no visible change'}")
        previous, latest = revision.record, revision
    return latest, lines


def plan_title(bundle: Bundle, latest: Revision) -> str:
    count = len(bundle.plan_revisions)
    return f"Safety plan, saved {uk_time(latest.record.get('recordedAt'))} (version {count} of {count})"


# The trusted contacts (js/trusted/) are checked like every revision but never printed: a report may be shown to
# others (a court bundle can reach the other side), and it must not lead anyone to the people who help.
def contacts_line(bundle: Bundle) -> str:
    count = len(bundle.contacts_revisions)
    return (f"Trusted contacts: {plural(count, 'saved version')} in this export, checked with the rest but not "
            "printed, to protect the people who help.") if count else ""


def to_text(bundle: Bundle) -> str:
    out = ["Journal report", "", *summary(bundle), ""]
    if bundle.notices:
        out += ["Changes made to the journal outside the app, as the journal itself recorded them:",
                *[f"  - {line}" for line in notice_lines(bundle)], ""]
    for number, entry in enumerate(entries(bundle), start=1):
        fields = entry.latest.get("fields") or {}
        title = f"{number}. {when(fields)}"
        if entry.deleted:
            title += "  [DELETED by the writer]"
        if entry.unreadable:
            title += f"  [{plural(entry.unreadable, 'revision')} COULD NOT BE READ]"
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
            missing = "" if photo.get("id") in bundle.photos else " [MISSING OR DAMAGED]"
            out.append(f"Photo: {photo.get('name') or 'photo'} ({photo.get('type')}, {photo.get('size')} bytes, "
                       f"added {uk_time(photo.get('capturedAt'))}) SHA-256 {photo.get('sha256')}{missing}")
        out.append("History:")
        out += [f"  - {line}" for line in history(entry)]
        out.append(f"Entry id: {entry.entry}")
        out.append("")
    latest, versions = plan_versions(bundle)
    if latest:
        out += ["=" * 72, plan_title(bundle, latest), "=" * 72]
        for heading, rows in plan_groups(latest.record):
            out.append(f"{heading}:")
            for question, answer in rows:
                out.append(f"  {question}")
                out += [f"    {line}" for line in answer.splitlines() or [""]]
        out.append("Every saved version, oldest first:")
        out += [f"  - {line}" for line in versions]
        out.append(f"Plan id: {latest.entry}")
        out.append("")
    if contacts_line(bundle):
        out += [contacts_line(bundle), ""]
    return "\n".join(out) + "\n"


def to_html(bundle: Bundle) -> str:
    e = html.escape
    parts = ["<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Journal report</title>",
             "<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem}"
             "article{border-top:2px solid #000;margin-top:1.5rem;break-inside:avoid-page}"
             "dt{font-weight:700}dd{margin:0 0 .5rem;white-space:pre-wrap}img{max-width:100%}"
             ".deleted{color:#b00020}</style></head><body>",
             "<h1>Journal report</h1><ul>",
             *[f"<li>{e(line)}</li>" for line in summary(bundle)], "</ul>"]
    if bundle.notices:
        parts += ["<h2>Changes made to the journal outside the app</h2><p>As the journal itself recorded them:</p><ul>",
                  *[f"<li class=\"deleted\">{e(line)}</li>" for line in notice_lines(bundle)], "</ul>"]
    for number, entry in enumerate(entries(bundle), start=1):
        fields = entry.latest.get("fields") or {}
        parts.append(f"<article><h2>{number}. {e(when(fields))}</h2>")
        if entry.deleted:
            parts.append("<p class=\"deleted\"><strong>Deleted by the writer.</strong> Shown as last written.</p>")
        if entry.unreadable:
            parts.append(f"<p class=\"deleted\"><strong>{plural(entry.unreadable, 'revision')} of this entry could not "
                         "be read (altered or damaged).</strong></p>")
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
            caption = (f"{photo.get('name') or 'photo'}, added {uk_time(photo.get('capturedAt'))}, "
                       f"SHA-256 {photo.get('sha256')}" + ("" if data is not None else " (missing or damaged)"))
            parts.append("<figure>")
            if data is not None and str(photo.get("type", "")).startswith("image/"):
                uri = f"data:{e(photo['type'])};base64,{base64.b64encode(data).decode()}"
                parts.append(f"<img src=\"{uri}\" alt=\"Photo from this entry\">")
            parts.append(f"<figcaption>{e(caption)}</figcaption></figure>")
        parts.append("<h3>History</h3><ul>")
        parts += [f"<li>{e(line)}</li>" for line in history(entry)]
        parts.append(f"</ul><p>Entry id: {e(entry.entry)}</p></article>")
    latest, versions = plan_versions(bundle)
    if latest:
        parts.append(f"<article><h2>{e(plan_title(bundle, latest))}</h2>")
        for heading, rows in plan_groups(latest.record):
            parts.append(f"<h3>{e(heading)}</h3><dl>")
            parts += [f"<dt>{e(question)}</dt><dd>{e(answer)}</dd>" for question, answer in rows]
            parts.append("</dl>")
        parts.append("<h3>Every saved version, oldest first</h3><ul>")
        parts += [f"<li>{e(line)}</li>" for line in versions]
        parts.append(f"</ul><p>Plan id: {e(latest.entry)}</p></article>")
    if contacts_line(bundle):
        parts.append(f"<p>{e(contacts_line(bundle))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
