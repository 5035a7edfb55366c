// Registers the service worker and offers updates. A new version waits until the person presses
// "Update": first everything sensitive is locked (the journal saves its draft encrypted), then the
// waiting worker takes over and the page reloads. Nothing updates by itself, so nothing is lost.
// The one exception is a change of appearance only: that worker takes over at once, without reload.
import { lockAll } from '../lock.js'

const WORKER_URL = '/sw.js'
const DESCRIBE_TIMEOUT_MS = 2000

// What a worker holds: its build (code and content) and the identity its pages render in.
function describe (worker) {
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = (event) => resolve(event.data)
    worker.postMessage({ type: 'DESCRIBE' }, [channel.port2])
    setTimeout(() => resolve(null), DESCRIBE_TIMEOUT_MS)
  })
}

// The Hide bar and this banner stick to the top together (base.html): the page's scroll padding follows their
// height, so that what is tabbed or jumped to lands below them, with the banner showing or not.
function followTopBars (scope) {
  const bars = scope.querySelector('[data-top-bars]')
  if (!bars || !('ResizeObserver' in window)) return
  new ResizeObserver(() => {
    document.documentElement.style.setProperty('--top-bars-height', `${bars.offsetHeight}px`)
  }).observe(bars)
}

export function initSwUpdate (scope) {
  followTopBars(scope)
  if (!('serviceWorker' in navigator)) return
  const banner = scope.querySelector('[data-module="sw-update"]')
  const button = banner && banner.querySelector('[data-sw-update-button]')
  let updating = false

  // The first install also changes the controller (clients.claim); only reload when asked to.
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (updating) window.location.reload()
  })

  navigator.serviceWorker.register(WORKER_URL, { scope: '/', updateViaCache: 'none' }).then((registration) => {
    const offer = async () => {
      const waiting = registration.waiting
      const current = navigator.serviceWorker.controller
      if (!waiting || !current) return
      const [next, now] = await Promise.all([describe(waiting), describe(current)])
      if (next && now && next.build === now.build && next.identity !== now.identity) {
        // Only the appearance changed (the person just chose it): switch the offline copy now, so it never shows
        // the old look. Same code and content, so this page needs no reload. (A language is no new version: the
        // worker keeps pages per language, components/language-chooser.js.)
        waiting.postMessage({ type: 'SKIP_WAITING' })
      } else if (banner) {
        banner.hidden = false
      }
    }
    offer()
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing
      if (!worker) return
      worker.addEventListener('statechange', () => { if (worker.state === 'installed') offer() })
    })
    // An installed app can stay open for days: look for a new version whenever it comes back.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && navigator.onLine) registration.update().catch(() => {})
    })
    if (button) {
      button.addEventListener('click', async () => {
        if (!registration.waiting) return
        updating = true
        button.disabled = true
        await lockAll('update')
        registration.waiting.postMessage({ type: 'SKIP_WAITING' })
      })
    }
  }).catch(() => {
    // No worker (private mode, old browser): the site still works online.
  })
}
