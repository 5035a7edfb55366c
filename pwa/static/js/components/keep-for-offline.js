// On a visit after the first (this page came through the service worker), online and with the page idle, asks the
// worker to fetch the small modules some pages load only when used (the safety plan, the self-check), so they
// work offline before their first use. A first visit never asks: its bytes go to the helplines. Not when the
// person has asked the browser to save data.
export function initKeepForOffline () {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller
  if (!worker || !navigator.onLine || (navigator.connection && navigator.connection.saveData)) return
  const ask = () => worker.postMessage({ type: 'KEEP_FOR_OFFLINE' })
  const whenIdle = () => {
    if (window.requestIdleCallback) requestIdleCallback(ask, { timeout: 5000 })
    else setTimeout(ask, 2000)
  }
  // In a translated page main.js starts this once the text is in, often after the page's load: ask at once then.
  if (document.readyState === 'complete') whenIdle()
  else window.addEventListener('load', whenIdle, { once: true })
}
