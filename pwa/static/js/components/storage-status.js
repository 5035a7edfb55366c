// Asks the browser to keep this site's offline copy (and the journal) when space runs low, once
// the app has been used meaningfully: a second page view, or an 'opendoor:meaningful-use' event
// from another component (the journal dispatches one after set-up). Shows the answer honestly.
const VIEWS_KEY = 'page-views'
const MEANINGFUL_VIEWS = 2

function show (element, persistent) {
  if (!element) return
  element.textContent = persistent
    ? 'Saved on this device for offline use.'
    : 'Saved on this device for offline use, but the browser may clear it if space runs low.'
  element.dataset.persistent = String(persistent)
  element.hidden = false
}

export function initStorageStatus (scope) {
  const storage = navigator.storage
  if (!storage || !storage.persisted || !storage.persist) return
  const element = scope.querySelector('[data-module="storage-status"]')
  let asked = false

  const ask = async () => {
    if (asked) return
    asked = true
    show(element, await storage.persist().catch(() => false))
  }

  storage.persisted().then((persistent) => {
    show(element, persistent)
    if (persistent) return
    document.addEventListener('opendoor:meaningful-use', ask)
    // Counted per browsing session only: no lasting record of visits.
    const views = Number(window.sessionStorage.getItem(VIEWS_KEY) || 0) + 1
    window.sessionStorage.setItem(VIEWS_KEY, String(views))
    if (views >= MEANINGFUL_VIEWS) ask()
  }).catch(() => {})
}
