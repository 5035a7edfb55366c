// For another page (the self-check) to keep something in the safety plan, encrypted in the journal:
//
//   import { keepInPlan } from '/static/js/plan/keep.js'
//   const result = await keepInPlan(container, { risk: { title, recordedAt, summary, answers } })
//
// It shows, inside `container`, the journal's passphrase and a button; once the journal is unlocked it merges
// `changes` into the plan (a new revision of the plan record: other fields, such as the plan's answers, stay as
// they are), locks again at once and empties the container. `risk.answers` has the plan's own shape (see
// answers.js: { [slug]: { question, value, labels } }), so the export prints it question by question.
// Resolves to { saved: true } once kept; { saved: false, reason: 'no-journal' } when this phone has no journal
// (the container then says so and links to /journal); { saved: false, reason: 'cancelled' } for "Not now", or
// when the page locks first (quick-hide, another tab). Nothing is stored unless it resolves with saved: true.
import { t, tParts } from '../i18n.js'
import { onLock } from '../lock.js'
import { el } from '../journal/report.js'
import { Session } from '../journal/session.js'
import { openSlots } from '../journal/slots.js'
import { COULD_NOT_UNLOCK, UnlockError } from '../journal/vault.js'

let forms = 0 // ids for labels, unique on the page

export async function keepInPlan (container, changes, { store = null } = {}) {
  const session = new Session(store || await openSlots(), { idleMs: 300000 })
  if (!(await session.vault.exists())) {
    const journalLink = el('a', { href: '/journal' }, t('Set up your journal'))
    // Translators: %(link)s is a link whose words are "Set up your journal".
    const text = tParts('There is no journal on this phone yet, and your answers are kept inside it, encrypted. %(link)s, then come back. Nothing was kept.', { link: journalLink })
    container.replaceChildren(el('p', {}, ...text))
    return { saved: false, reason: 'no-journal' }
  }
  forms += 1
  const id = `keep-in-plan-${forms}`
  const field = el('input', {
    id, name: 'passphrase', type: 'text', className: 'masked-field', autocomplete: 'off', autocapitalize: 'off',
    autocorrect: 'off', spellcheck: 'false', 'data-masked': '', 'data-1p-ignore': '', 'data-lpignore': 'true', 'data-bwignore': '', 'data-form-type': 'other'
  })
  if (!(window.CSS && (CSS.supports('-webkit-text-security', 'disc') || CSS.supports('text-security', 'disc')))) field.type = 'password'
  const error = el('p', { className: 'journal-error', role: 'alert' })
  const submit = el('button', { className: 'button', type: 'submit' }, t('Keep in my safety plan'))
  const cancel = el('button', { className: 'button button--secondary', type: 'button' }, t('Not now'))
  const form = el('form', { className: 'journal-form', autocomplete: 'off', novalidate: '' },
    el('div', { className: 'journal-field' }, el('label', { for: id }, t("Your journal's passphrase")), field),
    error, el('div', { className: 'journal-actions' }, submit, cancel))
  container.replaceChildren(form)
  field.focus()

  return new Promise((resolve) => {
    let stopWatching = () => {}
    const finish = (result, message = '') => {
      stopWatching()
      session.lock('done', { quiet: true })
      container.replaceChildren(...(message ? [el('p', { role: 'status' }, message)] : []))
      resolve(result)
    }
    // Quick-hide, or another tab locking: the keys go, nothing is kept, the form goes.
    stopWatching = onLock(() => finish({ saved: false, reason: 'cancelled' }))
    cancel.addEventListener('click', () => finish({ saved: false, reason: 'cancelled' }))
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      submit.disabled = true
      const stillHere = session.notLockedSince()
      try {
        if (!(await session.unlock(field.value)) || !stillHere()) return
        field.value = ''
        await session.journal.load()
        if (!stillHere()) return
        await session.journal.savePlan(changes)
        finish({ saved: true }, t('Kept in your safety plan, encrypted. The journal is locked again.'))
      } catch (err) {
        field.value = ''
        error.textContent = err instanceof UnlockError && err.message === COULD_NOT_UNLOCK
          ? t('Could not unlock. Check the passphrase and try again.') : t('Not kept: %(reason)s', { reason: err.message })
        field.focus()
      } finally {
        submit.disabled = false
      }
    })
  })
}
