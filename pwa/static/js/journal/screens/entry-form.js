// The entry form: a new entry or a change to one, its photos, and its draft (the offer on home to carry on too).
import { discardDraft, loadDraft, saveDraft } from '../drafts.js'
import { nt, t } from '../../i18n.js'
import { addPhoto, forgetPhotos } from '../photos.js'
import { el, localDate, stamp } from '../report.js'

const DRAFT_DELAY_MS = 400

export class EntryForm {
  constructor (page, session) {
    this.page = page
    this.session = session
    this.form = page.forms.entry
    this.title = page.$('[data-entry-title]')
    this.photoList = page.$('[data-photos]')
    this.draftState = page.$('[data-draft-state]')
    this.draftOffer = page.$('[data-draft-offer]')
    this.draftTime = page.$('[data-draft-time]')
    this.editing = null // { entry, photos, newPhotos } while the form is open
    this.draft = null
    this.draftQueue = Promise.resolve()
    this.pendingPhotos = new Set()
    this.waitingPhotos = []
    this.saving = false

    this.form.addEventListener('submit', (event) => this.onSave(event))
    this.form.addEventListener('input', () => this.scheduleDraft())
    this.form.addEventListener('change', (event) => { if (event.target.type !== 'file') this.scheduleDraft() })
    // Leaving a field (to tap a link, say) saves the draft at once rather than after the typing pause.
    this.form.addEventListener('focusout', () => this.saveDraftNow().catch(() => {}))
    for (const input of page.root.querySelectorAll('[data-photo-input]')) {
      input.addEventListener('change', (event) => this.onPhotos(event))
      input.addEventListener('click', () => session.picker(true))
      input.addEventListener('cancel', () => session.picker(false))
    }
    this.photoList.addEventListener('click', (event) => {
      const remove = event.target.closest('[data-remove-photo]')
      if (remove) this.removePhoto(remove.dataset.removePhoto)
    })
    session.beforeLock(() => this.keepForLock())
    this.actions = {
      new: () => this.draft ? this.continueDraft() : this.open({ fields: { occurredDate: localDate() } }),
      'continue-draft': () => this.continueDraft(),
      'discard-draft': (button) => this.page.confirmed(button) && this.discardSavedDraft(),
      'close-entry': () => this.close(),
      'discard-entry': (button) => this.page.confirmed(button) && this.discard()
    }
  }

  open ({ entry = null, fields = {}, photos = [], newPhotos = [] }) {
    this.page.clearFields(this.form)
    fillFields(this.form, fields)
    this.page.clearError(this.form)
    this.editing = { entry, photos: [...photos], newPhotos: [...newPhotos] }
    this.title.textContent = entry ? t('Edit entry') : t('New entry')
    this.draftState.textContent = ''
    this.renderPhotos()
    this.page.show('entry')
    this.form.querySelector('h2').scrollIntoView({ block: 'start' })
  }

  edit (entry) {
    if (this.draft) {
      this.page.goHome()
      return this.page.status(t('Finish or throw away your unsaved entry first.'))
    }
    this.open({ entry: entry.id, fields: entry.fields, photos: entry.photos })
  }

  async refreshDraftOffer () {
    this.draft = await loadDraft(this.session.vault)
    this.draftOffer.hidden = !this.draft
    this.draftTime.textContent = this.draft ? stamp(this.draft.savedAt) : ''
  }

  continueDraft () {
    if (this.draft) this.open(this.draft)
  }

  async discardSavedDraft () {
    if (!this.draft) return
    await this.forgetUnsavedPhotos(this.draft.newPhotos || [], [])
    await discardDraft(this.session.vault)
    await this.refreshDraftOffer()
    this.page.status(t('The unsaved entry was thrown away.'))
  }

  // Photos added in a draft that never made it into a saved revision. A photo any revision refers to is never
  // deleted, whatever a draft says (a draft written while a save landed may list photos the save now uses).
  forgetUnsavedPhotos (newPhotos, kept) {
    const keep = this.session.journal.referencedPhotos()
    for (const photo of kept) keep.add(photo.id)
    return forgetPhotos(this.session.vault, newPhotos.filter((id) => !keep.has(id)))
  }

  snapshot () {
    return { entry: this.editing.entry, fields: readFields(this.form), photos: [...this.editing.photos], newPhotos: [...this.editing.newPhotos] }
  }

  scheduleDraft () {
    if (!this.editing) return
    clearTimeout(this.draftTimer)
    this.draftTimer = setTimeout(() => this.saveDraftNow().catch(() => {}), DRAFT_DELAY_MS)
  }

  // Draft writes go one after another, so an older snapshot can never land after a newer one.
  queueDraft (draft, key) {
    const write = this.draftQueue.catch(() => {}).then(() => saveDraft(this.session.vault, draft, key))
    this.draftQueue = write.catch(() => {})
    return write
  }

  async saveDraftNow () {
    clearTimeout(this.draftTimer)
    // While an entry is being saved, the save itself clears the draft: a late write must not bring it back.
    if (!this.editing || !this.session.unlocked || this.saving) return
    const stillHere = this.session.notLockedSince()
    const draft = this.snapshot()
    await this.queueDraft(draft, this.session.vault.key)
    if (!stillHere()) return
    this.draft = draft
    this.draftState.textContent = t('Draft saved on this phone, encrypted (%(date)s).', { date: stamp(new Date().toISOString()) })
  }

  async onSave (event) {
    event.preventDefault()
    const form = this.form
    if (!this.editing) return
    const fields = readFields(form)
    const problems = problemsWith(fields)
    if (problems.length) return this.page.showError(form, problems.map((p) => p.message).join('. '), problems[0].name)
    if (this.saving) return
    await Promise.allSettled([...this.pendingPhotos])
    clearTimeout(this.draftTimer)
    if (!this.editing || !this.session.unlocked) return // locked meanwhile: the entry is safe in the draft
    // The draft holds exactly what is being saved until the save's own transaction removes it: a failed save
    // loses nothing, and a lock while it lands need not write a draft that would outlive it.
    await this.queueDraft(this.snapshot(), this.session.vault.key).catch(() => {})
    if (!this.editing) return
    const { entry, photos, newPhotos } = this.editing
    const stillHere = this.session.notLockedSince()
    this.saving = true
    try {
      await this.page.busy(form.querySelector('[type=submit]'), t('Saving…'), () => this.session.journal.save(entry, fields, photos))
    } catch (error) {
      return this.page.showError(form, t('Not saved: %(reason)s. Your draft is kept.', { reason: error.message }))
    } finally {
      this.saving = false
    }
    if (!stillHere()) return // locked while saving: saved, and the screen stays locked
    this.editing = null
    this.draft = null
    await this.forgetUnsavedPhotos(newPhotos, photos).catch(() => {})
    this.page.clearFields(form)
    this.photoList.replaceChildren()
    this.draftOffer.hidden = true
    this.page.goHome()
    this.page.status(entry ? t('Changes saved.') : t('Entry saved.'))
  }

  async close () {
    await this.saveDraftNow()
    this.editing = null
    this.page.clearFields(this.form)
    this.photoList.replaceChildren()
    await this.refreshDraftOffer()
    this.page.goHome()
  }

  async discard () {
    const { newPhotos } = this.editing
    clearTimeout(this.draftTimer)
    await this.draftQueue
    this.editing = null
    this.page.clearFields(this.form)
    this.photoList.replaceChildren()
    await this.forgetUnsavedPhotos(newPhotos, [])
    await discardDraft(this.session.vault)
    await this.refreshDraftOffer()
    this.page.goHome()
  }

  // As a lock begins: the open entry and the photos still being sealed, to seal as a draft with the key kept.
  // While a save is landing, the draft it is replacing is already stored: writing another could outlive the save.
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

  forget () {
    clearTimeout(this.draftTimer)
    this.editing = null
    this.draft = null
    this.draftOffer.hidden = true
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
    this.waitingPhotos = [...this.waitingPhotos, ...files]
    this.page.status(nt('%(count)s photo you chose is waiting: unlock to add it to your unsaved entry.', '%(count)s photos you chose are waiting: unlock to add them to your unsaved entry.', this.waitingPhotos.length))
  }

  async addWaitingPhotos () {
    const files = this.waitingPhotos
    this.waitingPhotos = []
    if (files.length === 0) return
    if (!this.editing) this.open(this.draft || { fields: { occurredDate: localDate() } })
    await this.addPhotos(files)
  }

  async addPhotos (files) {
    for (const file of files) {
      if (!this.editing) return
      const task = addPhoto(this.session.vault, file)
      this.pendingPhotos.add(task)
      try {
        const ref = await task
        if (!this.editing) continue // locked meanwhile: the lock handler put it in the draft
        this.editing.photos.push(ref)
        this.editing.newPhotos.push(ref.id)
        this.renderPhotos()
        await this.saveDraftNow()
      } catch (error) {
        this.page.showError(this.form, t('That photo was not added: %(reason)s', { reason: error.message }))
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
    this.photoList.replaceChildren(...this.editing.photos.map((photo) => {
      const item = el('li', { 'data-photo-id': photo.id },
        el('span', {}, `${photo.name} (SHA-256 ${photo.sha256.slice(0, 12)}…)`),
        el('button', { type: 'button', className: 'button button--secondary', 'data-remove-photo': photo.id }, t('Remove')))
      this.page.showPhoto(item, photo)
      return item
    }))
  }
}

// The form read into a plain record, filled back in, and checked before saving.
function readFields (form) {
  const fields = { tags: [] }
  for (const input of form.elements) {
    if (!input.name || input.type === 'file') continue
    if (input.name === 'tags') { if (input.checked) fields.tags.push(input.value); continue }
    if (input.type === 'checkbox') { fields[input.name] = input.checked; continue }
    if (input.type === 'radio') { if (input.checked) fields[input.name] = input.value; continue }
    fields[input.name] = input.value
  }
  return fields
}

function fillFields (form, fields) {
  for (const input of form.elements) {
    if (!input.name || input.type === 'file') continue
    const value = fields[input.name]
    if (input.name === 'tags') input.checked = (value || []).includes(input.value)
    else if (input.type === 'checkbox') input.checked = Boolean(value)
    else if (input.type === 'radio') input.checked = value === input.value
    else input.value = typeof value === 'string' ? value : ''
  }
}

function problemsWith (fields, today = new Date()) {
  const problems = []
  if (!(fields.what || '').trim()) problems.push({ name: 'what', message: t('Write what happened, even a few words') })
  const localToday = localDate(today)
  if (fields.occurredDate && !/^\d{4}-\d{2}-\d{2}$/.test(fields.occurredDate)) {
    problems.push({ name: 'occurredDate', message: t('Enter the date as day, month and year') })
  } else if (fields.occurredDate && fields.occurredDate > localToday) {
    problems.push({ name: 'occurredDate', message: t('The date is in the future: check it, or tick "approximate" and add a note') })
  }
  return problems
}
