// The journal page: set-up, unlock, entries, drafts, photos, report, export and passphrase change. The keys and
// locking are the session's (session.js): as a lock begins it asks for a snapshot of any open entry, then this
// page empties every decrypted thing at once, and the session seals the snapshot as a draft with the key it kept.
import { newExportCode } from './crypto.js'
import { discardDraft, loadDraft, saveDraft } from './drafts.js'
import { plural } from './entries.js'
import { makeBundle } from './export.js'
import { busy, clearError, clearFields, confirmed, fillFields, localDate as today, problemsWith, readFields, showError } from './form.js'
import { addPhoto, forgetPhotos, readPhoto } from './photos.js'
import { el, renderReport, stamp } from './report.js'
import { Session } from './session.js'
import { openStore } from './store.js'
import { DetailScreen } from './screens/detail.js'
import { ListScreen } from './screens/list.js'
import { PassphraseScreens } from './screens/passphrase.js'
import { initStrength } from './strength.js'

const DRAFT_DELAY_MS = 400

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
    this.editing = null // { entry, photos, newPhotos } while the entry form is open
    this.draft = null
    this.draftQueue = Promise.resolve()
    this.pendingPhotos = new Set()
    this.blobUrls = []
    this.saving = false
    this.passphrase = new PassphraseScreens(this, this.session)
    this.list = new ListScreen(this, this.session)
    this.detail = new DetailScreen(this, this.session)
  }

  $ (selector) { return this.root.querySelector(selector) }

  async start () {
    const { entry } = this.forms
    entry.addEventListener('submit', (event) => this.onSaveEntry(event))
    entry.addEventListener('input', () => this.scheduleDraft())
    entry.addEventListener('change', (event) => { if (event.target.type !== 'file') this.scheduleDraft() })
    this.root.querySelectorAll('[data-photo-input]').forEach((input) => input.addEventListener('change', (event) => this.onPhotos(event)))
    this.$('[data-photos]').addEventListener('click', (event) => {
      const remove = event.target.closest('[data-remove-photo]')
      if (remove) this.removePhoto(remove.dataset.removePhoto)
    })
    this.root.addEventListener('click', (event) => {
      const button = event.target.closest('[data-action]')
      if (button) this.onAction(button.dataset.action, button)
    })
    initStrength(this.root)

    // Leaving a field (to tap a link, say) saves the draft at once rather than after the typing pause.
    entry.addEventListener('focusout', () => this.saveDraftNow().catch(() => {}))
    // A picker hides the page on phones; the session locks only if it stays open (see Session.picker).
    this.root.querySelectorAll('[data-photo-input]').forEach((input) => {
      input.addEventListener('click', () => this.session.picker(true))
      input.addEventListener('cancel', () => this.session.picker(false))
    })

    this.session.beforeLock(() => this.keepForLock())
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
      new: () => this.draft ? this.continueDraft() : this.openEntryForm({ fields: { occurredDate: today() } }),
      'continue-draft': () => this.continueDraft(),
      'discard-draft': () => confirmed(button) && this.discardSavedDraft(),
      'close-entry': () => this.closeEntry(),
      'discard-entry': () => confirmed(button) && this.discardEntry(),
      back: () => this.goHome(),
      report: () => this.openReport(),
      'print-warning': () => { this.$('[data-print-warning]').hidden = false },
      'print-cancel': () => { this.$('[data-print-warning]').hidden = true },
      print: () => this.print(),
      export: () => { this.$('[data-export]').replaceChildren(); this.show('export') },
      'make-export': () => busy(button, 'Making the file…', () => this.makeExport()),
      check: () => this.runCheck(),
      ...this.passphrase.actions,
      ...this.detail.actions
    }
    const run = actions[action]
    if (run) Promise.resolve(run(button)).catch((error) => this.status(`Something went wrong: ${error.message}`))
  }

  async opened () {
    await this.journal.load()
    this.list.warmSearch()
    await this.refreshDraftOffer()
    this.goHome()
    this.session.resetIdle()
    await this.addWaitingPhotos()
    const stillHere = this.session.notLockedSince()
    // The whole chain is checked after the list shows; what it finds is recorded, then shown here too.
    if (await this.journal.checked && stillHere() && this.view === 'home') this.list.render()
  }

  // Home: list, search, draft offer -----------------------------------------------------------------------

  goHome () {
    this.detail.leave()
    this.show('home')
    this.list.render()
  }

  openDetail (id) { this.detail.open(id) }

  editEntry (entry) {
    if (this.draft) {
      this.goHome()
      return this.status('Finish or throw away your unsaved entry first.')
    }
    this.openEntryForm({ entry: entry.id, fields: entry.fields, photos: entry.photos })
  }

  async refreshDraftOffer () {
    this.draft = await loadDraft(this.vault)
    this.$('[data-draft-offer]').hidden = !this.draft
    this.$('[data-draft-time]').textContent = this.draft ? stamp(this.draft.savedAt) : ''
  }

  continueDraft () {
    if (this.draft) this.openEntryForm(this.draft)
  }

  async discardSavedDraft () {
    if (!this.draft) return
    await this.forgetUnsavedPhotos(this.draft.newPhotos || [], [])
    await discardDraft(this.vault)
    await this.refreshDraftOffer()
    this.status('The unsaved entry was thrown away.')
  }

  // Photos added in a draft that never made it into a saved revision. A photo any revision refers to is never
  // deleted, whatever a draft says (a draft written while a save landed may list photos the save now uses).
  forgetUnsavedPhotos (newPhotos, kept) {
    const keep = this.journal.referencedPhotos()
    for (const photo of kept) keep.add(photo.id)
    return forgetPhotos(this.vault, newPhotos.filter((id) => !keep.has(id)))
  }

  // The entry form and drafts -----------------------------------------------------------------------------

  openEntryForm ({ entry = null, fields = {}, photos = [], newPhotos = [] }) {
    const form = this.forms.entry
    clearFields(form)
    fillFields(form, fields)
    clearError(form)
    this.editing = { entry, photos: [...photos], newPhotos: [...newPhotos] }
    this.$('[data-entry-title]').textContent = entry ? 'Edit entry' : 'New entry'
    this.$('[data-draft-state]').textContent = ''
    this.renderPhotos()
    this.show('entry')
    form.querySelector('h2').scrollIntoView({ block: 'start' })
  }

  snapshot () {
    return { entry: this.editing.entry, fields: readFields(this.forms.entry), photos: [...this.editing.photos], newPhotos: [...this.editing.newPhotos] }
  }

  scheduleDraft () {
    if (!this.editing) return
    clearTimeout(this.draftTimer)
    this.draftTimer = setTimeout(() => this.saveDraftNow().catch(() => {}), DRAFT_DELAY_MS)
  }

  // Draft writes go one after another, so an older snapshot can never land after a newer one.
  queueDraft (draft, key) {
    const write = this.draftQueue.catch(() => {}).then(() => saveDraft(this.vault, draft, key))
    this.draftQueue = write.catch(() => {})
    return write
  }

  async saveDraftNow () {
    clearTimeout(this.draftTimer)
    // While an entry is being saved, the save itself clears the draft: a late write must not bring it back.
    if (!this.editing || !this.session.unlocked || this.saving) return
    const stillHere = this.session.notLockedSince()
    const draft = this.snapshot()
    await this.queueDraft(draft, this.vault.key)
    if (!stillHere()) return
    this.draft = draft
    this.$('[data-draft-state]').textContent = `Draft saved on this phone, encrypted (${stamp(new Date().toISOString())}).`
  }

  async onSaveEntry (event) {
    event.preventDefault()
    const form = this.forms.entry
    if (!this.editing) return
    const fields = readFields(form)
    const problems = problemsWith(fields)
    if (problems.length) return showError(form, problems.map((p) => p.message).join('. '), problems[0].name)
    if (this.saving) return
    await Promise.allSettled([...this.pendingPhotos])
    clearTimeout(this.draftTimer)
    if (!this.editing || !this.session.unlocked) return // locked meanwhile: the entry is safe in the draft
    // The draft holds exactly what is being saved until the save's own transaction removes it: a failed save
    // loses nothing, and a lock while it lands need not write a draft that would outlive it.
    await this.queueDraft(this.snapshot(), this.vault.key).catch(() => {})
    if (!this.editing) return
    const { entry, photos, newPhotos } = this.editing
    const stillHere = this.session.notLockedSince()
    this.saving = true
    try {
      await busy(form.querySelector('[type=submit]'), 'Saving…', () => this.journal.save(entry, fields, photos))
    } catch (error) {
      return showError(form, `Not saved: ${error.message}. Your draft is kept.`)
    } finally {
      this.saving = false
    }
    if (!stillHere()) return // locked while saving: saved, and the screen stays locked
    this.editing = null
    this.draft = null
    await this.forgetUnsavedPhotos(newPhotos, photos).catch(() => {})
    clearFields(form)
    this.$('[data-photos]').replaceChildren()
    this.$('[data-draft-offer]').hidden = true
    this.goHome()
    this.status(entry ? 'Changes saved.' : 'Entry saved.')
  }

  async closeEntry () {
    await this.saveDraftNow()
    this.editing = null
    clearFields(this.forms.entry)
    this.$('[data-photos]').replaceChildren()
    await this.refreshDraftOffer()
    this.goHome()
  }

  async discardEntry () {
    const { newPhotos } = this.editing
    clearTimeout(this.draftTimer)
    await this.draftQueue
    this.editing = null
    clearFields(this.forms.entry)
    this.$('[data-photos]').replaceChildren()
    await this.forgetUnsavedPhotos(newPhotos, [])
    await discardDraft(this.vault)
    await this.refreshDraftOffer()
    this.goHome()
  }

  async onPhotos (event) {
    const input = event.target
    const files = [...input.files]
    this.session.picker(false)
    input.value = '' // the page keeps no reference to the original file
    if (!this.session.unlocked) return this.keepWaiting(files)
    await this.addPhotos(files)
  }

  // Photos chosen after the journal locked (a picker left open) wait in memory, never on disk, until it is
  // unlocked; then they go into the unsaved entry the lock kept.
  keepWaiting (files) {
    this.waitingPhotos = [...(this.waitingPhotos || []), ...files]
    this.status(`${plural(this.waitingPhotos.length, 'photo')} you chose ${this.waitingPhotos.length === 1 ? 'is' : 'are'} waiting: unlock to add ${this.waitingPhotos.length === 1 ? 'it' : 'them'} to your unsaved entry.`)
  }

  async addWaitingPhotos () {
    const files = this.waitingPhotos || []
    this.waitingPhotos = []
    if (files.length === 0) return
    if (!this.editing) this.openEntryForm(this.draft || { fields: { occurredDate: today() } })
    await this.addPhotos(files)
  }

  async addPhotos (files) {
    for (const file of files) {
      if (!this.editing) return
      const task = addPhoto(this.vault, file)
      this.pendingPhotos.add(task)
      try {
        const ref = await task
        if (!this.editing) continue // locked meanwhile: the lock handler put it in the draft
        this.editing.photos.push(ref)
        this.editing.newPhotos.push(ref.id)
        this.renderPhotos()
        await this.saveDraftNow()
      } catch (error) {
        showError(this.forms.entry, `That photo was not added: ${error.message}`)
      } finally {
        this.pendingPhotos.delete(task)
      }
    }
  }

  removePhoto (id) {
    if (!this.editing) return
    this.editing.photos = this.editing.photos.filter((photo) => photo.id !== id)
    this.renderPhotos()
    this.saveDraftNow().catch(() => {})
  }

  renderPhotos () {
    const list = this.$('[data-photos]')
    list.replaceChildren(...this.editing.photos.map((photo) => {
      const item = el('li', { 'data-photo-id': photo.id },
        el('span', {}, `${photo.name} (SHA-256 ${photo.sha256.slice(0, 12)}…)`),
        el('button', { type: 'button', className: 'button button--secondary', 'data-remove-photo': photo.id }, 'Remove'))
      this.showPhoto(item, photo)
      return item
    }))
  }

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
    this.detail.forget()
    this.$('[data-draft-offer]').hidden = true
    this.$('[data-print-warning]').hidden = true
    document.documentElement.classList.remove('journal-print-ok')
    this.blobUrls.forEach((url) => URL.revokeObjectURL(url))
    this.blobUrls = []
    this.status('')
  }

  // As a lock begins: the open entry as it is now, and the photos still being sealed, to be kept as a draft
  // sealed with the key the session held back. While a save is landing, the draft it is replacing is already
  // stored: writing another could outlive the save.
  keepForLock () {
    const draft = this.editing && !this.saving ? this.snapshot() : null
    const pending = [...this.pendingPhotos]
    if (!draft) return null
    return async (key) => {
      for (const result of await Promise.allSettled(pending)) {
        if (result.status === 'fulfilled' && !draft.photos.some((photo) => photo.id === result.value.id)) {
          draft.photos.push(result.value)
          draft.newPhotos.push(result.value.id)
        }
      }
      await this.queueDraft(draft, key)
    }
  }

  // The keys are gone: forget everything decrypted and empty the page.
  onLocked (reason, wasOpen) {
    clearTimeout(this.draftTimer)
    this.editing = null
    this.draft = null
    this.clearScreen()
    if (!wasOpen) return
    this.show('unlock')
    if (reason === 'idle') this.status('Locked after a few minutes without use.')
    if (reason === 'picker') this.status('Locked because the camera or photo picker stayed open. Your entry is kept.')
  }
}
