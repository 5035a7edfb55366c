/* The app's service worker. Served at /sw.js by pwa/webapp.py, which fills in the precache list
 * (every page, guide, static file, this identity's manifest and the content bundle, each with a
 * revision hashed from its bytes). Files listed "onDemand" (the journal's strength estimator) are not
 * fetched at install: kept once a page has fetched them, and carried over to new versions while their
 * revision holds; those marked "later" are also fetched when a page asks, on a visit after the first. A new version installs, then waits until the page tells it to take
 * over: when the person chooses "Update", or when only the appearance changed (components/sw-update.js).
 * It never skips waiting by itself. */
const PRECACHE = "__PRECACHE_MANIFEST__"

const PREFIX = 'app-'
const SHELL = `${PREFIX}shell-${PRECACHE.version}` // precached entries, keyed by URL and revision
const PAGES = `${PREFIX}pages-${PRECACHE.version}` // pages seen online that are not precached
const CONTENT = `${PREFIX}content-${PRECACHE.version}` // API responses, stale-while-revalidate
const NAVIGATION_TIMEOUT_MS = 3000
const OFFLINE_PAGE = '/offline'

const precacheKeys = new Map(PRECACHE.entries.map((entry) => [entry.url, revisionKey(entry)]))
const onDemandKeys = new Map(PRECACHE.onDemand.map((entry) => [entry.url, revisionKey(entry)]))

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
    // no-cache: revalidate with the browser's HTTP cache, so what the page just loaded costs a 304.
    const response = await fetch(entry.url, { cache: 'no-cache', credentials: 'same-origin' })
    if (storable(response)) return cache.put(key, response)
    // A page that redirects or fails for this person is left out rather than blocking the update.
    console.warn('not precached', entry.url, response.status)
  }))
  // On-demand files already kept by an earlier version, unchanged: copied, never fetched here.
  await Promise.all([...onDemandKeys.values()].map(async (key) => {
    const earlier = !(await cache.match(key)) && (await caches.match(key))
    if (earlier) await cache.put(key, earlier)
  }))
}

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const current = new Set([SHELL, PAGES, CONTENT])
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
    event.ports[0].postMessage({ build: PRECACHE.build, identity: PRECACHE.identity, language: PRECACHE.language })
  }
})

// On-demand files marked "later", fetched once a later visit asks (components/keep-for-offline.js), so that
// the pages using them work offline before their first use.
async function keepForOffline () {
  const cache = await caches.open(SHELL)
  await Promise.all(PRECACHE.onDemand.filter((entry) => entry.later).map(async (entry) => {
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
function fromPrecache (path) {
  const key = precacheKeys.get(path) || onDemandKeys.get(path)
  if (!key) return Promise.resolve(undefined)
  shell = shell || caches.open(SHELL)
  return shell.then((cache) => cache.match(key))
}

async function cachedPage (url) {
  return (await fromPrecache(url.pathname + url.search)) ||
    (await caches.open(PAGES).then((cache) => cache.match(url.href, { ignoreVary: true }))) ||
    (await fromPrecache(url.pathname)) // e.g. /helplines?area=x offline: all areas beats nothing
}

// Pages: network first (fresh numbers when online), the cached copy after a short wait, then /offline.
async function navigate (event, url) {
  const saved = cachedPage(url) // looked up meanwhile, so a failed network costs no extra wait
  if (!self.navigator.onLine) return (await saved) || (await fromPrecache(OFFLINE_PAGE)) || Response.error()
  const fromNetwork = fetch(event.request).then(async (response) => {
    if (storable(response) && !precacheKeys.has(url.pathname + url.search)) {
      await caches.open(PAGES).then((cache) => cache.put(url.href, response.clone()))
    }
    return response
  })
  event.waitUntil(fromNetwork.catch(() => {}))
  let timer
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('slow network')), NAVIGATION_TIMEOUT_MS)
  })
  try {
    const response = await Promise.race([fromNetwork, timeout])
    if (response.status < 500) return response
    return (await saved) || response
  } catch {
    return (await saved) || (await fromPrecache(OFFLINE_PAGE)) || Response.error()
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
