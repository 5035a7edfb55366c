// The journal page: set-up, unlock, entries, drafts, photos, report, export and passphrase change. The keys and
// locking are the session's (session.js): as a lock begins it asks for a snapshot of any open entry, then this
// page empties every decrypted thing at once, and the session seals the snapshot as a draft with the key it kept.
import { newExportCode } from './crypto.js'
import { plural } from './entries.js'
import { makeBundle } from './export.js'
import { busy, clearError, clearFields, localDate as today } from './form.js'
import { readPhoto } from './photos.js'
import { el, renderReport } from './report.js'
import { Session } from './session.js'
import { openStore } from './store.js'
import { DetailScreen } from './screens/detail.js'
import { EntryForm } from './screens/entry-form.js'
import { ListScreen } from './screens/list.js'
import { PassphraseScreens } from './screens/passphrase.js'
import { initStrength } from './strength.js'

export async function initJournal (root) {
  const app = new JournalApp(root, await openStore())
  await app.start()
  return app
}

class JournalApp {
  constructor (root, store) {
    this.root = root
    this.session = new Session(store, { idleMs: Math.max(1, Number(root.dataset.idleSeconds) || 180) * 1000 })
    this.vault = this.session.vault
    this.journal = this.session.journal
    this.labels = JSON.parse(root.dataset.labels)
    this.forms = Object.fromEntries([...root.querySelectorAll('form[data-form]')].map((form) => [form.dataset.form, form]))
    this.blobUrls = []
    this.passphrase = new PassphraseScreens(this, this.session)
    this.list = new ListScreen(this, this.session)
    this.entryForm = new EntryForm(this, this.session)
    this.detail = new DetailScreen(this, this.session)
  }

  $ (selector) { return this.root.querySelector(selector) }

  async start () {
    this.root.addEventListener('click', (event) => {
      const button = event.target.closest('[data-action]')
      if (button) this.onAction(button.dataset.action, button)
    })
    initStrength(this.root)
    this.session.onLocked((reason, { wasOpen }) => this.onLocked(reason, wasOpen))
    this.session.watch()
    this.show(await this.session.exists() ? 'unlock' : 'setup')
  }

  show (view) {
    for (const section of this.root.querySelectorAll('[data-view]')) section.hidden = section.dataset.view !== view
    this.view = view
    this.status('') // a message belongs to the screen it was given on
  }

  status (message) { this.$('[data-status]').textContent = message }

  onAction (action, button) {
    if (action !== 'lock' && !this.session.unlocked) return
    const actions = {
      lock: () => this.session.lock('button'),
      back: () => this.goHome(),
      report: () => this.openReport(),
      'print-warning': () => { this.$('[data-print-warning]').hidden = false },
      'print-cancel': () => { this.$('[data-print-warning]').hidden = true },
      print: () => this.print(),
      export: () => { this.$('[data-export]').replaceChildren(); this.show('export') },
      'make-export': () => busy(button, 'Making the file…', () => this.makeExport()),
      check: () => this.runCheck(),
      ...this.passphrase.actions,
      ...this.entryForm.actions,
      ...this.detail.actions
    }
    const run = actions[action]
    if (run) Promise.resolve(run(button)).catch((error) => this.status(`Something went wrong: ${error.message}`))
  }

  async opened () {
    await this.journal.load()
    this.list.warmSearch()
    await this.entryForm.refreshDraftOffer()
    this.goHome()
    this.session.resetIdle()
    await this.entryForm.addWaitingPhotos()
    const stillHere = this.session.notLockedSince()
    // The whole chain is checked after the list shows; what it finds is recorded, then shown here too.
    if (await this.journal.checked && stillHere() && this.view === 'home') this.list.render()
  }

  goHome () {
    this.detail.leave()
    this.show('home')
    this.list.render()
  }

  openDetail (id) { this.detail.open(id) }

  editEntry (entry) { this.entryForm.edit(entry) }

  // Decrypts a photo into a blob: URL for an <img>; URLs are revoked on lock.
  async showPhoto (container, photo) {
    const stillHere = this.session.notLockedSince()
    try {
      const blob = await readPhoto(this.vault, photo)
      if (!stillHere()) return
      const url = URL.createObjectURL(blob)
      this.blobUrls.push(url)
      container.prepend(el('img', { src: url, alt: `Photo ${photo.name}`, className: 'journal-photo' }))
    } catch {
      if (stillHere()) container.append(el('span', { className: 'journal-error' }, ' This photo could not be opened.'))
    }
  }

  // Report, export, check ---------------------------------------------------------------------------------

  openReport () {
    const container = this.$('[data-report]')
    renderReport(container, this.journal.list(), this.labels, this.journal.index.deleted)
    const photos = new Map(this.journal.list().flatMap((entry) => entry.photos.map((photo) => [photo.id, photo])))
    container.querySelectorAll('[data-photo-id]').forEach((figure) => this.showPhoto(figure, photos.get(figure.dataset.photoId)))
    this.show('report')
  }

  async makeExport () {
    const stillHere = this.session.notLockedSince()
    const code = newExportCode()
    const result = await makeBundle(this.vault, this.journal, code)
    if (!stillHere()) return
    const url = URL.createObjectURL(new Blob([result.json], { type: 'application/json' }))
    this.blobUrls.push(url)
    const parts = [
      el('p', {}, 'Your one-time export code:'),
      el('p', { className: 'journal-code', 'data-export-code': '' }, code),
      el('p', {}, 'Write it down and keep it apart from the file: anyone with both can read your journal. It is not stored anywhere and cannot be shown again.'),
      el('a', { className: 'button', href: url, download: `export-${today()}.json`, 'data-export-link': '' }, 'Download the export file'),
      el('p', { className: 'journal-hint' }, `${plural(result.revisions, 'saved change')} and ${plural(result.photos, 'photo')}.`)
    ]
    if (result.problems.length) {
      parts.push(el('p', { className: 'journal-error' }, `Warning: ${plural(result.problems.length, 'problem')} found on this phone; the verifier will list them too.`))
    }
    this.$('[data-export]').replaceChildren(...parts)
  }

  // Only after the warning was read: css/journal.css prints nothing of the journal without this class.
  print () {
    this.$('[data-print-warning]').hidden = true
    document.documentElement.classList.add('journal-print-ok')
    window.addEventListener('afterprint', () => document.documentElement.classList.remove('journal-print-ok'), { once: true })
    window.print()
  }

  async runCheck () {
    const box = this.$('[data-check]')
    box.replaceChildren(el('p', {}, 'Checking…'))
    this.show('check')
    const stillHere = this.session.notLockedSince()
    const result = await this.journal.verify()
    if (!stillHere()) return
    if (result.problems.length === 0) {
      box.replaceChildren(el('p', { 'data-check-result': 'ok' },
        `All ${plural(result.count, 'saved change')} and ${plural(result.photos, 'photo')} check out: nothing has been altered.`))
    } else {
      box.replaceChildren(el('p', { className: 'journal-error', 'data-check-result': 'problems' }, `${plural(result.problems.length, 'problem')} found:`),
        el('ul', {}, ...result.problems.map((problem) => el('li', {}, problem))))
    }
  }

  // Locking -----------------------------------------------------------------------------------------------

  clearScreen () {
    for (const node of this.root.querySelectorAll('[data-secret]')) node.replaceChildren()
    for (const form of Object.values(this.forms)) {
      clearFields(form)
      clearError(form)
    }
    this.list.forget()
    this.entryForm.forget()
    this.detail.forget()
    this.$('[data-print-warning]').hidden = true
    document.documentElement.classList.remove('journal-print-ok')
    this.blobUrls.forEach((url) => URL.revokeObjectURL(url))
    this.blobUrls = []
    this.status('')
  }

  // The keys are gone: forget everything decrypted and empty the page.
  onLocked (reason, wasOpen) {
    this.clearScreen()
    if (!wasOpen) return
    this.show('unlock')
    if (reason === 'idle') this.status('Locked after a few minutes without use.')
    if (reason === 'picker') this.status('Locked because the camera or photo picker stayed open. Your entry is kept.')
  }
}
