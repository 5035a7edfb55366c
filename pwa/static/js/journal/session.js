// The journal's session: the only thing that holds the keys (through the vault) and the only thing that locks.
// Screens ask it for the vault and the journal, and check `notLockedSince()` after anything they await.
// Locking (quick-hide, app update, idle, page hidden, another tab) first lets the screens snapshot what they must
// keep (an open entry), then drops the keys and tells the screens to forget and empty themselves, then finishes
// what they kept with the key it held back (sealing the snapshot as a draft).
import { onLock } from '../lock.js'
import { Journal } from './entries.js'
import { Vault } from './vault.js'

const PICKER_LOCK_MS = 60000 // a camera or file picker left open this long locks the journal
const ACTIVITY = ['pointerdown', 'keydown', 'input', 'scroll', 'touchstart']
// A tab merely going idle or out of sight does not lock the one the person has just switched to.
const LOCKS_THIS_TAB_ONLY = ['idle', 'hidden', 'pagehide']

export class Session {
  constructor (store, { idleMs }) {
    this.vault = new Vault(store)
    this.journal = new Journal(this.vault)
    this.idleMs = idleMs
    this.generation = 0 // bumped on every lock, so late async work knows its page is gone
    this.locking = null
    this.picking = false
    this.keepers = [] // called as a lock begins; each may return work to finish with the key held back
    this.lockedListeners = []
  }

  get unlocked () { return this.vault.unlocked }

  exists () { return this.vault.exists() }

  // For work that awaits: a function saying whether the journal has not been locked since this was called.
  notLockedSince () {
    const generation = this.generation
    return () => generation === this.generation
  }

  // Each of these says whether the journal is open afterwards: a lock while the key was being derived (hidden,
  // quick-hide) keeps it locked, whatever the derivation then gives.
  async setup (passphrase) {
    const stillHere = this.notLockedSince()
    await this.vault.setup(passphrase)
    return this.keepOpenIf(stillHere())
  }

  async unlock (passphrase) {
    const stillHere = this.notLockedSince()
    await this.vault.unlock(passphrase)
    return this.keepOpenIf(stillHere())
  }

  // Locked while the new key was derived: changed, and still locked.
  async changePassphrase (current, next, options) {
    const stillHere = this.notLockedSince()
    await this.vault.changePassphrase(current, next, options)
    return stillHere()
  }

  keepOpenIf (open) {
    if (!open) this.vault.lock()
    return open
  }

  // `keeper()` runs as a lock begins, while the page still shows everything; it may return an async function
  // that is given the key once the vault has dropped it. `listener(reason, { wasOpen })` runs once the keys
  // are gone: screens forget what they held and empty the page.
  beforeLock (keeper) { this.keepers.push(keeper) }
  onLocked (listener) { this.lockedListeners.push(listener) }

  // Listens for everything that locks: quick-hide and updates (lock.js), other tabs, the page being hidden or
  // left, and no activity for a while.
  watch () {
    onLock((reason) => this.lock(reason))
    // Locking on purpose in one tab (quick-hide, the Lock button, an update) locks every other tab too.
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
    if (!quiet && this.channel && !LOCKS_THIS_TAB_ONLY.includes(reason)) this.channel.postMessage('lock')
    if (this.locking) return this.locking
    if (!this.unlocked) {
      this.generation += 1 // an unlock still deriving its key must not open the journal afterwards
      this.lockedListeners.forEach((listener) => listener(reason, { wasOpen: false }))
      return Promise.resolve()
    }
    const key = this.vault.key
    const keeping = this.keepers.map((keeper) => keeper()).filter(Boolean)
    this.generation += 1
    clearTimeout(this.idleTimer)
    this.vault.lock()
    this.journal.unload()
    this.lockedListeners.forEach((listener) => listener(reason, { wasOpen: true }))
    this.locking = Promise.all(keeping.map((finish) => finish(key)))
      .catch(() => {}).finally(() => { this.locking = null })
    return this.locking
  }
}
