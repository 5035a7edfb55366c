// The language chooser (base.html): one tap on a language named in its own words. Without JavaScript or a service
// worker its links go to /language/<tag>, where the server remembers the choice and comes back. With the worker:
// it is asked for the language's pages (saved already, or fetched now if online), then the choice is remembered in
// the `lang` cookie and the page reloaded through the worker, offline too. Offline, a language not saved yet is not
// chosen: the page stays as it is and says so, in the language it is in.
const COOKIE = 'lang'
const COOKIE_MAX_AGE_S = 400 * 24 * 60 * 60 // like the server's (pwa/i18n.py)
const ANSWER_TIMEOUT_MS = 30000 // fetching a language's pages on a slow network

function askWorker (worker, language) {
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = (event) => resolve(event.data)
    worker.postMessage({ type: 'CHOOSE_LANGUAGE', language }, [channel.port2])
    setTimeout(() => resolve(null), ANSWER_TIMEOUT_MS)
  })
}

function remember (language) {
  const secure = location.protocol === 'https:' ? '; Secure' : ''
  document.cookie = `${COOKIE}=${encodeURIComponent(language)}; path=/; max-age=${COOKIE_MAX_AGE_S}; SameSite=Lax${secure}`
}

export function initLanguageChooser (scope) {
  const chooser = scope.querySelector('[data-module="language-chooser"]')
  if (!chooser || !('serviceWorker' in navigator)) return
  const message = chooser.querySelector('[data-language-message]')
  let choosing = false

  chooser.addEventListener('click', async (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[hreflang]') : null
    const worker = navigator.serviceWorker.controller
    if (!link || !worker || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    if (choosing || link.hasAttribute('aria-current')) return
    choosing = true
    message.hidden = true
    link.setAttribute('aria-busy', 'true')
    const answer = await askWorker(worker, link.hreflang)
    link.removeAttribute('aria-busy')
    choosing = false
    if (answer && answer.saved) {
      remember(link.hreflang)
      location.reload()
    } else if (!answer && navigator.onLine) {
      location.replace(link.href) // no answer in time: the server remembers it, the worker saves it from its page
    } else { // offline, or a connection that did not work: never leave the person on an error page
      message.textContent = chooser.dataset.notSaved.replace('{language}', link.textContent)
      message.hidden = false
    }
  })
}
