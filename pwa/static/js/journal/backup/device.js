// This device's side of the backup (docs/backup.md): turning it on, the queue of sealed records, the upload, the
// receipts. Everything kept on the device is sealed under the vault key (the backup's id, token and key, each
// receipt) or is already ciphertext under the record key (queued records), so a copy of the phone's storage
// without the passphrase can neither read the backup nor even name it. The queue drains while the journal is
// unlocked and online, one record at a time, in order; it never blocks typing, a lock or quick-hide.
import { GENESIS, fromBase64, importKey, openJson, seal, sealJson, toBase64 } from '../crypto.js'
import { openRecord as openJournalRecord } from '../entries.js'
import * as w from './wire.js'

export const API = '/api/v1/backups'
export const CONFIG = 'backup'
export const QUEUE = 'backup-queue-'
export const RECEIPT = 'backup-receipt-'
const CHUNK = 40 // revisions sealed and queued per transaction
const MAX_BACKOFF_MS = 5 * 60 * 1000

// Sealed state values are bound to their own name (vault.js stateLabel: the same label).
export const label = (name) => `opendoor/1/${name}`
export const numbered = (prefix, n) => `${prefix}${String(n).padStart(10, '0')}`
export const range = (prefix) => IDBKeyRange.bound(prefix, `${prefix}\uffff`)

const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error) })
// Names kept in the state store under a prefix, in order (at most `count`).
export const namesOf = (store, prefix, count) => request(store.db.transaction('state').objectStore('state').getAllKeys(range(prefix), count))

export class BackupError extends Error {
  constructor (message, code = '') { super(message); this.code = code }
}

// The server's answer as JSON; a refusal as a BackupError naming its code; no connection as a TypeError.
export async function api (method, path, { token, body, type } = {}) {
  const headers = {}
  if (token) headers.Authorization = `Bearer ${token}`
  if (type) headers['Content-Type'] = type
  const response = await fetch(`${API}${path}`, { method, headers, body, cache: 'no-store', credentials: 'omit' })
  let data = null
  try { data = await response.json() } catch {}
  if (!response.ok) {
    const error = new BackupError(data?.error?.message || `The server answered ${response.status}`, data?.error?.code || String(response.status))
    error.status = response.status
    error.retryAfter = Number(response.headers.get('Retry-After')) || 0
    throw error
  }
  return data
}

export async function receiptKeys () {
  const response = await fetch('/.well-known/backup-receipt-key', { cache: 'no-store', credentials: 'omit' })
  if (!response.ok) throw new BackupError('The server did not give its receipt key')
  return w.importReceiptKey(await response.json())
}

// The vault key wrapped for the backup under the code's backup key and the passphrase: a key record.
export async function keyRecord (config, recordKey, rawVault, passphrase, at, previous = null) {
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16))
  const wrapKey = await w.wrapKey(fromBase64(config.backupKey), passphrase, salt, w.KDF_ITERATIONS)
  const vaultKey = await seal(wrapKey, rawVault, w.aad.vaultKey(config.id, config.gen))
  const made = w.header('key', at, {
    gen: config.gen,
    kdf: { name: 'PBKDF2-SHA256', iterations: w.KDF_ITERATIONS, salt: toBase64(salt) },
    vaultKey: toBase64(vaultKey),
    previous: previous ? toBase64(previous) : null
  })
  return w.sealRecord(recordKey, config.id, made)
}

export class Backup {
  constructor (session) {
    this.session = session
    this.store = session.vault.store
    this.listeners = []
    this.running = null
    this.timer = null
    this.failures = 0
    this.next = 0 // the server's next free number, once known
    this.problem = ''
  }

  onChange (listener) { this.listeners.push(listener) }
  changed () { this.listeners.forEach((listener) => listener()) }

  async config (key = this.session.vault.key) {
    const sealed = await this.store.get('state', CONFIG)
    return sealed ? openJson(key, sealed, label(CONFIG)) : null
  }

  async recordKey (config) { return importKey(await w.recordKeyBytes(fromBase64(config.backupKey))) }

  // One tab at a time queues and uploads (two would seal the same revisions twice).
  exclusive (work) {
    return navigator.locks ? navigator.locks.request('od-backup', work) : work()
  }

  // Turn it on: a new code, a new backup on the server, the key record first, then the whole journal queued.
  // The code is returned to be shown once; only what it derives is kept, sealed.
  async turnOn (passphrase) {
    const { vault } = this.session
    const { raw } = await vault.openVaultKey(passphrase)
    try {
      const code = await w.newRecoveryCode()
      const derived = await w.derive(code)
      await api('POST', '', { body: JSON.stringify({ id: derived.id, tokenHash: derived.tokenHash }), type: 'application/json' })
      const config = { v: 1, id: derived.id, token: derived.token, backupKey: toBase64(derived.backupKey), gen: 1, queuedTo: 0, photos: [], nextQueue: 1, since: new Date().toISOString() }
      derived.backupKey.fill(0)
      const last = await this.store.last('log')
      const record = await keyRecord(config, await this.recordKey(config), raw, passphrase, { seq: last?.seq || 0, head: last?.hash || GENESIS })
      const key = vault.key
      if (!key) throw new BackupError('The journal was locked')
      await this.write(key, config, [record])
      return code
    } finally { raw.fill(0) }
  }

  // The config and records to queue, written together: a crash leaves both or neither.
  async write (key, config, records) {
    const first = config.nextQueue
    config.nextQueue += records.length
    const sealedConfig = await sealJson(key, config, label(CONFIG))
    await this.store.write(['state'], ({ state }) => {
      records.forEach((record, i) => state.put({ record, trying: 0 }, numbered(QUEUE, first + i)))
      state.put(sealedConfig, CONFIG)
    })
  }

  // Everything saved since the last time, sealed once into records: each photo's slices before the revision that
  // first refers to it, then the revision. Drafts are never backed up.
  async enqueue () {
    const key = this.session.vault.key
    if (!key) return
    const config = await this.config(key)
    if (!config?.id) return
    const recordKey = await this.recordKey(config)
    const items = await this.store.getAll('log', IDBKeyRange.lowerBound(config.queuedTo + 1))
    const photos = new Set(config.photos)
    for (let start = 0; start < items.length; start += CHUNK) {
      const records = []
      for (const item of items.slice(start, start + CHUNK)) {
        let content = null
        try { content = await openJournalRecord(key, item) } catch {}
        for (const photo of content?.photos || []) {
          if (photos.has(photo.id)) continue
          const stored = await this.store.get('attachments', photo.id)
          if (!stored) continue
          photos.add(photo.id)
          const slices = w.photoSlices(stored.body)
          for (const [part, slice] of slices.entries()) {
            records.push(await w.sealRecord(recordKey, config.id, w.header('photo', { seq: item.seq - 1, head: item.prev }, {
              gen: config.gen, id: photo.id, key: toBase64(stored.key), part, parts: slices.length, size: stored.body.length
            }), slice))
          }
        }
        const { seq, entry, rev, prev, hash, mac } = item
        records.push(await w.sealRecord(recordKey, config.id, w.header('revision', { seq, head: hash }, {
          gen: config.gen, item: { seq, entry, rev, prev, hash, mac, key: toBase64(item.key) }
        }), item.body))
        config.queuedTo = seq
      }
      config.photos = [...photos]
      if (this.session.vault.key !== key) return // locked meanwhile: done again at the next unlock
      await this.write(key, config, records)
    }
  }

  async waiting () {
    const [queued, last, sealed] = await Promise.all([
      namesOf(this.store, QUEUE).then((names) => names.length),
      this.store.last('log'), this.store.get('state', CONFIG)])
    let unqueued = 0
    if (sealed && this.session.vault.key) {
      try { unqueued = Math.max(0, (last?.seq || 0) - (await this.config()).queuedTo) } catch {}
    }
    return queued + unqueued
  }

  // Queue what is new, then upload; again after each save, when the connection comes back, and after a back-off.
  kick () {
    clearTimeout(this.timer)
    if (this.paused) return
    if (this.running) { this.again = true; return this.running }
    const generation = this.session.notLockedSince()
    this.running = this.exclusive(async () => {
      do {
        this.again = false
        await this.enqueue()
        await this.drain(generation)
      } while (this.again && generation())
    }).catch((error) => this.failed(error)).finally(() => { this.running = null; this.changed() })
    return this.running
  }

  failed (error) {
    if (error instanceof BackupError && error.status && error.status < 500 && error.status !== 429 && error.status !== 409) {
      this.problem = error.message // the backup is gone, or the token refused: no point in retrying blindly
    } else {
      this.failures += 1
      const wait = Math.max(Math.min(2000 * 2 ** (this.failures - 1), MAX_BACKOFF_MS), (error.retryAfter || 0) * 1000)
      this.timer = setTimeout(() => this.kick(), wait)
    }
  }

  stop () { clearTimeout(this.timer) }

  // One record at a time, in order. The number tried is kept with the record first, so that after a lost answer
  // (or a closed page) the same bytes go to the same number and get the same receipt: nothing is sent twice.
  async drain (stillHere) {
    const key = this.session.vault.key
    if (!key) return
    const config = await this.config(key)
    if (!config?.id) return
    const recordKey = await this.recordKey(config)
    while (stillHere()) {
      const [name] = await namesOf(this.store, QUEUE, 1)
      if (!name) return
      const queued = await this.store.get('state', name)
      if (!queued.trying) {
        if (!this.next) this.next = (await api('GET', `/${config.id}`, { token: config.token })).backup.lastSeq + 1
        queued.trying = this.next
        await this.store.write(['state'], ({ state }) => state.put(queued, name))
      }
      let answer
      try {
        answer = await api('PUT', `/${config.id}/records/${queued.trying}`, { token: config.token, body: queued.record, type: 'application/octet-stream' })
      } catch (error) {
        if (!(error instanceof BackupError) || !['record_conflict', 'sequence_gap'].includes(error.code)) throw error
        // Another device took that number (different bytes were refused): write the same sealed bytes at the next.
        this.next = 0
        queued.trying = 0
        await this.store.write(['state'], ({ state }) => state.put(queued, name))
        continue
      }
      const { receipt } = answer
      const opened = await w.openRecord(recordKey, config.id, queued.record)
      const kept = {
        t: opened.header.t, at: opened.header.at, salt: opened.header.salt, head: opened.header.item?.hash || null,
        sealedHash: w.toHex(await w.sealedHashOf(queued.record)), receipt,
        problem: await this.checkReceipt(receipt, { hash: await w.recordHash(queued.record), seq: queued.trying, backup: config.id })
      }
      if (this.session.vault.key !== key) return // locked: the same bytes get the same receipt next time
      const sealedReceipt = await sealJson(key, kept, label(numbered(RECEIPT, receipt.seq)))
      await this.store.write(['state'], ({ state }) => {
        state.delete(name)
        state.put(sealedReceipt, numbered(RECEIPT, receipt.seq))
      })
      this.next = receipt.seq + 1
      this.failures = 0
      this.problem = ''
      this.changed()
    }
  }

  async checkReceipt (receipt, expected) {
    try {
      this.keys = this.keys || await receiptKeys()
      if (!this.keys[receipt.key]) this.keys = await receiptKeys() // the agency replaced its key
      return await w.checkReceipt(receipt, this.keys, expected)
    } catch (error) {
      return `not checked (${error.message})`
    }
  }

  async receipts (key = this.session.vault.key) {
    const names = await namesOf(this.store, RECEIPT)
    return Promise.all(names.map(async (name) => openJson(key, await this.store.get('state', name), label(name))))
  }

  // For an export (docs/backup.md, "Receipts in an export"): a receipt for each revision of this journal's log.
  async receiptsForExport () {
    const log = await this.store.getAll('log')
    const hashes = new Map(log.map((item) => [item.seq, item.hash]))
    return (await this.receipts()).filter((kept) => kept.t === 'revision' && hashes.get(kept.at) === kept.head)
      .map(({ at, salt, sealedHash, receipt }) => ({ revision: at, salt, sealedHash, receipt }))
  }

  // A changed passphrase is a new key record (the next generation); a replaced vault key also carries the old one,
  // sealed under the new, so the newest key opens every older record. The queue waits while the keys change.
  async beforePassphraseChange (current) {
    const config = await this.config()
    if (!config?.id) return null
    this.paused = true
    await this.running
    const { raw: oldRaw } = await this.session.vault.openVaultKey(current)
    return async (next) => {
      try {
        let raw
        try { ({ raw } = await this.session.vault.openVaultKey(next)) } catch { return } // not changed
        if (raw.every((b, i) => b === oldRaw[i]) && next === current) return
        const key = this.session.vault.key
        const fresh = await this.config(key)
        fresh.gen += 1
        const same = raw.every((b, i) => b === oldRaw[i])
        const newKey = await importKey(raw)
        const previous = same ? null : await seal(newKey, oldRaw, w.aad.previous(fresh.id, fresh.gen))
        const last = await this.store.last('log')
        const record = await keyRecord(fresh, await this.recordKey(fresh), raw, next, { seq: last?.seq || 0, head: last?.hash || GENESIS }, previous)
        raw.fill(0)
        await this.write(key, fresh, [record])
      } finally {
        oldRaw.fill(0)
        this.paused = false
        this.kick()
      }
    }
  }

  // Deleting or cancelling needs the code typed again (not the token kept here): deleting needs the code in hand.
  static async deletion (code, cancel = false) {
    const derived = await w.derive(code)
    derived.backupKey.fill(0)
    return (await api(cancel ? 'DELETE' : 'POST', `/${derived.id}/deletion`, { token: derived.token })).backup
  }

  async status () {
    const config = await this.config()
    return (await api('GET', `/${config.id}`, { token: config.token })).backup
  }
}

