// The admin's edit form, enhanced: characters left in each limited field, text too big to send kept on the
// page, a warning before the session ends, and, once it has ended, nothing lost: sign in again in another
// tab, come back and save. Without JavaScript the server gives typed text back instead (admin/editing.py).

const MINUTE_MS = 60 * 1000

const formatNumber = (n) => n.toLocaleString('en-GB')

function initCharacterCounts (form) {
  for (const field of form.querySelectorAll('[data-max-chars]')) {
    const max = Number(field.dataset.maxChars)
    const hint = form.querySelector(`[data-limit-for="${field.id}"]`)
    if (!hint) continue
    // Said politely once typing pauses, not at every key.
    const status = document.createElement('span')
    status.className = 'visually-hidden'
    status.setAttribute('aria-live', 'polite')
    hint.after(status)
    let pause
    const update = () => {
      const left = max - field.value.length
      hint.textContent = left >= 0
        ? `At most ${formatNumber(max)} characters: ${formatNumber(left)} left.`
        : `At most ${formatNumber(max)} characters: ${formatNumber(-left)} too many.`
      hint.classList.toggle('field-error', left < 0)
      clearTimeout(pause)
      pause = setTimeout(() => { status.textContent = hint.textContent }, 1000)
    }
    field.addEventListener('input', update)
    update()
  }
}

function initSession (form, notice) {
  const idleMs = Number(form.dataset.idleSeconds) * 1000
  const warnMs = Number(form.dataset.warnSeconds) * 1000
  const refreshEveryMs = Math.min(MINUTE_MS, idleMs / 4)
  const token = form.querySelector('[name="csrf_token"]')
  let deadline = Date.now() + idleMs
  let lastRefresh = Date.now()
  let state = 'active' // active, warned, ended

  const show = (html) => {
    notice.innerHTML = html
    notice.hidden = false
  }
  const hide = () => {
    notice.hidden = true
    notice.textContent = ''
  }

  // Asks the server whether the session is alive; asking keeps it alive and brings a fresh form token.
  const refresh = async () => {
    try {
      const response = await fetch(form.dataset.sessionUrl,
        { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      if (response.ok) {
        const answer = await response.json()
        token.value = answer.csrf_token
        deadline = Date.now() + idleMs
        lastRefresh = Date.now()
        if (state !== 'active') hide()
        state = 'active'
        return true
      }
      if (response.status === 401) ended()
    } catch (error) {
      // Offline or the server is away: leave things as they are and try again later.
    }
    return false
  }

  const warn = () => {
    state = 'warned'
    const at = new Date(deadline).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
    show(`<p>You will be signed out at ${at} because nothing has been sent for a while.
      What you typed is not saved yet.</p>
      <button class="button" type="button" data-stay>Stay signed in</button>`)
    notice.querySelector('[data-stay]').addEventListener('click', refresh)
  }

  const ended = () => {
    if (state === 'ended') return
    state = 'ended'
    show(`<h2>Your session has ended</h2>
      <p>What you typed is still here and nothing is lost. To save it,
      <a href="${form.dataset.signInUrl}" target="_blank" rel="noopener">sign in again in a new tab</a>,
      then come back to this tab and press "Save in the draft".</p>`)
  }

  form.addEventListener('input', () => { // typing is not being idle
    if (state === 'warned' || (state === 'active' && Date.now() - lastRefresh > refreshEveryMs)) refresh()
  })

  form.addEventListener('submit', async (event) => {
    if (state === 'active' && Date.now() < deadline) return
    event.preventDefault() // never send a form that would come back as a sign-in page
    if (await refresh()) {
      form.submit()
    } else {
      ended()
      notice.scrollIntoView({ block: 'nearest' })
      notice.querySelector('a, button')?.focus()
    }
  })

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state === 'ended') {
      refresh().then((signedIn) => {
        if (signedIn) show('<p>You are signed in again. Press "Save in the draft" to save what you typed.</p>')
      })
    }
  })

  setInterval(() => {
    const now = Date.now()
    if (state !== 'ended' && now >= deadline) refresh().then((alive) => { if (!alive) ended() })
    else if (state === 'active' && now >= deadline - warnMs) warn()
  }, Math.min(1000, warnMs / 4))
}

function initRequestLimit (form, notice) {
  const limit = Number(form.dataset.requestLimit)
  form.addEventListener('submit', (event) => {
    const size = new Blob([new URLSearchParams(new FormData(form)).toString()]).size
    if (size <= limit) return
    event.preventDefault()
    event.stopImmediatePropagation()
    const megabytes = (bytes, digits) => (bytes / 1048576).toFixed(digits)
    notice.innerHTML = `<p>This is too much to send (${megabytes(size, 1)} MB; the most is ${megabytes(limit, 0)} MB),
      so it was not sent and nothing is lost. Shorten the text: each field says how long it may be.</p>`
    notice.hidden = false
    notice.scrollIntoView({ block: 'nearest' })
  })
}

const form = document.querySelector('[data-module="admin-form"]')
const notice = document.querySelector('[data-session-warning]')
if (form && notice) {
  initRequestLimit(form, notice) // first: its submit listener stops the others for a form too big to send
  initCharacterCounts(form)
  initSession(form, notice)
}
