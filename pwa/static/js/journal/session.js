// The session alone holds the keys (through the vault) and locks. Locking (quick-hide, app update, idle, page
// hidden, another tab) first snapshots any open entry, drops the keys, has every decrypted thing emptied from the
// page at once, then seals the snapshot as a draft with the key it kept.
import { t } from '../i18n.js'
import { onLock } from '../lock.js'
import { Journal } from './entries.js'
import { randomBelow } from './slots.js'
import { COULD_NOT_UNLOCK, UnlockError, Vault } from './vault.js'

const PICKER_LOCK_MS = 60000 // a camera or file picker left open this long locks the journal
const ACTIVITY = ['pointerdown', 'keydown', 'input', 'scroll', 'touchstart']

export class Session {
  // `store`: the two slots (slots.js openSlots), or one store. `chaff`: this page also writes chaff into the
  // journal it opens (the journal page does; see docs/duress.md).
  constructor (store, { idleMs, chaff = false }) {
    this.vault = new Vault(store)
    this.journal = new Journal(this.vault, { chaff })
    this.scattered = Promise.resolve()
    this.pending = 0 // background writes still running (inBackground)
    this.backgroundListeners = []
    this.idleMs = idleMs
    this.generation = 0 // bumped on every lock, so late async work knows its page is gone
    this.locking = null
    this.keepers = [] // asked as a lock begins for work to finish with the key (a draft to seal)
    this.listeners = [] // told once the keys are gone, to empty the page
  }

  get unlocked () { return this.vault.unlocked }

  // For work that awaits: says afterwards whether the journal was locked meanwhile.
  notLockedSince () {
    const generation = this.generation
    return () => generation === this.generation
  }

  // Each says whether the journal is open after it: hidden or locked while the key was derived, it stays locked.
  async setup (passphrase) {
    const stillHere = this.notLockedSince()
    await this.vault.setup(passphrase)
    await this.scatterOther()
    return this.keepOpenIf(stillHere())
  }

  async unlock (passphrase) {
    const stillHere = this.notLockedSince()
    this.journal.prefetch() // sealed bytes only, read while the key is derived
    try {
      await this.vault.unlock(passphrase)
    } catch (error) {
      this.journal.unload()
      throw error
    }
    const scattering = this.scatterOther()
    if (this.vault.madeOther) await scattering
    return this.keepOpenIf(stillHere())
  }

  // Chaff in the other slot, when this journal holds its key: a few records into a slot whose log is still
  // empty, now and then after. A slot made just now (set-up, a journal from before) gets them before set-up or
  // unlock returns, so no slot is left with a header and no index or log (docs/duress.md); otherwise they are
  // written in the background.
  scatterOther () {
    const other = this.vault.other
    if (!other) return Promise.resolve()
    const journal = new Journal(other)
    const scatter = async () => {
      await journal.load()
      await journal.scatterChaff(journal.index.seq === 0 ? 2 + randomBelow(4) : randomBelow(3))
      await journal.checked // its chain check, which notes any problem in that slot
    }
    this.scattered = this.inBackground(scatter().catch(() => {}))
    return this.scattered
  }

  // Work that goes on after a screen is shown (the other slot's chaff, the chain check and the chaff after it):
  // counted, so a page can say while any is running, for tests and diagnostics (as Store.dump is).
  inBackground (work) {
    this.pending += 1
    this.backgroundListeners.forEach((listener) => listener(true))
    const done = () => {
      this.pending -= 1
      if (this.pending === 0) this.backgroundListeners.forEach((listener) => listener(false))
    }
    work.then(done, done)
    return work
  }

  onBackground (listener) { this.backgroundListeners.push(listener) }

  // A second passphrase, from inside the unlocked journal: it opens the other slot, where `entries` (everyday
  // entries the person wrote for it) are saved. null removes it. Nothing in this journal changes.
  async setSecond (passphrase, entries = []) {
    await this.scattered
    await this.vault.setSecond(passphrase)
    if (!passphrase || !entries.length || !this.vault.other) return
    const decoy = new Journal(this.vault.other)
    await decoy.load()
    for (const fields of entries) await decoy.save(null, fields, [], { clearDraft: false })
  }

  async changePassphrase (current, next, options) {
    const stillHere = this.notLockedSince()
    await this.vault.changePassphrase(current, next, options)
    return stillHere()
  }

  keepOpenIf (open) {
    if (!open) {
      this.vault.lock()
      this.journal.unload()
    }
    return open
  }

  beforeLock (keeper) { this.keepers.push(keeper) }
  onLocked (listener) { this.listeners.push(listener) }

  watch () {
    onLock((reason) => this.lock(reason))
    // Locking on purpose in one tab (quick-hide, the Lock button, an update) locks every other tab too; a tab
    // merely going idle or out of sight does not lock the one the person has just switched to.
    if (window.BroadcastChannel) {
      this.channel = new BroadcastChannel('od-journal')
      this.channel.onmessage = (event) => { if (event.data === 'lock') this.lock('other-tab', { quiet: true }) }
    }
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.picker(false)
      else if (!this.picking) this.lock('hidden')
    })
    window.addEventListener('pagehide', () => this.lock('hidden'))
    for (const type of ACTIVITY) {
      document.addEventListener(type, () => this.resetIdle(), { capture: true, passive: true })
    }
  }

  resetIdle () {
    clearTimeout(this.idleTimer)
    if (this.unlocked) this.idleTimer = setTimeout(() => this.lock('idle'), this.idleMs)
  }

  // A camera or file picker hides the page on phones: that must not lock away the entry being written at
  // once, but a picker left open is a journal left open, so it locks after a minute (quick-hide covers it).
  picker (open) {
    this.picking = open
    clearTimeout(this.pickerTimer)
    if (open) this.pickerTimer = setTimeout(() => this.lock('picker'), PICKER_LOCK_MS)
  }

  lock (reason, { quiet = false } = {}) {
    if (!quiet && this.channel && !['idle', 'hidden', 'pagehide'].includes(reason)) this.channel.postMessage('lock')
    if (this.locking) return this.locking
    if (!this.unlocked) {
      this.generation += 1 // an unlock still deriving its key must not open the journal afterwards
      this.listeners.forEach((listener) => listener(reason, false))
      return Promise.resolve()
    }
    const key = this.vault.key
    const keeping = this.keepers.map((keeper) => keeper()).filter(Boolean)
    this.generation += 1
    clearTimeout(this.idleTimer)
    this.vault.lock()
    this.journal.unload()
    this.listeners.forEach((listener) => listener(reason, true))
    this.locking = Promise.all(keeping.map((finish) => finish(key))).catch(() => {}).finally(() => { this.locking = null })
    return this.locking
  }
}

// An unlock form on a page other than the journal's (the safety plan, trusted contacts): a `passphrase` field, a
// submit button and a `[data-error]` line. The button says so while the key is derived, the field is emptied
// whatever happens, and a wrong passphrase gets the one message that says nothing about why. Resolves to what
// session.unlock does (whether the page is still the one that asked), or null when it could not unlock.
export async function unlockFromForm (session, form) {
  const field = form.elements.passphrase
  const button = form.querySelector('[type=submit]')
  const label = button.textContent
  button.disabled = true
  button.textContent = t('Unlocking…')
  try {
    const open = await session.unlock(field.value)
    showUnlockError(form, '')
    return open
  } catch (error) {
    showUnlockError(form, error instanceof UnlockError && error.message === COULD_NOT_UNLOCK
      ? t('Could not unlock. Check the passphrase and try again.') : t('Could not unlock: %(reason)s', { reason: error.message }))
    return null
  } finally {
    field.value = ''
    button.disabled = false
    button.textContent = label
  }
}

export function showUnlockError (form, message) {
  const field = form.elements.passphrase
  form.querySelector('[data-error]').textContent = message
  if (message) {
    field.setAttribute('aria-invalid', 'true')
    field.focus()
  } else field.removeAttribute('aria-invalid')
}
