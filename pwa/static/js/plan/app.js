// The safety plan page: one part at a time, questions that depend on an answer shown only with it, a summary
// in the last part, and (once the journal is unlocked here) every change kept as an encrypted revision in the
// journal's log. The journal's own Session locks it: the Lock button, quick-hide, the idle lock, the page being
// hidden or another tab locking; each empties the page of every answer, and unlocking fills them back.
import { t, tParts } from '../i18n.js'
import { el, stamp } from '../journal/report.js'
import { Session, showUnlockError, unlockFromForm } from '../journal/session.js'
import { openSlots } from '../journal/slots.js'
import { answerText, asked, fillAnswers, questionsOf, readAnswers, summary } from './answers.js'

const SAVE_DELAY_MS = 800

export async function initPlan (root) {
  const page = new PlanPage(root, await openSlots())
  page.start()
  return page
}

// The self-check's saved answers, read back: when, its result in words, then question by question.
function riskSummary (risk) {
  if (!risk || typeof risk !== 'object') return []
  const answers = Object.values(risk.answers || {})
  const checkLink = el('a', { href: '/check' }, t('risk self-check'))
  // Translators: %(link)s is a link whose words are "risk self-check".
  const again = tParts('To change these answers, go through the %(link)s again and save it.', { link: checkLink })
  return [
    el('h4', {}, risk.recordedAt ? t('Your risk self-check (saved on %(date)s)', { date: stamp(risk.recordedAt) }) : t('Your risk self-check')),
    ...(risk.summary ? [el('p', {}, risk.summary)] : []),
    ...(answers.length ? [el('dl', { className: 'plan-answers' }, ...answers.flatMap((answer) => [el('dt', {}, answer.question), el('dd', {}, answerText(answer))]))] : []),
    el('p', {}, ...again)
  ]
}

class PlanPage {
  constructor (root, store) {
    this.root = root
    this.questions = questionsOf(root)
    this.bySlug = new Map(this.questions.map((question) => [question.slug, question]))
    this.form = root.querySelector('[data-plan-form]')
    this.parts = [...root.querySelectorAll('[data-part]')]
    this.unlockForm = root.querySelector('[data-form="unlock"]')
    this.session = new Session(store, { idleMs: Math.max(1, Number(root.dataset.idleSeconds) || 180) * 1000 })
    this.step = 0
    this.saved = null // the answers as last saved, to save only what changed
    this.risk = null // the self-check's answers, if saved from /check (js/check/save-to-plan.js); unlocked only
  }

  $ (selector) { return this.root.querySelector(selector) }

  start () {
    this.root.classList.add('plan--enhanced')
    this.$('[data-keep]').hidden = false
    this.root.querySelectorAll('[data-nav]').forEach((nav) => { nav.hidden = false })
    this.root.addEventListener('click', (event) => {
      const button = event.target.closest('[data-action]')
      if (button) this.onAction(button.dataset.action)
    })
    this.form.addEventListener('change', () => this.changed())
    this.form.addEventListener('input', () => this.changed())
    this.form.addEventListener('submit', (event) => event.preventDefault()) // Enter in a field does nothing
    this.unlockForm.addEventListener('submit', (event) => this.onUnlock(event))
    this.session.beforeLock(() => this.keepForLock())
    this.session.onLocked((reason, wasOpen) => this.onLocked(reason, wasOpen))
    this.session.watch()
    this.showStep(0, { focus: false })
    this.applyConditions()
  }

  onAction (action) {
    const run = {
      next: () => this.showStep(this.step + 1),
      back: () => this.showStep(this.step - 1),
      keep: () => this.offerUnlock(),
      'cancel-keep': () => this.keepState('off'),
      lock: () => this.session.lock('button'),
      'print-warning': () => { this.$('[data-print-warning]').hidden = false; this.$('[data-print-warning] [data-action="print"]').focus() },
      'print-cancel': () => { this.$('[data-print-warning]').hidden = true },
      print: () => this.print()
    }[action]
    if (run) Promise.resolve(run()).catch((error) => this.status(t('Something went wrong: %(reason)s', { reason: error.message })))
  }

  status (message) { this.$('[data-status]').textContent = message }

  // Parts ---------------------------------------------------------------------------------------------------

  showStep (step, { focus = true } = {}) {
    this.step = Math.max(0, Math.min(step, this.parts.length - 1))
    this.parts.forEach((part, i) => { part.hidden = i !== this.step })
    if (this.step === this.parts.length - 1) this.renderSummary()
    if (focus) this.parts[this.step].querySelector('h2').focus()
  }

  applyConditions () {
    for (const block of this.form.querySelectorAll('[data-show-if]')) {
      block.hidden = !asked(this.form, this.bySlug.get(block.dataset.question), this.bySlug)
    }
  }

  answers () { return readAnswers(this.form, this.questions) }

  renderSummary () {
    const box = this.$('[data-summary]')
    box.hidden = false
    this.$('[data-summary-list]').replaceChildren(...summary(this.answers()))
    this.$('[data-risk-summary]').replaceChildren(...riskSummary(this.risk))
  }

  changed () {
    this.applyConditions()
    if (this.step === this.parts.length - 1) this.renderSummary()
    if (!this.session.unlocked) return
    clearTimeout(this.saveTimer)
    this.saveTimer = setTimeout(() => this.saveNow().catch((error) => this.status(t('Not saved: %(reason)s', { reason: error.message }))), SAVE_DELAY_MS)
  }

  // Saving --------------------------------------------------------------------------------------------------

  async saveNow () {
    clearTimeout(this.saveTimer)
    if (!this.session.unlocked || this.saved === null) return // locked, or the saved plan not read back yet
    const answers = this.answers()
    if (JSON.stringify(answers) === JSON.stringify(this.saved)) return
    const stillHere = this.session.notLockedSince()
    const result = await this.session.journal.savePlan({ answers })
    if (!stillHere()) return
    this.saved = answers
    if (result) this.$('[data-saved]').textContent = t('Last saved %(date)s.', { date: stamp(result.record.recordedAt) })
  }

  // As the page locks (hidden, left, quick-hide, idle, Lock): the last changes are saved with the keys held.
  keepForLock () {
    clearTimeout(this.saveTimer)
    if (!this.session.unlocked || this.saved === null) return null
    const answers = this.answers()
    if (JSON.stringify(answers) === JSON.stringify(this.saved)) return null
    const { journal, vault } = this.session
    const held = { key: vault.key, chainKey: vault.chainKey }
    return () => journal.savePlan({ answers }, held)
  }

  // Unlocking -----------------------------------------------------------------------------------------------

  keepState (state) {
    for (const part of this.root.querySelectorAll('[data-keep-state]')) part.hidden = part.dataset.keepState !== state
  }

  async offerUnlock () {
    if (!(await this.session.vault.exists())) return this.keepState('no-journal')
    this.keepState('unlock')
    this.unlockForm.elements.passphrase.focus()
  }

  async onUnlock (event) {
    event.preventDefault()
    const open = await unlockFromForm(this.session, this.unlockForm)
    if (open) await this.opened()
  }

  // The saved plan comes back; what was chosen on the page before unlocking is kept over it, and saved.
  async opened () {
    const { journal } = this.session
    const stillHere = this.session.notLockedSince()
    const onScreen = this.answers()
    await journal.load()
    if (!stillHere()) return journal.unload()
    const saved = journal.plan?.answers || {}
    fillAnswers(this.form, saved)
    fillAnswers(this.form, onScreen)
    this.saved = saved
    this.risk = journal.plan?.risk || null
    this.changed()
    this.keepState('on')
    this.$('[data-saved]').textContent = journal.plan ? t('Last saved %(date)s.', { date: stamp(journal.plan.updatedAt) }) : ''
    this.status(journal.plan ? t('Unlocked: your saved answers are back.') : t('Unlocked: your answers are now kept as you go.'))
    this.session.resetIdle()
    this.parts[this.step].querySelector('h2').focus() // the form just used is gone: carry on with the plan
    await this.saveNow()
  }

  // Locking -------------------------------------------------------------------------------------------------

  // Every answer leaves the page: the fields, the summary, anything printed, the saved copy held for comparing.
  clearScreen () {
    clearTimeout(this.saveTimer)
    this.form.reset()
    for (const input of this.form.elements) {
      if (input.type === 'checkbox' || input.type === 'radio') input.checked = false
      else if ('value' in input && input.tagName !== 'BUTTON') input.value = ''
    }
    this.unlockForm.reset()
    this.unlockForm.elements.passphrase.value = ''
    showUnlockError(this.unlockForm, '')
    for (const node of this.root.querySelectorAll('[data-secret]')) node.replaceChildren()
    this.$('[data-saved]').textContent = ''
    this.$('[data-print-warning]').hidden = true
    document.documentElement.classList.remove('plan-print-ok')
    this.saved = null
    this.risk = null
    this.applyConditions()
    this.showStep(0, { focus: false })
  }

  onLocked (reason, wasOpen) {
    const hadAnswers = Object.keys(this.answers()).length > 0
    this.clearScreen()
    this.keepState('off')
    if (reason === 'button') this.$('[data-action="keep"]').focus() // the Lock button just pressed is gone
    if (wasOpen) {
      this.status(reason === 'idle' ? t('Locked after a few minutes without use. Your answers are kept: unlock to see them again.')
        : t('Locked. Your answers are kept: unlock to see them again.'))
    } else {
      this.status(hadAnswers ? t('Your answers were cleared when this page was hidden or locked: nothing was kept, because "Keep my answers" was not on.') : '')
    }
  }

  // Printing ------------------------------------------------------------------------------------------------

  // Only the summary, only after the warning was read (css/plan.css prints nothing else).
  print () {
    this.$('[data-print-warning]').hidden = true
    const out = this.$('[data-printout]')
    out.replaceChildren(el('h1', {}, t('My safety plan')), el('p', {}, t('Printed %(date)s.', { date: stamp(new Date().toISOString()) })),
      ...summary(this.answers(), 'h2'),
      // Numbers read left to right in right-to-left text too.
      el('p', {}, ...tParts('National Domestic Abuse Helpline: %(helpline)s, free, 24 hours a day. In an emergency, call %(emergency)s.',
        { helpline: el('bdi', { dir: 'ltr' }, '0808 2000 247'), emergency: el('bdi', { dir: 'ltr' }, '999') })))
    document.documentElement.classList.add('plan-print-ok')
    window.addEventListener('afterprint', () => {
      document.documentElement.classList.remove('plan-print-ok')
      out.replaceChildren()
    }, { once: true })
    window.print()
  }
}
