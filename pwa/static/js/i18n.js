// Interface text for the modules, from the same gettext catalogues as the pages: pwa/i18n_json.py serves the
// messages modules mark with t() and nt() as /i18n/<lang>.json (the worker precaches the chosen language's).
// The source text is British English, so an English page asks for nothing. Placeholders are Python's
// (`%(name)s`, a literal % as `%%`), so one message serves a template and a module alike.
// Call t() and nt() when the text is shown, never at a module's top level: main.js starts quick-hide before the
// translations arrive (nothing may wait for them), and the other modules once they have (`translationsLoaded`).
// Screens imported on demand have their text apart (pwa/i18n_json.py PARTS), so a first visit downloads none of it:
// their module awaits translationsFor(part) at its top level, and is ready once the text is.
const WAIT_MS = 2500 // a slow network without the worker: modules start in English rather than wait longer
const PLACEHOLDER = /%(?:\(([A-Za-z_][A-Za-z0-9_]*)\)s|%)/g

let messages = {}
let partMessages = {} // from the parts fetched so far
let pluralTable = null // index of the plural form for counts 0 to 2 * period - 1, beyond which it repeats
const lang = document.documentElement.lang || 'en-GB'
const english = /^en(-|$)/i.test(lang)

function fill (text, values) {
  return text.replace(PLACEHOLDER, (match, name) => {
    if (name === undefined) return '%'
    return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match
  })
}

function lookup (message) {
  if (Object.hasOwn(messages, message)) return messages[message]
  return Object.hasOwn(partMessages, message) ? partMessages[message] : undefined
}

function translated (message) {
  const found = lookup(message)
  return typeof found === 'string' ? found : message
}

export function t (message, values = {}) {
  return fill(translated(message), values)
}

// t() as parts for append() or replaceChildren(): a value that is a Node (a link, a <strong>) goes in as itself,
// so a sentence stays whole for translators whatever it holds. Translations are only ever text, never markup.
export function tParts (message, values = {}) {
  const text = translated(message)
  const parts = []
  let from = 0
  for (const match of text.matchAll(PLACEHOLDER)) {
    const value = match[1] === undefined ? undefined : values[match[1]]
    if (!(value instanceof Node)) continue
    parts.push(fill(text.slice(from, match.index), values), value)
    from = match.index + match[0].length
  }
  parts.push(fill(text.slice(from), values))
  return parts.filter((part) => part !== '')
}

function pluralIndex (n) {
  const count = Math.abs(Math.trunc(n))
  const period = pluralTable.length / 2
  return pluralTable[count < pluralTable.length ? count : period + (count % period)]
}

// `count` is n unless values say otherwise, as in a template's {% trans count=n %}.
export function nt (singular, plural, n, values = {}) {
  const forms = lookup(singular)
  const all = { count: n, ...values }
  if (Array.isArray(forms) && pluralTable) {
    const form = forms[pluralIndex(n)]
    if (typeof form === 'string') return fill(form, all)
  }
  return fill(n === 1 ? singular : plural, all)
}

// A catalogue's JSON, or null. Offline with nothing saved, or too slow: English, silently. The page works the same in it.
async function fetchCatalogue (path) {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), WAIT_MS)
  try {
    const response = await fetch(path, { signal: controller.signal })
    if (!response.ok) return null
    const catalogue = await response.json()
    return catalogue && typeof catalogue.messages === 'object' && catalogue.messages ? catalogue : null
  } catch {
    return null
  } finally {
    clearTimeout(timer)
  }
}

async function load () {
  const catalogue = await fetchCatalogue(`/i18n/${encodeURIComponent(lang)}.json`)
  if (catalogue && Array.isArray(catalogue.plural) && catalogue.plural.length >= 2) {
    messages = catalogue.messages
    pluralTable = catalogue.plural
  }
}

// Settles (never rejects) once the text is ready or English is what there will be.
export const translationsLoaded = english ? Promise.resolve() : load()

const parts = new Map()
// A part's text (e.g. 'backup'), fetched once; settles (never rejects) as translationsLoaded does.
export function translationsFor (part) {
  if (english) return Promise.resolve()
  if (!parts.has(part)) {
    parts.set(part, fetchCatalogue(`/i18n/${encodeURIComponent(part)}/${encodeURIComponent(lang)}.json`)
      .then((catalogue) => { if (catalogue) partMessages = { ...partMessages, ...catalogue.messages } }))
  }
  return parts.get(part)
}
