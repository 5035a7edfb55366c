// The journal page: makes the session (session.js: the keys and the lock) and the screens (screens/), routes
// between the views, runs the buttons' actions, lends every screen the same forms and buttons, and empties the
// page when the session locks.
import { t } from '../i18n.js'
import { readPhoto } from './photos.js'
import { el } from './report.js'
import { EntryForm } from './screens/entry-form.js'
import { EvidenceScreens } from './screens/evidence.js'
import { DetailScreen, ListScreen } from './screens/list-and-detail.js'
import { PassphraseScreens } from './screens/passphrase.js'
import { SecondPassphraseScreen } from './screens/second-passphrase.js'
import { Session } from './session.js'
import { openSlots } from './slots.js'
import { initStrength } from './strength.js'

const CONFIRM_MS = 5000

export async function initJournal (root) {
  const app = new JournalApp(root, await openSlots())
  await app.start()
  return app
}

class JournalApp {
  constructor (root, store) {
    this.root = root
    this.labels = JSON.parse(root.dataset.labels)
    this.forms = Object.fromEntries([...root.querySelectorAll('form[data-form]')].map((form) => [form.dataset.form, form]))
    this.session = new Session(store, { idleMs: Math.max(1, Number(root.dataset.idleSeconds) || 180) * 1000, chaff: root.dataset.chaff !== '0' })
    // Present while chaff or the chain check is still being written or read after a screen shows: for tests and
    // diagnostics (as Store.dump is), so they wait for it rather than for a time.
    this.session.onBackground((busy) => root.toggleAttribute('data-background', busy))
    this.blobUrls = []
    this.list = new ListScreen(this, this.session)
    this.entryForm = new EntryForm(this, this.session)
    this.detail = new DetailScreen(this, this.session)
    const passphrases = new PassphraseScreens(this, this.session)
    this.screens = [passphrases, new SecondPassphraseScreen(this, this.session, (...args) => passphrases.checkNewPassphrase(...args)),
      this.list, this.entryForm, this.detail, new EvidenceScreens(this, this.session)]
    this.actions = Object.assign({ lock: () => this.session.lock('button'), back: () => this.goHome(), backup: () => this.backup('open') },
      ...this.screens.map((screen) => screen.actions))
  }

  $ (selector) { return this.root.querySelector(selector) }

  async start () {
    this.root.addEventListener('click', (event) => {
      const button = event.target.closest('[data-action]')
      if (button) this.onAction(button.dataset.action, button)
    })
    initStrength(this.root)
    this.session.onLocked((reason, wasOpen) => this.onLocked(reason, wasOpen))
    this.session.watch()
    this.show(await this.session.vault.exists() ? 'unlock' : 'setup')
  }

  onAction (action, button) {
    if (action !== 'lock' && action !== 'backup' && !this.session.unlocked) return
    const run = this.actions[action]
    if (run) Promise.resolve(run(button)).catch((error) => this.status(t('Something went wrong: %(reason)s', { reason: error.message })))
  }

  backup (method) {
    this.backupLoad ||= import('./backup/screens.js').then((m) => new m.BackupScreens(this, this.session))
    return this.backupLoad.then((screens) => screens[method]())
  }

  // Views and routes --------------------------------------------------------------------------------------

  show (view) {
    for (const section of this.root.querySelectorAll('[data-view]')) section.hidden = section.dataset.view !== view
    this.view = view
    this.status('') // a message belongs to the screen it was given on
  }

  status (message) { this.$('[data-status]').textContent = message }

  async opened () {
    const { journal } = this.session
    const stillHere = this.session.notLockedSince()
    // Locked while opening (the page hidden at once): what was read after the lock emptied the page is dropped.
    const dropped = () => {
      listShown() // nothing to check: the index is gone
      if (this.session.unlocked) return // unlocked again since: that unlock opens the journal
      journal.unload()
      this.clearScreen()
    }
    let listShown
    const shown = new Promise((resolve) => { listShown = resolve })
    await journal.load({ checkAfter: shown }).catch((error) => { if (stillHere()) throw error })
    this.session.inBackground(Promise.resolve(journal.scattered)) // the chain check, then the chaff after it
    if (!stillHere()) return dropped()
    await this.entryForm.refreshDraftOffer()
    if (!stillHere()) return dropped()
    this.goHome()
    // The chain check reads the whole log: it waits until the first screen of the list has been painted.
    requestAnimationFrame(() => setTimeout(listShown))
    this.list.warmSearch()
    this.session.resetIdle()
    if (await journal.store.get('state', 'backup')) this.backup('start').catch(() => {})
    await this.entryForm.addWaitingPhotos()
    // The whole chain is checked after the list shows; what it finds is recorded, then shown here too.
    if (await journal.checked && stillHere() && this.view === 'home') this.list.render()
  }

  goHome () {
    this.detail.leave()
    this.show('home')
    this.list.render()
  }

  openDetail (id) { this.detail.open(id) }

  editEntry (entry) { this.entryForm.edit(entry) }

  // Forms and buttons -------------------------------------------------------------------------------------

  // Empties every field, including any the browser would restore from its form cache; boxes go back to how
  // the page was written (ticked only where the template ticks them).
  clearFields (form) {
    form.reset()
    for (const input of form.elements) {
      if (input.type === 'checkbox' || input.type === 'radio') input.checked = input.defaultChecked
      else if (input.type !== 'submit' && input.type !== 'button' && 'value' in input) input.value = ''
    }
  }

  showError (form, message, fieldName) {
    form.querySelector('[data-error]').textContent = message
    form.querySelectorAll('[aria-invalid]').forEach((input) => input.removeAttribute('aria-invalid'))
    const field = fieldName && form.elements[fieldName]
    if (field && field.focus) {
      field.setAttribute('aria-invalid', 'true')
      field.focus()
    }
  }

  clearError (form) { this.showError(form, '') }

  async busy (button, text, action) {
    const label = button.textContent
    button.disabled = true
    button.textContent = text
    try { return await action() } finally {
      button.disabled = false
      button.textContent = label
    }
  }

  // A second press within a few seconds confirms something that cannot be undone.
  confirmed (button) {
    if (button.dataset.armed) return true
    button.dataset.armed = button.textContent
    button.textContent = t('Press again to confirm')
    setTimeout(() => { if (button.dataset.armed) { button.textContent = button.dataset.armed; delete button.dataset.armed } }, CONFIRM_MS)
    return false
  }

  // Decrypted things and locking --------------------------------------------------------------------------

  objectUrl (blob) {
    const url = URL.createObjectURL(blob)
    this.blobUrls.push(url)
    return url
  }

  // Decrypts a photo into a blob: URL for an <img>; URLs are revoked on lock.
  async showPhoto (container, photo) {
    const stillHere = this.session.notLockedSince()
    try {
      const blob = await readPhoto(this.session.vault, photo)
      if (!stillHere()) return
      container.prepend(el('img', { src: this.objectUrl(blob), alt: t('Photo %(name)s', { name: photo.name }), className: 'journal-photo' }))
    } catch {
      if (stillHere()) container.append(el('span', { className: 'journal-error' }, ' ' + t('This photo could not be opened.')))
    }
  }

  // Every [data-secret] element and form is emptied here; each screen clears the rest of what it showed.
  clearScreen () {
    for (const node of this.root.querySelectorAll('[data-secret]')) node.replaceChildren()
    for (const form of Object.values(this.forms)) {
      this.clearFields(form)
      this.clearError(form)
    }
    for (const screen of this.screens) screen.forget?.()
    this.blobUrls.forEach((url) => URL.revokeObjectURL(url))
    this.blobUrls = []
    this.status('')
  }

  onLocked (reason, wasOpen) {
    this.clearScreen()
    if (!wasOpen) return
    this.show('unlock')
    if (reason === 'idle') this.status(t('Locked after a few minutes without use.'))
    if (reason === 'picker') this.status(t('Locked because the camera or photo picker stayed open. Your entry is kept.'))
  }
}
