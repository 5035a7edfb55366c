// The backup's screens, built here rather than in the page so that nobody downloads them until they are used:
// "Keep a copy off this phone" (what the server can and cannot see, turning it on, the recovery code shown once
// with a printable card), the copy's status and its deletion (with the code, after a waiting period, cancellable),
// and "Restore a journal" (from the server with the code and the passphrase, or from an export file).
import { initMaskedFields } from '../../components/masked-field.js'
import { nt, t, tParts, translationsFor } from '../../i18n.js'
import { COULD_NOT_UNLOCK, UnlockError } from '../vault.js'
import { changesAndPhotos, el, stamp } from '../report.js'
import { MIN_LENGTH, MIN_SCORE, rateStrength } from '../strength.js'
import { Backup, BackupError, addOthers, fetchCopy, fromExport, fromServer, install } from './device.js'
import { BackupFormatError, groupCode } from './wire.js'

// The text only the backup shows (this module's, device.js's and wire.js's) comes with it: ready before any screen is.
await translationsFor('backup')

export class BackupScreens {
  constructor (page, session) {
    this.page = page
    this.session = session
    this.device = new Backup(session)
    this.view = el('section', { 'data-view': 'backup', hidden: true })
    this.box = el('div', { 'data-secret': '', 'data-backup': '' })
    this.view.append(this.box)
    page.root.append(this.view)
    this.line = el('p', { className: 'journal-hint', 'data-backup-status': '', 'aria-live': 'polite' })
    page.$('[data-view=home] [data-action="backup"]').closest('.journal-actions').after(this.line)
    page.screens.push(this)
    this.device.onChange(() => this.showStatus())
    // Every saved change is queued; a changed passphrase gets a key record (the queue waits while keys change).
    const { journal } = session
    const append = journal.append.bind(journal)
    journal.append = (...args) => { const saved = append(...args); saved.then(() => this.device.kick(), () => {}); return saved }
    const change = session.changePassphrase.bind(session)
    session.changePassphrase = async (current, next, options) => {
      const after = await this.device.beforePassphraseChange(current)
      return change(current, next, options).finally(() => after?.(next))
    }
    session.onLocked(() => this.device.stop())
    window.addEventListener('online', () => { if (session.unlocked) { this.device.failures = 0; this.device.kick() } })
  }

  // At every unlock with the backup on: queue and upload what is new.
  start () {
    this.device.kick()
    return this.showStatus()
  }

  receiptsForExport () { return this.device.receiptsForExport() }

  // data-state says at once whether the queue is being worked on (for tests); the words follow.
  async showStatus () {
    if (!this.session.unlocked) return
    if (this.device.busy) this.line.dataset.state = 'busy'
    const stillHere = this.session.notLockedSince()
    const config = await this.device.config().catch(() => null)
    const waiting = config?.id ? await this.device.waiting() : 0
    if (!stillHere()) return
    this.line.textContent = !config?.id ? '' : this.device.problem ? t('Copy: %(problem)s', { problem: this.device.problem })
      : waiting ? t('Copy: %(count)s waiting', { count: waiting }) : t('Copy up to date')
    this.line.dataset.state = this.device.busy ? 'busy' : waiting ? 'waiting' : 'done'
  }

  show (...children) {
    this.box.replaceChildren(...children)
    initMaskedFields(this.box)
    this.page.show('backup')
    window.scrollTo(0, 0)
  }

  forget () { this.line.textContent = '' }

  button (text, run, secondary = false, name = '') {
    const button = el('button', { type: 'button', className: secondary ? 'button button--secondary' : 'button', 'data-backup-action': name })
    button.textContent = text
    button.addEventListener('click', () => Promise.resolve(run(button)).catch((error) => this.error(error)))
    return button
  }

  back () { return this.button(t('Back to list'), () => this.page.goHome(), true, 'back') }

  error (error) {
    const box = this.box.querySelector('[data-error]')
    const message = error instanceof BackupError || error instanceof BackupFormatError ? error.message
      : error instanceof TypeError ? t('No connection to the server. Try again when you are online.') : t('Something went wrong: %(reason)s', { reason: error.message })
    if (box) box.textContent = message
    else this.page.status(message)
  }

  field (id, text, { secret = false, hint = '', type = 'text' } = {}) {
    const input = el('input', {
      id, name: id, type: secret ? 'text' : type, autocomplete: 'off', autocapitalize: 'off', spellcheck: false,
      ...(secret ? { className: 'masked-field', 'data-masked': '', 'data-1p-ignore': '', 'data-lpignore': 'true', 'data-bwignore': '', 'data-form-type': 'other' } : {})
    })
    const parts = [el('label', { for: id }, text)]
    if (hint) parts.push(el('p', { className: 'journal-hint' }, hint))
    return el('div', { className: 'journal-field' }, ...parts, input)
  }

  value (id) { return this.box.querySelector(`#${id}`).value }

  // Turning it on --------------------------------------------------------------------------------------------

  async open () {
    if (!this.session.unlocked) return this.openRestore()
    const config = await this.device.config()
    if (config?.id) return this.openStatus()
    this.show(
      el('h2', {}, t('Keep a copy off this phone')),
      el('p', {}, t('If this phone is lost, broken, taken or wiped, your journal can be brought back on another phone or computer.')),
      el('ul', {},
        el('li', {}, t("A copy of your journal, encrypted on this phone, is kept on this service's server. Every change and photo goes there by itself when you are online.")),
        el('li', {}, t('The server cannot read it: it sees only scrambled data, how much there is and when it arrives. It never gets your passphrase, your name, your number or your address.')),
        el('li', {}, t('You get a recovery code now. Bringing the journal back needs the recovery code and your passphrase, both. Someone who finds only one of them cannot read it.')),
        el('li', {}, t('If you lose both the recovery code and your passphrase, the copy is lost too. Nobody can open it for you.'))),
      this.field('backup-passphrase', t('Type your passphrase to turn it on'), { secret: true }),
      el('p', { className: 'journal-error', role: 'alert', 'data-error': '' }),
      el('div', { className: 'journal-actions' }, this.button(t('Turn it on'), (button) => this.turnOn(button), false, 'turn-on'), this.back()))
  }

  async turnOn (button) {
    const passphrase = this.value('backup-passphrase')
    const stillHere = this.session.notLockedSince()
    let code
    try {
      code = await this.page.busy(button, t('Turning it on…'), () => this.device.turnOn(passphrase))
    } catch (error) {
      if (error instanceof UnlockError && error.message === COULD_NOT_UNLOCK) return this.error(new BackupError(t('That is not the passphrase of this journal.')))
      throw error
    }
    if (!stillHere()) return
    this.device.kick()
    this.showCode(code)
  }

  // Shown once: never stored, and gone from the page at the next lock or screen.
  showCode (code) {
    const groups = code.split('-')
    const warning = el('div', { className: 'journal-notice', hidden: true, 'data-card-warning': '' },
      el('p', {}, el('strong', {}, t('A printed card or a saved PDF is not encrypted.')), ' ', t('Anyone who finds it, with your passphrase, can read your journal.')),
      el('ul', {},
        el('li', {}, t('A PDF is saved where your phone puts downloads (usually the Downloads folder), until you move or delete it. It may also be backed up to a cloud account.')),
        el('li', {}, t('On a shared printer, collect the page straight away. Keep the card somewhere nobody else looks, apart from this phone.'))),
      el('div', { className: 'journal-actions' },
        this.button(t('I understand: print or save'), () => this.printCard(warning, code), false, 'print-card'),
        this.button(t('Cancel'), () => { warning.hidden = true }, true)))
    this.show(
      el('h2', {}, t('Your recovery code')),
      el('p', {}, t('Write it down now, or print it, and keep it somewhere safe, away from this phone. It is shown only this once and is not kept anywhere.')),
      el('div', { className: 'backup-card', 'data-card': '' },
        el('p', { className: 'backup-card__title' }, t('Recovery code')),
        el('p', { className: 'journal-code', 'data-recovery-code': '', 'aria-label': t('Recovery code: %(code)s', { code: groups.map((g) => g.split('').join(' ')).join(', ') }) }, code),
        el('p', { className: 'journal-hint' }, t('With your passphrase, this brings the journal back on any phone or computer: "Restore a journal".'))),
      el('p', {}, t('Read it aloud in groups of four. The letters I, L, O and U are never used, so 0 is always zero and 1 is always one.')),
      el('div', { className: 'journal-actions' },
        this.button(t('Print a card'), () => { warning.hidden = false }, true, 'card'),
        this.button(t('I have written it down'), () => { this.page.goHome(); this.page.status(t('The copy is on. Changes go to it by themselves.')) }, false, 'done')),
      warning)
  }

  // Printed through the report's own print rules (css/journal.css prints the report view only, and only after a
  // warning): the card alone goes in the report for as long as the print dialog is open.
  printCard (warning, code) {
    warning.hidden = true
    const report = this.page.$('[data-report]')
    report.replaceChildren(el('div', { className: 'journal-entry' },
      el('h2', {}, t('Recovery code')), el('p', { className: 'journal-code' }, code),
      el('p', {}, t('With the passphrase, this brings the journal back: "Restore a journal".'))))
    document.documentElement.classList.add('journal-print-ok')
    this.page.show('report')
    window.addEventListener('afterprint', () => {
      document.documentElement.classList.remove('journal-print-ok')
      report.replaceChildren()
      if (this.page.view === 'report') this.page.show('backup')
    }, { once: true })
    window.print()
  }

  // Status and deletion ---------------------------------------------------------------------------------------

  async openStatus () {
    const info = el('div', { 'data-backup-info': '' }, el('p', {}, t('Asking the server…')))
    this.show(
      el('h2', {}, t('The copy off this phone')),
      el('p', { 'data-backup-line': '' }, this.line.textContent),
      info,
      el('details', { className: 'journal-delete' },
        el('summary', {}, t('Delete the copy on the server')),
        el('p', {}, t('Deleting needs the recovery code. The copy is deleted only after a waiting period; until then, the deletion can be cancelled with the code. If someone makes you delete it, you can undo it later.')),
        this.field('backup-delete-code', t('Recovery code'), { secret: true }),
        el('div', { className: 'journal-actions' },
          this.button(t('Delete the copy'), (button) => this.page.confirmed(button) && this.deletion(false), false, 'delete'),
          this.button(t('Cancel a deletion'), () => this.deletion(true), true, 'cancel-delete'))),
      el('p', { className: 'journal-error', role: 'alert', 'data-error': '' }),
      this.back())
    const stillHere = this.session.notLockedSince()
    try {
      const status = await this.device.status()
      if (stillHere()) info.replaceChildren(...this.describe(status))
    } catch (error) {
      if (stillHere()) info.replaceChildren(el('p', {}, error instanceof TypeError ? t('No connection now: changes wait on this phone and go when you are online.') : error.message))
    }
  }

  describe (status) {
    const lines = [el('p', {}, nt('The server holds %(count)s record.', 'The server holds %(count)s records.', status.records))]
    if (status.deletion) {
      lines.push(el('p', { className: 'journal-error', 'data-deletion': '' }, t('Deletion asked for on %(asked)s: the copy will be deleted on %(due)s unless it is cancelled with the recovery code.', { asked: stamp(status.deletion.requestedAt), due: stamp(status.deletion.dueAt) })))
    }
    return lines
  }

  async deletion (cancel) {
    const code = this.value('backup-delete-code')
    const status = await Backup.deletion(code, cancel)
    this.box.querySelector('#backup-delete-code').value = ''
    this.box.querySelector('[data-backup-info]').replaceChildren(...this.describe(status))
    this.box.querySelector('[data-error]').textContent = ''
    this.page.status(cancel ? t('The deletion is cancelled. The copy stays.') : t('The copy will be deleted on %(due)s. Until then, "Cancel a deletion" with the recovery code keeps it.', { due: stamp(status.deletion.dueAt) }))
  }

  // Restore ---------------------------------------------------------------------------------------------------

  async openRestore () {
    const exists = await this.session.vault.exists()
    const replace = el('div', { className: 'journal-check' },
      el('input', { id: 'restore-replace', type: 'checkbox', autocomplete: 'off' }),
      el('label', { for: 'restore-replace' }, t('Replace the journal on this device with the restored one')))
    const fromServer = el('fieldset', { className: 'journal-fieldset', 'data-restore-server': '' },
      el('legend', {}, t('From the copy kept on the server')),
      this.field('restore-code', t('Recovery code'), { secret: true, hint: t('Six groups of four letters and numbers.') }),
      this.field('restore-passphrase', t('Passphrase'), { secret: true, hint: t("The journal's passphrase when it was last backed up.") }),
      this.button(t('Restore from the server'), (button) => this.restore(button, 'server'), false, 'restore-server'))
    const fromFile = el('fieldset', { className: 'journal-fieldset', 'data-restore-file': '' },
      el('legend', {}, t('From an export file')),
      el('div', { className: 'journal-field' }, el('label', { for: 'restore-file' }, t('Export file')),
        el('input', { id: 'restore-file', type: 'file', accept: '.json,application/json' })),
      this.field('restore-export-code', t("The export's code"), { secret: true, hint: t('Five groups of four, given with the file.') }),
      this.field('restore-new-passphrase', t('Choose a passphrase for the journal here'), { secret: true, hint: t('At least %(count)s characters.', { count: MIN_LENGTH }) }),
      this.button(t('Restore from the file'), (button) => this.restore(button, 'file'), false, 'restore-file'))
    this.show(
      el('h2', {}, t('Restore a journal')),
      exists ? el('div', { className: 'journal-warning', 'data-restore-exists': '' },
        el('p', {}, el('strong', {}, t('This device already has a journal.')), ' ', t('Restoring replaces it: its entries are gone unless they are also in what you restore. Make an export of it first if you may need it.')),
        replace) : '',
      fromServer, fromFile,
      el('p', { className: 'journal-error', role: 'alert', 'data-error': '' }),
      this.button(t('Back'), () => this.page.show(exists ? 'unlock' : 'setup'), true, 'back'))
  }

  async restore (button, source) {
    const box = this.box.querySelector('[data-error]')
    box.textContent = ''
    const replace = this.box.querySelector('#restore-replace')
    if (replace && !replace.checked) return this.error(new BackupError(t('Tick "Replace the journal on this device" first, or go back.')))
    const passphrase = source === 'server' ? this.value('restore-passphrase') : this.value('restore-new-passphrase')
    // Quick-hide (or any lock) while restoring: nothing is written if it came before the journal was, and the
    // restored journal stays locked if it came after.
    const notHidden = this.session.notLockedSince()
    let restored, stillHere
    await this.page.busy(button, t('Restoring…'), async () => {
      if (source === 'server') {
        const copy = await fetchCopy(this.value('restore-code'), (n, of) => { button.textContent = t('Fetching %(n)s of %(of)s…', { n, of }) })
        button.textContent = t('Opening…')
        restored = await fromServer(copy, passphrase)
      } else {
        if (passphrase.length < MIN_LENGTH || rateStrength(passphrase).score < MIN_SCORE) {
          throw new BackupError(t('Choose a stronger passphrase: at least %(count)s characters, hard to guess.', { count: MIN_LENGTH }))
        }
        const file = this.box.querySelector('#restore-file').files[0]
        if (!file) throw new BackupError(t('Choose the export file first.'))
        restored = await fromExport(await file.text(), this.value('restore-export-code'))
      }
      if (!notHidden()) { restored = null; return }
      button.textContent = t('Saving…')
      this.session.lock('restore', { quiet: true })
      stillHere = this.session.notLockedSince()
      await install(this.session.vault.store, restored, passphrase)
    })
    if (!restored) return
    if (!stillHere()) return this.page.show('unlock')
    const open = await this.session.unlock(passphrase)
    if (!open) return this.page.show('unlock')
    await this.page.opened()
    const added = restored.others.length ? await addOthers(this.session.journal, this.session.vault, restored.others) : 0
    const check = await this.session.journal.verify()
    this.showResult(restored, check, added)
  }

  showResult (restored, check, added) {
    const photos = restored.attachments.length
    const lines = [
      // Translators: %(changes)s is "N saved changes", %(photos)s "N photos".
      el('p', { 'data-restored': '' }, t('Restored %(changes)s and %(photos)s.', changesAndPhotos(restored.items.length, photos))),
      el('p', { 'data-restore-check': check.problems.length ? 'problems' : 'ok' }, check.problems.length
        ? nt('The check found %(count)s problem.', 'The check found %(count)s problems.', check.problems.length) : t('Every change and photo checks out: nothing was altered.'))
    ]
    if (restored.checked) lines.push(el('p', { 'data-receipts': restored.checked }, nt('%(count)s receipt from the server check out: each says when the server received a change.', '%(count)s receipts from the server check out: each says when the server received a change.', restored.checked)))
    if (added) lines.push(el('p', { 'data-other-device': added }, nt("Two devices wrote to this copy. The other device's %(count)s change were added after the restore, so nothing is left out.", "Two devices wrote to this copy. The other device's %(count)s changes were added after the restore, so nothing is left out.", added)))
    const problems = [...restored.problems, ...check.problems]
    if (problems.length) lines.push(el('ul', { className: 'journal-error', 'data-restore-problems': '' }, ...problems.map((p) => el('li', {}, p))))
    this.show(el('h2', {}, t('Journal restored')), ...lines, el('div', { className: 'journal-actions' }, this.back()))
  }
}

// A code as typed, grouped back for showing.
export const shown = (code) => groupCode(code.replace(/-/g, ''))
