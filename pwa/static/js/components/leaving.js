// Before a link opens another website: says that the visit will appear in this browser's history, which this app
// cannot remove, and asks. Links to this app's own pages (quick-hide.js replaces those) and tel:, sms: and mailto:
// links are left as they are. Without this script, or with "Open in new tab", each such link says it itself.
//
// The other site opens in this tab, not a new one: no second tab is left open under that site's title in the tab
// list, and Back comes back here, where hide-guard.js still keeps a hidden app hidden. Leaving locks the journal
// (quick-hide.js, on pagehide). A new tab only when one was asked for (Ctrl or middle click).
// The question is a non-modal <dialog>: a modal one would make the page inert, Hide included. It is made on first
// use, so pages carry none of it. Focus goes to its title, not a button: with big text on a small phone it
// scrolls, and focusing a button would scroll the words away.

import { t, tParts } from '../i18n.js'

// The words are set as text (translations are never markup).
const QUESTION = `
  <h2 class="leaving__title" id="leaving-title" tabindex="-1"></h2>
  <p id="leaving-text"></p>
  <p class="leaving__actions">
    <button class="button" type="button" data-leaving-open></button>
    <button class="button button--secondary" type="button" data-leaving-cancel></button>
  </p>`

function fillQuestion (dialog) {
  dialog.querySelector('#leaving-title').textContent = t('This opens another website')
  const host = document.createElement('strong')
  host.dataset.leavingHost = ''
  // Translators: %(site)s is the other website's address, shown in bold.
  const text = tParts("%(site)s will appear in this browser's history, and this app cannot remove it.", { site: host })
  dialog.querySelector('#leaving-text').replaceChildren(...text)
  dialog.querySelector('[data-leaving-open]').textContent = t('Open it')
  dialog.querySelector('[data-leaving-cancel]').textContent = t('Cancel')
}

export function isOtherSite (link, here = location) {
  const url = new URL(link.href, here.href)
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin !== here.origin
}

export function initLeaving (scope = document) {
  if (!scope.querySelector('[data-quick-hide]') || typeof HTMLDialogElement !== 'function') return null
  let dialog = null
  let pending = null

  function question () {
    if (dialog) return dialog
    dialog = document.createElement('dialog')
    dialog.className = 'leaving'
    dialog.dataset.module = 'leaving'
    dialog.setAttribute('aria-labelledby', 'leaving-title')
    dialog.setAttribute('aria-describedby', 'leaving-text')
    dialog.innerHTML = QUESTION
    fillQuestion(dialog)
    dialog.querySelector('[data-leaving-open]').addEventListener('click', go)
    dialog.querySelector('[data-leaving-cancel]').addEventListener('click', dismiss)
    document.body.append(dialog)
    return dialog
  }

  function ask (link, newTab) {
    pending = { url: link.href, newTab, link }
    const dialog = question()
    // A long address may wrap after each dot, never inside a word.
    dialog.querySelector('[data-leaving-host]').replaceChildren(...new URL(link.href).hostname.split('.')
      .flatMap((part, i) => i === 0 ? [part] : [document.createElement('wbr'), '.' + part]))
    if (!dialog.open) dialog.show()
    dialog.scrollTop = 0
    dialog.querySelector('#leaving-title').focus()
  }

  function dismiss () {
    const link = pending && pending.link
    pending = null
    dialog.close()
    if (link && link.isConnected) link.focus()
  }

  function go () {
    const { url, newTab } = pending
    pending = null
    dialog.close()
    if (newTab) window.open(url, '_blank', 'noopener,noreferrer')
    else location.assign(url)
  }

  function intercept (event) {
    if (event.defaultPrevented || event.button !== (event.type === 'auxclick' ? 1 : 0)) return
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null
    if (!link || link.hasAttribute('download') || !isOtherSite(link)) return
    event.preventDefault()
    const newTab = event.type === 'auxclick' || event.ctrlKey || event.metaKey || event.shiftKey ||
      (link.target !== '' && link.target !== '_self')
    ask(link, newTab)
  }

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && dialog && dialog.open) dismiss() // a second Esc within 1 s still hides
  })
  document.addEventListener('click', intercept)
  document.addEventListener('auxclick', intercept)
  return { ask }
}
