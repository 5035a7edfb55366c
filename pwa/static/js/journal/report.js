// Showing entries: the list line, the full entry, and the printable chronological report.
// Every piece of user text goes in through textContent, never as HTML.
import { nt, t } from '../i18n.js'

// Translators: parts of the day, as in "12 March 2026, evening".
const PARTS = { morning: () => t('morning'), afternoon: () => t('afternoon'), evening: () => t('evening'), night: () => t('night') }
const DETAIL_FIELDS = ['place', 'what', 'who', 'injuries', 'effect', 'witnesses', 'childrenPresent', 'children',
  'evidence', 'policeOfficer', 'crimeReference', 'medical']

// "N saved changes" and "N photos", for sentences that name both (their own calls: one inside another's arguments
// would not be found by `pybabel extract`).
export function changesAndPhotos (changes, photos) {
  return { changes: nt('%(count)s saved change', '%(count)s saved changes', changes), photos: nt('%(count)s photo', '%(count)s photos', photos) }
}

export function el (tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'className') node.className = value
    else node.setAttribute(name, value)
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child)
  return node
}

// One formatter each: building one per call (toLocaleDateString) costs more than rendering the entry.
const LONG_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
const STAMP = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' })

export function longDate (iso) {
  const date = new Date(`${iso}T00:00:00Z`)
  return Number.isNaN(date.getTime()) ? iso : LONG_DATE.format(date)
}

export function stamp (isoDateTime) {
  const date = new Date(isoDateTime)
  return Number.isNaN(date.getTime()) ? isoDateTime : STAMP.format(date)
}

// The phone's own date (not UTC's), as a date field holds it.
export function localDate (date = new Date()) {
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 10)
}

export function describeWhen (fields) {
  const parts = []
  parts.push(fields.occurredDate ? longDate(fields.occurredDate) : t('Date not given'))
  if (fields.occurredTime) parts.push(fields.occurredTime)
  if (Object.prototype.hasOwnProperty.call(PARTS, fields.partOfDay ?? '')) parts.push(PARTS[fields.partOfDay]())
  const when = parts.join(', ')
  if (fields.occurredNote) {
    // Translators: %(when)s is a date, perhaps with a time or part of the day; %(note)s is what the person wrote.
    return fields.approximate ? t('Around %(when)s (%(note)s)', { when, note: fields.occurredNote }) : t('%(when)s (%(note)s)', { when, note: fields.occurredNote })
  }
  // Translators: %(when)s is a date, perhaps with a time or part of the day.
  return fields.approximate ? t('Around %(when)s', { when }) : when
}

const firstLine = (text, length = 120) => {
  const line = (text || '').trim().split('\n')[0]
  return line.length > length ? `${line.slice(0, length - 1)}…` : line
}

export function tagNames (fields, labels) {
  return (fields.tags || []).map((tag) => labels.tags[tag] || tag)
}

// Cloned from one template: a long list is built far faster than element by element.
let listTemplate = null
export function listItem (entry, labels) {
  if (!listTemplate) {
    listTemplate = el('li', {}, el('button', { type: 'button', className: 'journal-list__item' },
      el('span', { className: 'journal-list__when' }), el('span', { className: 'journal-list__what' }),
      el('span', { className: 'journal-list__tags' })))
  }
  const item = listTemplate.cloneNode(true)
  const [when, what, tags] = item.firstChild.children
  item.firstChild.dataset.id = entry.id
  when.textContent = describeWhen(entry.fields)
  what.textContent = firstLine(entry.fields.what) || t('No description yet')
  const names = tagNames(entry.fields, labels)
  if (names.length) tags.textContent = names.join(', ')
  else tags.remove()
  return item
}

function fieldValue (fields, name, labels) {
  const value = fields[name]
  if (name === 'childrenPresent') return labels.children[value] || ''
  return typeof value === 'string' ? value.trim() : ''
}

// The full entry: when, every filled-in field, behaviours, photos (as <figure>s to fill in) and when written.
export function entryArticle (entry, labels, heading = 'h2') {
  const fields = entry.fields
  const list = el('dl', { className: 'journal-entry__fields' })
  for (const name of DETAIL_FIELDS) {
    const value = fieldValue(fields, name, labels)
    if (value) list.append(el('dt', {}, labels.fields[name]), el('dd', {}, value))
  }
  const tags = tagNames(fields, labels)
  if (tags.length) list.append(el('dt', {}, t('Behaviours')), el('dd', {}, tags.join(', ')))
  const written = entry.rev > 1
    ? t('Written %(written)s, last changed %(changed)s', { written: stamp(entry.createdAt), changed: stamp(entry.updatedAt) })
    : t('Written %(written)s', { written: stamp(entry.createdAt) })
  const photos = el('div', { className: 'journal-entry__photos' })
  for (const photo of entry.photos) {
    photos.append(el('figure', { 'data-photo-id': photo.id },
      el('figcaption', {}, t('%(name)s, added %(date)s. SHA-256 %(hash)s', { name: photo.name, date: stamp(photo.capturedAt), hash: photo.sha256 }))))
  }
  return el('article', { className: 'journal-entry' },
    el(heading, {}, describeWhen(fields)), list, photos, el('p', { className: 'journal-hint' }, written))
}

// Translators: what an edit changed, listed after "Changed 12 Mar 2026, 14:00:".
const WHEN_LABELS = { occurredDate: () => t('date'), occurredTime: () => t('time'), approximate: () => t('approximate'), partOfDay: () => t('part of day'), occurredNote: () => t('note about when'), tags: () => t('behaviours') }
const same = (a, b) => JSON.stringify(a ?? '') === JSON.stringify(b ?? '')

// What an edit changed, in the form's own words: "what happened, injuries, photos".
function changes (before, after, labels) {
  const names = [...Object.keys(WHEN_LABELS), ...DETAIL_FIELDS]
  const changed = names.filter((name) => !same(before.fields?.[name], after.fields?.[name]))
    .map((name) => WHEN_LABELS[name] ? WHEN_LABELS[name]() : (labels.fields[name] || name).toLowerCase())
  const photos = (record) => (record.photos || []).map((photo) => photo.id).sort()
  if (!same(photos(before), photos(after))) changed.push(t('photos'))
  return changed
}

export function historyLines (revisions, labels) {
  let previous = {}
  return revisions.map(({ record }) => {
    const at = stamp(record.recordedAt)
    let line
    if (record.op === 'create') line = t('Written %(date)s', { date: at })
    else if (record.op === 'delete') line = record.reason ? t('Deleted %(date)s: %(reason)s', { date: at, reason: record.reason }) : t('Deleted %(date)s', { date: at })
    else {
      const changed = changes(previous, record, labels)
      const what = changed.length ? changed.join(', ') : t('nothing visible') // apart: nested calls are not extracted
      line = t('Changed %(date)s: %(changes)s', { date: at, changes: what })
    }
    if (record.op !== 'delete') previous = record
    return line
  })
}

// Oldest first, as a report for the police or a court should read.
export function renderReport (container, entries, labels, deletedCount) {
  const ordered = [...entries].reverse()
  const printed = stamp(new Date().toISOString())
  const intro = nt('%(count)s entry, oldest first. Printed %(date)s.', '%(count)s entries, oldest first. Printed %(date)s.', ordered.length, { date: printed }) +
    (deletedCount ? ' ' + nt('%(count)s deleted entry is not shown; the export keeps them.', '%(count)s deleted entries are not shown; the export keeps them.', deletedCount) : '')
  container.replaceChildren(el('h2', {}, t('Journal report')), el('p', {}, intro),
    ...ordered.map((entry) => entryArticle(entry, labels, 'h3')))
}
