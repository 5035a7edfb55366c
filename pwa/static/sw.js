/* The app's service worker. Served at /sw.js by pwa/webapp.py, which fills in the precache list
 * (every page, guide, static file, this identity's manifest and the content bundle, each with a
 * revision hashed from its bytes). Files listed "onDemand" (the journal's strength estimator) are not
 * fetched at install: kept once a page has fetched them, and carried over to new versions while their
 * revision holds; those marked "later" are also fetched when a page asks, on a visit after the first. A new version installs, then waits until the page tells it to take
 * over: when the person chooses "Update", or when only the appearance changed (components/sw-update.js).
 * It never skips waiting by itself.
 * Pages are kept per language, keyed by revision and tag. The worker cannot read the `lang` cookie: it keeps the
 * current language in STATE, learnt at first install and from pages' Content-Language, or told by the chooser
 * (components/language-chooser.js). Only the current language is precached; another once chosen online.
 * Pages listed "later" (guides past the first few; the plan and the check, also fetched on a later visit; with a
 * national pack, each area's contacts page) are not precached: kept once opened online, in every saved language,
 * and fetched again for each new version (all of a page's languages or none), like a saved language. Which pages
 * are kept says what was read here, as the language does: it stays in this phone's caches, never sent anywhere. */
const PRECACHE = "__PRECACHE_MANIFEST__"

const PREFIX = 'app-'
const SHELL = `${PREFIX}shell-${PRECACHE.version}` // precached entries, keyed by URL and revision
const PAGES = `${PREFIX}pages-${PRECACHE.version}` // pages seen online that are not precached
const CONTENT = `${PREFIX}content-${PRECACHE.version}` // API responses, stale-while-revalidate
const STATE = `${PREFIX}state` // the current language, across versions
const LANGUAGE_KEY = '/__state/language'
const SAVED = '/__saved/' // in SHELL: `${SAVED}<tag>` once every page of that language is in
const KEPT = '/__kept/' // in SHELL: `${KEPT}<url>` once a "later" page is in, in every saved language
const LANGUAGE_HEADER = 'X-Language' // pwa/i18n.py: the server renders in this language, whatever the cookie says
const NAVIGATION_TIMEOUT_MS = 3000
const OFFLINE_PAGE = '/offline'

const precacheKeys = new Map(PRECACHE.entries.map((entry) => [entry.url, revisionKey(entry)]))
const onDemandKeys = new Map(PRECACHE.onDemand.map((entry) => [entry.url, revisionKey(entry)]))
const pageEntries = new Map(PRECACHE.pages.map((entry) => [entry.url, entry]))
const LANGUAGES = Object.keys(PRECACHE.languages)
// Each language's own files (not pages): url -> [entry, tag].
const languageFiles = new Map(LANGUAGES.flatMap((tag) => PRECACHE.languages[tag].map((entry) => [entry.url, [entry, tag]])))

const laterPages = new Set(PRECACHE.later.pages)

// The page a navigation keeps for later ("later" pages), or null: an area's page whatever kind of help is chosen.
function laterUrl (url) {
  if (url.origin !== self.location.origin) return null
  if (PRECACHE.later.areas && url.pathname === PRECACHE.later.areas) {
    const area = url.searchParams.get('area')
    return area && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(area) ? `${url.pathname}?area=${area}` : null
  }
  const path = url.pathname + url.search
  return laterPages.has(path) ? path : null
}

function laterEntry (path) {
  return { url: path, revision: PRECACHE.later.revision }
}

function keptMarker (path) {
  return new URL(KEPT + encodeURIComponent(path), self.location.origin).href
}

function languageEntries (tag) {
  return [...PRECACHE.pages, ...PRECACHE.languages[tag]]
}

function languageKey (entry, tag) {
  return `${revisionKey(entry)}&__language=${encodeURIComponent(tag)}`
}

function revisionKey ({ url, revision }) {
  const key = new URL(url, self.location.origin)
  key.searchParams.set('__revision', revision)
  return key.href
}

// The backup API is private and carries a token the worker's revalidation would drop: straight to the network.
function neverCache (url) {
  return url.origin !== self.location.origin || url.pathname === '/sw.js' ||
    url.pathname === '/admin' || url.pathname.startsWith('/admin/') ||
    url.pathname.startsWith('/api/v1/backups') || url.pathname.startsWith('/.well-known/')
}

function storable (response) {
  // Only whole, fresh, same-origin 200s; nothing the server marked no-store, except pages: they are no-store so
  // that the browser keeps them out of its other caches (back/forward cache included), and only we keep them.
  const noStore = /no-store/.test(response.headers.get('Cache-Control') || '')
  const page = /^text\/html/.test(response.headers.get('Content-Type') || '')
  return response.status === 200 && response.type === 'basic' && !response.redirected && (!noStore || page)
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache())
})

async function precache () {
  const cache = await caches.open(SHELL)
  await Promise.all(PRECACHE.entries.map(async (entry) => {
    const key = revisionKey(entry)
    if (await cache.match(key)) return
    // Unchanged since an earlier version: copy it, so a bad network re-downloads nothing.
    const earlier = await caches.match(key)
    if (earlier) return cache.put(key, earlier)
    const response = await fetchForPrecache(entry)
    if (storable(response)) return cache.put(key, response)
    // A page that redirects or fails for this person is left out rather than blocking the update.
    console.warn('not precached', entry.url, response.status)
  }))
  // On-demand files already kept by an earlier version, unchanged: copied, never fetched here.
  await Promise.all([...onDemandKeys.values()].map(async (key) => {
    const earlier = !(await cache.match(key)) && (await caches.match(key))
    if (earlier) await cache.put(key, earlier)
  }))
  // Pages: the current language (on a first install, the server's pick for this person) and those saved earlier.
  const current = (await currentLanguage()) || (await firstLanguage(cache))
  const tags = [...new Set([current, ...await savedEarlier()])].filter(Boolean)
  await Promise.all(tags.map(saveLanguage))
  // Pages kept by an earlier version, fetched again in this one.
  const saved = []
  for (const tag of tags) if (await isSaved(tag)) saved.push(tag)
  await Promise.all((await keptEarlier()).map((path) => keepPage(path, saved)))
}

// A static file, a language's text (/i18n/) or a manifest the page has just loaded is in the browser's HTTP cache:
// taken from there, without asking the server again, when its ETag (the bytes' digest: pwa/webapp.py
// lean_static_headers, pwa/i18n_json.py, api/responses.py) says it is this revision. Anything else, and a file cached
// at another revision, is revalidated (no-cache: a 304 when the browser has it).
const DIGEST_ETAGS = ['/static/', '/i18n/', '/manifests/']
const MIN_DIGEST_CHARS = 16
async function fetchForPrecache (entry) {
  if (DIGEST_ETAGS.some((prefix) => entry.url.startsWith(prefix))) {
    const held = await fetch(entry.url, { cache: 'force-cache', credentials: 'same-origin' }).catch(() => null)
    const digest = held && (/^(?:W\/)?"([0-9a-f]+)"$/.exec(held.headers.get('ETag') || '') || [])[1]
    const same = digest && digest.length >= MIN_DIGEST_CHARS &&
      (entry.revision.startsWith(digest) || digest.startsWith(entry.revision))
    if (same && storable(held)) return held
  }
  return fetch(entry.url, { cache: 'no-cache', credentials: 'same-origin' })
}

async function keptEarlier () {
  const paths = new Set()
  for (const name of await caches.keys()) {
    if (!name.startsWith(`${PREFIX}shell-`) || name === SHELL) continue
    for (const request of await (await caches.open(name)).keys()) {
      const url = new URL(request.url)
      if (!url.pathname.startsWith(KEPT)) continue
      const path = decodeURIComponent(url.pathname.slice(KEPT.length))
      if (laterUrl(new URL(path, self.location.origin)) === path) paths.add(path) // still a "later" page
    }
  }
  return [...paths]
}

// A "later" page in these languages (a response already in hand for one of them), marked kept only once all are
// in: left out whole otherwise, as a language is.
async function keepPage (path, tags, inHand) {
  if (!tags.length) return false
  const cache = await caches.open(SHELL)
  const entry = laterEntry(path)
  const stored = await Promise.all(tags.map(async (tag) => {
    if (inHand && inHand.tag === tag) return cache.put(languageKey(entry, tag), inHand.response).then(() => true)
    // Only what is really stored counts (storeInLanguage lets a precached page that fails for this person pass).
    return (await storeInLanguage(cache, entry, tag)) && !!(await cache.match(languageKey(entry, tag)))
  }))
  if (!stored.every(Boolean)) {
    await Promise.all(tags.map((tag) => cache.delete(languageKey(entry, tag))))
    return false
  }
  await cache.put(keptMarker(path), new Response(''))
  return true
}

// The languages saved on this phone (the current one first).
async function savedTags () {
  const tags = []
  for (const tag of [await currentLanguage(), ...LANGUAGES]) {
    if (tag && !tags.includes(tag) && await isSaved(tag)) tags.push(tag)
  }
  return tags
}

// A newly saved language gets the kept pages too, best effort (the language itself is saved already).
async function keepInLanguage (tag) {
  const cache = await caches.open(SHELL)
  const paths = []
  for (const request of await cache.keys()) {
    const url = new URL(request.url)
    if (url.pathname.startsWith(KEPT)) paths.push(decodeURIComponent(url.pathname.slice(KEPT.length)))
  }
  await Promise.all(paths.map((path) => storeInLanguage(cache, laterEntry(path), tag)))
}

// First install: the first page's Content-Language (the server's pick: cookie, else Accept-Language).
async function firstLanguage (cache) {
  const entry = PRECACHE.pages[0]
  const response = await fetch(entry.url, { cache: 'no-cache', credentials: 'same-origin' })
  const tag = response.headers.get('Content-Language')
  if (!LANGUAGES.includes(tag)) return null
  if (storable(response)) await cache.put(languageKey(entry, tag), response)
  await setLanguage(tag)
  return tag
}

async function savedEarlier () {
  const tags = new Set()
  for (const name of await caches.keys()) {
    if (!name.startsWith(`${PREFIX}shell-`) || name === SHELL) continue
    for (const request of await (await caches.open(name)).keys()) {
      const path = new URL(request.url).pathname
      if (path.startsWith(SAVED)) tags.add(decodeURIComponent(path.slice(SAVED.length)))
    }
  }
  return [...tags].filter((tag) => LANGUAGES.includes(tag)) // a language no longer offered is dropped
}

let language // the current language's tag (a promise), read from STATE once per worker start
function currentLanguage () {
  language = language || caches.open(STATE).then((cache) => cache.match(LANGUAGE_KEY))
    .then((response) => response ? response.text() : null).then((tag) => LANGUAGES.includes(tag) ? tag : null)
  return language
}

async function setLanguage (tag) {
  language = Promise.resolve(tag)
  await (await caches.open(STATE)).put(LANGUAGE_KEY, new Response(tag))
}

function savedMarker (tag) {
  return new URL(SAVED + encodeURIComponent(tag), self.location.origin).href
}

async function isSaved (tag) {
  return !!(await (await caches.open(SHELL)).match(savedMarker(tag)))
}

// A language's pages, fetched in it (LANGUAGE_HEADER) whatever the cookie; marked saved only once all are in.
const saving = new Map()
function saveLanguage (tag) {
  if (!saving.has(tag)) saving.set(tag, storeLanguage(tag).finally(() => saving.delete(tag)))
  return saving.get(tag)
}

async function storeLanguage (tag) {
  if (await isSaved(tag)) return true
  const cache = await caches.open(SHELL)
  const entries = languageEntries(tag)
  const stored = await Promise.all(entries.map((entry) => storeInLanguage(cache, entry, tag)))
  if (!stored.every(Boolean)) { // left out whole: half a language would mix two versions offline
    await Promise.all(entries.map((entry) => cache.delete(languageKey(entry, tag))))
    return false
  }
  await cache.put(savedMarker(tag), new Response(''))
  await keepInLanguage(tag).catch(() => {})
  return true
}

async function storeInLanguage (cache, entry, tag) {
  const key = languageKey(entry, tag)
  if (await cache.match(key)) return true
  const earlier = await caches.match(key)
  if (earlier) return cache.put(key, earlier).then(() => true)
  let response
  try {
    // A language's own files are in the address (/i18n/<tag>.json); its pages, in the language header.
    response = languageFiles.has(entry.url) ? await fetchForPrecache(entry)
      : await fetch(entry.url, { cache: 'no-cache', credentials: 'same-origin', headers: { [LANGUAGE_HEADER]: tag } })
  } catch {
    return false // no network: this language is not saved
  }
  const said = response.headers.get('Content-Language')
  if ((said && said !== tag) || response.status >= 500) return false // not offered (any more), or server trouble
  if (storable(response)) await cache.put(key, response)
  else console.warn('not precached', entry.url, tag, response.status) // left out, as a page that fails for this person
  return true
}

// The chooser's tap: current at once if saved, else once fetched (online only).
async function chooseLanguage (tag) {
  if (!LANGUAGES.includes(tag)) return { saved: false }
  if (!(await isSaved(tag)) && !(self.navigator.onLine && await saveLanguage(tag))) return { saved: false }
  await setLanguage(tag)
  return { saved: true }
}

// A page from the server in a language (chosen without script, on another tab, or while this version waited to
// take over): current once saved here.
async function followLanguage (tag) {
  if (!LANGUAGES.includes(tag)) return
  const saved = await saveLanguage(tag) // at once when it already is
  if (saved && tag !== (await currentLanguage())) await setLanguage(tag)
}

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    language = null // read again: the old version may have changed it since this one installed
    const current = new Set([SHELL, PAGES, CONTENT, STATE])
    const names = await caches.keys()
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && !current.has(name))
      .map((name) => caches.delete(name)))
    await self.clients.claim()
  })())
})

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type
  if (type === 'SKIP_WAITING') self.skipWaiting()
  if (type === 'KEEP_FOR_OFFLINE') event.waitUntil(keepForOffline().catch(() => {}))
  if (type === 'DESCRIBE' && event.ports[0]) {
    event.ports[0].postMessage({ build: PRECACHE.build, identity: PRECACHE.identity })
  }
  if (type === 'KEPT_AREAS' && event.ports[0]) {
    event.waitUntil(keptAreas().catch(() => []).then((areas) => event.ports[0].postMessage({ areas })))
  }
  if (type === 'CHOOSE_LANGUAGE' && event.ports[0]) {
    event.waitUntil(chooseLanguage(event.data.language).catch(() => ({ saved: false }))
      .then((answer) => event.ports[0].postMessage(answer)))
  }
})

// On-demand files marked "later", and the pages using them (PRECACHE.later.visit), fetched once a later visit asks
// (components/keep-for-offline.js), so that those pages work offline before their first use. Pages first: a
// page's modules in the cache mean its page is kept too, or could not be.
async function keepForOffline () {
  const cache = await caches.open(SHELL)
  const tags = await savedTags()
  for (const path of PRECACHE.later.visit) {
    if (!(await cache.match(keptMarker(path)))) await keepPage(path, tags)
  }
  // A module's text (e.g. /i18n/trusted/ur.json) only in the languages saved here, as the pages.
  const wanted = (entry) => entry.later && (!entry.lang || tags.includes(entry.lang))
  await Promise.all(PRECACHE.onDemand.filter(wanted).map(async (entry) => {
    const key = revisionKey(entry)
    if (await cache.match(key)) return
    const response = await fetch(entry.url, { credentials: 'same-origin' })
    if (storable(response)) await cache.put(key, response)
  }))
}

self.addEventListener('fetch', (event) => {
  const { request } = event
  const url = new URL(request.url)
  if (request.method !== 'GET' || neverCache(url)) return
  if (request.mode === 'navigate') {
    event.respondWith(navigate(event, url))
  } else if (url.pathname.startsWith('/api/')) {
    event.respondWith(staleWhileRevalidate(event, url))
  } else {
    event.respondWith(cacheFirst(event, url))
  }
})

let shell // opened once per worker start, not once per request
function fromShell (key) {
  if (!key) return Promise.resolve(undefined)
  shell = shell || caches.open(SHELL)
  return shell.then((cache) => cache.match(key))
}

function fromPrecache (path) {
  const file = languageFiles.get(path)
  return fromShell(precacheKeys.get(path) || onDemandKeys.get(path) || (file && languageKey(...file)))
}

function fromLanguage (path, tag) {
  const entry = pageEntries.get(path)
  return fromShell(entry && languageKey(entry, tag))
}

// The areas whose pages are on this phone (a national pack): the agency's, then those kept, as slugs. Asked by
// the contacts page (components/area-filter.js) to offer them first; never sent anywhere.
async function keptAreas () {
  if (!PRECACHE.later.areas) return []
  const prefix = `${PRECACHE.later.areas}?area=`
  const paths = PRECACHE.pages.map((entry) => entry.url).filter((url) => url.startsWith(prefix))
  for (const request of await (await caches.open(SHELL)).keys()) {
    const url = new URL(request.url)
    if (url.pathname.startsWith(KEPT)) paths.push(decodeURIComponent(url.pathname.slice(KEPT.length)))
  }
  return [...new Set(paths.filter((path) => path.startsWith(prefix)).map((path) => path.slice(prefix.length)))]
}

// A "later" page kept here (an area's page: also one precached, whatever kind of help the address asks for).
async function fromLater (url, tag) {
  const path = laterUrl(url)
  return path && ((await fromLanguage(path, tag)) || (await fromShell(languageKey(laterEntry(path), tag))))
}

// Pages seen online that are not precached, per language too.
function pagesKey (url, tag) {
  const key = new URL(url)
  key.searchParams.set('__language', tag)
  return key.href
}

// A page in the current language; failing that, in any saved language: another language beats no page at all.
async function cachedPage (url) {
  const shared = await fromPrecache(url.pathname + url.search) // the decoys, the same in every language
  if (shared) return shared
  const current = await currentLanguage()
  const pages = await caches.open(PAGES)
  for (const tag of [current, ...LANGUAGES.filter((other) => other !== current)].filter(Boolean)) {
    const found = (await fromLanguage(url.pathname + url.search, tag)) ||
      (await pages.match(pagesKey(url, tag), { ignoreVary: true })) ||
      (await fromLater(url, tag)) ||
      (await fromLanguage(url.pathname, tag)) // e.g. /helplines?area=x offline: all areas beats nothing
    if (found) return found
  }
}

function offlinePage () {
  return cachedPage(new URL(OFFLINE_PAGE, self.location.origin))
}

// Pages: network first (fresh numbers when online), the cached copy after a short wait, then /offline.
// The decoys first from the cache: quick-hide's destination, the same for everyone on this version, paints without
// waiting for the server (nothing on it is fresher there), as it does offline.
async function navigate (event, url) {
  const decoy = precacheKeys.has(url.pathname + url.search) && await fromPrecache(url.pathname + url.search)
  if (decoy) return decoy
  const saved = cachedPage(url) // looked up meanwhile, so a failed network costs no extra wait
  if (!self.navigator.onLine) return (await saved) || (await offlinePage()) || Response.error()
  let learning // the current language, as this page from the server says it
  const fromNetwork = fetch(event.request).then(async (response) => {
    const path = url.pathname + url.search
    const tag = response.headers.get('Content-Language')
    if (precacheKeys.has(path) || !LANGUAGES.includes(tag)) return response // a decoy, or not a page
    if (storable(response) && !pageEntries.has(path)) {
      await caches.open(PAGES).then((cache) => cache.put(pagesKey(url, tag), response.clone()))
    }
    const later = laterUrl(url)
    if (later && !pageEntries.has(later) && storable(response) && (await isSaved(tag))) {
      // Kept in every saved language, this one from the response in hand.
      const copy = response.clone()
      learning = keepPage(later, await savedTags(), { tag, response: copy }).catch(() => {})
        .then(() => followLanguage(tag)).catch(() => {})
      return response
    }
    learning = followLanguage(tag).catch(() => {})
    return response
  })
  event.waitUntil(fromNetwork.then(() => learning).catch(() => {}))
  let timer
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('slow network')), NAVIGATION_TIMEOUT_MS)
  })
  try {
    const response = await Promise.race([fromNetwork, timeout])
    if (response.status < 500) return response
    return (await saved) || response
  } catch {
    return (await saved) || (await offlinePage()) || Response.error()
  } finally {
    clearTimeout(timer)
  }
}

// Content: answer at once from the cache, then revalidate with a conditional GET (ETag / 304).
async function staleWhileRevalidate (event, url) {
  const cache = await caches.open(CONTENT)
  const cached = (await cache.match(url.href, { ignoreVary: true })) || (await fromPrecache(url.pathname + url.search))
  const revalidated = revalidate(cache, url, cached)
  if (cached) {
    event.waitUntil(revalidated.catch(() => {}))
    return cached
  }
  try {
    return await revalidated
  } catch {
    return Response.json({ error: { status: 503, code: 'offline', message: 'No connection and no saved copy.' } },
      { status: 503, headers: { 'Cache-Control': 'no-store' } })
  }
}

async function revalidate (cache, url, cached) {
  const etag = cached && cached.headers.get('ETag')
  const response = await fetch(url.href, {
    cache: 'no-store', credentials: 'same-origin', headers: etag ? { 'If-None-Match': etag } : {}
  })
  if (response.status === 304 && cached) return cached
  if (storable(response)) await cache.put(url.href, response.clone())
  return response
}

// Static files and anything else: the precached copy, else the network, else any cached copy.
// An on-demand file fetched from the network is kept, under its revision, for next time and offline.
async function cacheFirst (event, url) {
  const { request } = event
  const precached = await fromPrecache(url.pathname + url.search) || await fromPrecache(url.pathname)
  if (precached) return precached
  try {
    const response = await fetch(request)
    const key = onDemandKeys.get(url.pathname)
    if (key && !url.search && storable(response)) {
      const copy = response.clone()
      event.waitUntil(caches.open(SHELL).then((cache) => cache.put(key, copy)).catch(() => {}))
    }
    return response
  } catch (error) {
    const cached = await caches.match(request, { ignoreVary: true })
    if (cached) return cached
    throw error
  }
}
