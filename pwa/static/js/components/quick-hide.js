// Quick-hide. Triggers: the visible control, Shift pressed 3 times (GOV.UK "Exit this page" logic:
// Shift on its own, each press within 5 s of the last), Esc twice within 1 s (in a text field the
// first Esc steps out of the field instead), and the page being hidden (app switch, screen off).
// A held key counts once: Shift counts on keyup, which a held key sends once, and the keydowns a held
// Esc repeats are ignored. Shift presses light up the control (three lights) and, in the plain look,
// are said through a polite live region, as GOV.UK does; see `status` below for why not under a disguise.
// Leaving the page (a link, a reload, a typed address) is not hiding: it only locks, since a
// page kept in the back/forward cache would otherwise keep the journal's keys alive.
// Hiding covers the page in the next frame (a class on <html>, styled in css/decoys.css), marks this
// tab shut so hide-guard.js keeps protected pages away until the secret way in, lets lock handlers
// save drafts encrypted and drop keys (bounded wait), then replaces this history entry with the
// decoy. In-app links and GET forms also replace instead of push, so Back has nothing to return to.
import { markShut } from '../decoys/door.js'
import { nt, t } from '../i18n.js'
import { lockAll } from '../lock.js'
import { stopReading } from './read-aloud.js'

export const LOCK_WAIT_MS = 500
const SHIFT_WINDOW_MS = 5000 // also how long "timed out" stays in the live region
const ESCAPE_WINDOW_MS = 1000
const SHIFTS_TO_HIDE = 3
const SAY = {
  pressesLeft: (left) => nt('Shift, press %(count)s more time to hide this page.',
    'Shift, press %(count)s more times to hide this page.', left),
  timedOut: () => t('Hide this page timed out.')
}
const NOT_TEXT = new Set(['button', 'submit', 'reset', 'checkbox', 'radio', 'file', 'range', 'color', 'image', 'hidden'])

function isTextField (element) {
  if (!(element instanceof HTMLElement)) return false
  if (element instanceof HTMLInputElement) return !NOT_TEXT.has(element.type)
  return element instanceof HTMLTextAreaElement || element.isContentEditable
}

function isFilePicker (element) {
  const target = element instanceof HTMLLabelElement ? element.control : element
  return target instanceof HTMLInputElement && target.type === 'file'
}

// Pages are served no-store, and Chromium keeps no-store pages in its back/forward cache only until a cookie
// changes: changing one means Back finds no page of this app kept in memory, so it loads it (and the guard
// sends it to the decoy) instead of painting what was there.
function forgetKeptPages () {
  document.cookie = 'h=1; path=/; SameSite=Strict'
  document.cookie = 'h=; path=/; max-age=0; SameSite=Strict'
}

export function initQuickHide (scope = document) {
  const control = scope.querySelector('[data-quick-hide]')
  if (!control) return null // decoys have no control and nothing to hide
  const root = document.documentElement
  const decoyUrl = control.href
  let hiding = null
  let unloading = false // pagehide comes first when leaving; the visibilitychange after it is not a hide
  let picking = false // a file or camera picker hides the page on phones: that is not a reason to hide
  let shiftPresses = 0
  let shiftTimer = null
  let lastKeyWasModified = false
  let lastEscape = -Infinity
  const lights = control.querySelector('.quick-hide__lights')
  // Progress is said aloud in the plain look only. Under a disguise every page wears the disguise's name
  // ("Calculator"), and a screen reader speaks to everyone in the room: "press 2 more times to hide this
  // page" would give the app away, at the very moment someone comes near, or whenever Shift is pressed on
  // its own (NVDA users press it to pause speech). Whoever chose a disguise chose concealment over
  // feedback. The lights still count there: they show no more than the red control they sit in.
  const status = root.dataset.look === 'plain' ? scope.querySelector('[data-quick-hide-status]') : null
  let sayTimer = null

  function say (text) {
    if (!status) return
    clearTimeout(sayTimer)
    status.textContent = text
  }

  function showPresses (count) {
    if (!lights) return
    lights.hidden = count === 0
    for (const [index, light] of [...lights.children].entries()) light.classList.toggle('quick-hide__light--on', index < count)
  }

  function forgetShift () {
    shiftPresses = 0
    clearTimeout(shiftTimer)
    showPresses(0)
  }

  function shiftTimedOut () {
    forgetShift()
    say(SAY.timedOut())
    sayTimer = setTimeout(() => say(''), SHIFT_WINDOW_MS) // gone before anyone reading the page later finds it
  }

  function lock (reason) {
    try {
      return lockAll(reason)
    } catch {
      return Promise.resolve() // a broken handler must not stop the hide
    }
  }

  function hide (reason) {
    if (hiding) return hiding
    root.classList.add('is-hiding')
    markShut()
    forgetKeptPages()
    if (isTextField(document.activeElement)) document.activeElement.blur() // closes the on-screen keyboard
    const waited = new Promise((resolve) => setTimeout(resolve, LOCK_WAIT_MS))
    // Leave only once the cover is on screen: a quick page swap could otherwise hold the last frame
    // of what was there before. A hidden page paints nothing, so it need not wait.
    const painted = document.visibilityState === 'hidden'
      ? null
      : new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)))
    // A voice still reading would give the page away after it has gone: it stops before the page goes, but after
    // the cover's frame, since the first call into speech synthesis can take longer than a frame on a slow phone.
    Promise.race([painted, waited]).then(stopReading)
    const ready = Promise.race([Promise.all([lock(reason), painted]), waited])
    hiding = ready.then(() => location.replace(decoyUrl))
    return hiding
  }

  control.addEventListener('click', (event) => {
    event.preventDefault()
    hide('control')
  })

  document.addEventListener('keyup', (event) => {
    if (event.key === 'Shift' && !lastKeyWasModified) {
      shiftPresses += 1
      clearTimeout(shiftTimer)
      if (shiftPresses >= SHIFTS_TO_HIDE) {
        shiftPresses = 0
        hide('shift') // first and alone: nothing may delay the cover
      } else {
        shiftTimer = setTimeout(shiftTimedOut, SHIFT_WINDOW_MS)
        showPresses(shiftPresses)
        say(SAY.pressesLeft(SHIFTS_TO_HIDE - shiftPresses))
      }
    } else if (event.key !== 'Shift' && shiftPresses > 0) {
      // Shift + another key is typing, not a request to hide. Silently: a message would talk over the typing.
      forgetShift()
      say('')
    }
    lastKeyWasModified = event.shiftKey
  }, true)

  document.addEventListener('keydown', (event) => {
    // A held Esc repeats its keydown after about 0.5 s, well inside the 1 s window: it is still one press.
    if (event.key !== 'Escape' || event.repeat) return
    const again = event.timeStamp - lastEscape <= ESCAPE_WINDOW_MS
    lastEscape = event.timeStamp
    if (again) {
      lastEscape = -Infinity
      hide('escape')
    } else if (isTextField(event.target)) {
      event.target.blur() // step aside: what was typed stays, the next Esc hides
    }
  }, true)

  // A camera or file picker hides the page on phones: that is not a reason to hide, but what is on screen must not
  // sit in the app switcher or in view while it is open. The journal locks itself if the picker stays open.
  function pickerOpen (open) {
    picking = open
    root.classList.toggle('is-covered', open)
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'hidden') pickerOpen(false)
    else if (!unloading && !picking) hide('hidden')
  })
  window.addEventListener('pagehide', () => {
    unloading = true
    if (!hiding) lock('pagehide')
  })
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return
    hiding = null
    unloading = false
    pickerOpen(false)
    forgetShift()
    say('')
  })

  document.addEventListener('click', (event) => {
    if (isFilePicker(event.target)) pickerOpen(true)
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null
    if (!link || (link.target && link.target !== '_self') || link.hasAttribute('download')) return
    const url = new URL(link.href)
    if (url.origin !== location.origin) return // tel:, sms: and other sites keep their own behaviour
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return
    event.preventDefault()
    location.replace(url.href)
  })
  document.addEventListener('change', (event) => { if (isFilePicker(event.target)) pickerOpen(false) }, true)
  document.addEventListener('cancel', (event) => { if (isFilePicker(event.target)) pickerOpen(false) }, true)
  // A desktop file dialog gives focus back when it closes, even where no cancel event is sent.
  window.addEventListener('focus', () => { if (picking) setTimeout(() => pickerOpen(false)) })

  document.addEventListener('submit', (event) => {
    const form = event.target
    if (event.defaultPrevented || form.method !== 'get' || (form.target && form.target !== '_self')) return
    const url = new URL(form.action)
    if (url.origin !== location.origin) return
    event.preventDefault()
    url.search = new URLSearchParams(new FormData(form, event.submitter)).toString()
    location.replace(url.href)
  })

  return { hide }
}
