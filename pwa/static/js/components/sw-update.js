// Registers the service worker and offers updates. A new version waits until the person presses
// "Update": first everything sensitive is locked (the journal saves its draft encrypted), then the
// waiting worker takes over and the page reloads. Nothing updates by itself, so nothing is lost.
import { lockAll } from '../lock.js'

const WORKER_URL = '/sw.js'

export function initSwUpdate (scope) {
  if (!('serviceWorker' in navigator)) return
  const banner = scope.querySelector('[data-module="sw-update"]')
  const button = banner && banner.querySelector('[data-sw-update-button]')
  let updating = false

  // The first install also changes the controller (clients.claim); only reload when asked to.
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (updating) window.location.reload()
  })

  navigator.serviceWorker.register(WORKER_URL, { scope: '/', updateViaCache: 'none' }).then((registration) => {
    const offer = () => {
      if (banner && registration.waiting && navigator.serviceWorker.controller) banner.hidden = false
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
