// Says whether the browser will keep this site's offline copy (and the journal), and asks it to, once the
// app has been used meaningfully: a second page view, or an 'opendoor:meaningful-use' event from another
// component (the journal dispatches one after set-up). Says only what the browser itself reports.
import { t } from '../i18n.js'
import { readItem, writeItem } from '../storage.js'

const VIEWS_KEY = 'page-views'
const MEANINGFUL_VIEWS = 2

// iPhone and iPad browsers have navigator.standalone, false in a tab; Safari deletes a site's storage
// after 7 days of use without a visit to it, except for apps added to the Home Screen (README: Safari).
const inAnAppleTab = () => navigator.standalone === false

function message (persistent) {
  if (inAnAppleTab()) return t('Saved on this device for offline use, but it may be deleted after 7 days without a visit unless you add this app to your Home Screen.')
  if (persistent === true) return t('Saved on this device for offline use.')
  if (persistent === false) return t('Saved on this device for offline use, but the browser may clear it if space runs low.')
  return t('Saved on this device for offline use, but this browser does not say whether it will keep it.')
}

function show (element, persistent) {
  if (!element) return
  element.textContent = message(persistent)
  element.dataset.persistent = String(persistent)
  element.hidden = false
}

export function initStorageStatus (scope) {
  if (!('serviceWorker' in navigator)) return // nothing is saved for offline use
  const element = scope.querySelector('[data-module="storage-status"]')
  const storage = navigator.storage
  if (!storage || !storage.persisted || !storage.persist) {
    show(element, 'unknown') // older Safari and WebKitGTK: no Storage API to ask
    return
  }
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
    const views = Number(readItem(VIEWS_KEY, 'sessionStorage') || 0) + 1
    writeItem(VIEWS_KEY, String(views), 'sessionStorage')
    if (views >= MEANINGFUL_VIEWS) ask()
  }).catch(() => {})
}
