// "Save these answers in my safety plan" (templates/check.html): the one way the self-check's answers are ever
// kept, and only when the person asks. The plan's own module (js/plan/keep.js, loaded on demand) asks for the
// journal's passphrase and keeps them encrypted in the plan record; nothing of them is written anywhere else.
import { t, tParts } from '../i18n.js'

const KEEP_MODULE = '../plan/keep.js'

function link (href, text) {
  const a = document.createElement('a')
  a.href = href
  a.textContent = text
  return a
}

// box: the [data-check-save] block. riskRecord(): the answers on the page as the plan keeps them.
export function initSaveToPlan (box, { riskRecord }) {
  const button = box.querySelector('[data-save-to-plan]')
  const container = box.querySelector('[data-save-form]')
  const status = box.querySelector('[data-save-status]')
  let pending = null // what keep.js will save once the passphrase is given: kept in step with the answers
  let round = 0 // bumped when the answers are cleared, so a save started before says nothing after

  const say = (...parts) => status.replaceChildren(...parts)

  function done (result) {
    container.replaceChildren() // keep.js's own words: said here instead, with where to go next
    button.hidden = false
    if (result.saved) {
      const planLink = link('/plan', t('Open your plan to see them'))
      // Translators: %(link)s is a link whose words are "Open your plan to see them".
      say(...tParts('Saved in your safety plan, encrypted. %(link)s.', { link: planLink }))
    } else if (result.reason === 'no-journal') {
      const journalLink = link('/journal', t('set up your journal'))
      // Translators: %(link)s is a link whose words are "set up your journal".
      say(...tParts('To keep answers you need a journal first: %(link)s, then come back. Nothing was stored.', { link: journalLink }))
    } else if (result.reason === 'cancelled') {
      say(t('Not saved: nothing was stored.'))
    } else {
      // Translators: %(reason)s is a whole sentence saying what went wrong.
      say(t('Not saved: %(reason)s Nothing was stored.', { reason: result.message }))
    }
    button.focus() // the passphrase form just used is gone; the status above is read out
  }

  async function save () {
    const mine = ++round
    say()
    button.hidden = true
    let keepInPlan
    try {
      ({ keepInPlan } = await import(KEEP_MODULE))
    } catch {
      // Offline, and the plan's modules never fetched on this phone.
      if (mine !== round) return
      button.hidden = false
      return say(t('Saving needs a part of this site that this phone has not downloaded yet. Try again when you are online. Nothing was stored.'))
    }
    if (mine !== round) return
    pending = { risk: riskRecord() }
    let result
    try {
      result = await keepInPlan(container, pending)
    } catch (error) {
      result = { saved: false, reason: 'error', message: error.message }
    }
    pending = null
    if (mine === round) done(result)
  }

  button.addEventListener('click', () => { save() })

  return {
    // The answers changed: what would be saved changes too; no answer, nothing to save.
    update (hasAnswers) {
      box.hidden = !hasAnswers
      if (pending && hasAnswers) pending.risk = riskRecord()
    },
    // The answers were cleared (left, shown again, quick-hide, "Clear my answers"): so is everything here.
    reset () {
      round += 1
      // keep.js's "Not now": its passphrase form goes and nothing is kept (it has no other way to stop).
      container.querySelector('button[type="button"]')?.click()
      pending = null
      container.replaceChildren()
      say()
      button.hidden = false
      box.hidden = true
    }
  }
}
