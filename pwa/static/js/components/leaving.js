// Before a link opens another website: says that the visit will appear in this browser's history, which this app
// cannot remove, and asks. Links to this app's own pages (quick-hide.js replaces those) and tel:, sms: and mailto:
// links are left as they are. Without this script, or with "Open in new tab", each such link says it itself.
//
// The other site opens in this tab, not a new one: no second tab is left open under that site's title in the tab
// list, and Back comes back here, where hide-guard.js still keeps a hidden app hidden. Leaving locks the journal
// (quick-hide.js, on pagehide). A new tab only when one was asked for (Ctrl or middle click).
// The confirmation is not modal: a modal dialog would make the page inert, Hide included. Focus goes to its title,
// not a button: with big text on a small phone it scrolls, and focusing a button would scroll the words away.

export function isOtherSite (link, here = location) {
  const url = new URL(link.href, here.href)
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin !== here.origin
}

export function initLeaving (scope = document) {
  const dialog = scope.querySelector('[data-module="leaving"]')
  if (!dialog || typeof dialog.show !== 'function') return null // the links' own words still say it
  const host = dialog.querySelector('[data-leaving-host]')
  const title = dialog.querySelector('#leaving-title')
  let pending = null

  function ask (link, newTab) {
    pending = { url: link.href, newTab, link }
    // A long address may wrap after each dot, never inside a word.
    host.replaceChildren(...new URL(link.href).hostname.split('.').flatMap((part, i) =>
      i === 0 ? [part] : [document.createElement('wbr'), '.' + part]))
    if (!dialog.open) dialog.show()
    dialog.scrollTop = 0
    title.focus()
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

  dialog.querySelector('[data-leaving-open]').addEventListener('click', go)
  dialog.querySelector('[data-leaving-cancel]').addEventListener('click', dismiss)
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && dialog.open) dismiss() // a second Esc within a second still hides (quick-hide.js)
  })
  document.addEventListener('click', intercept)
  document.addEventListener('auxclick', intercept)
  return { dialog }
}
