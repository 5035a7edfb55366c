// This device's side of the backup (docs/backup.md): turning it on, the queue of sealed records, the upload, the
// receipts; and restoring (at the end). One module, not two, since each file here is one more line in the
// worker's list that every first visit downloads. Everything kept on the device is sealed under the vault key (the backup's id, token and key, each
// receipt) or is already ciphertext under the record key (queued records), so a copy of the phone's storage
// without the passphrase can neither read the backup nor even name it. The queue drains while the journal is
// unlocked and online, one record at a time, in order; it never blocks typing, a lock or quick-hide.
import {
  GENESIS, KDF_FLOOR, KDF_NAME, JournalCryptoError, aad, chainHash, chainMac, checkKdf, deriveChainKey, deriveKey,
  fromBase64, importChainKey, importKey, normalizeCode, open, openJson, randomBytes, seal, sealJson, toBase64
} from '../crypto.js'
import { Journal, openRecord as openJournalRecord, sealIndex } from '../entries.js'
import { HEADER_VERSION } from '../vault.js'
import { t } from '../../i18n.js'
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
    const code = data?.error?.code || String(response.status)
    const error = new BackupError(code === 'backup_not_found' ? t('No copy was found for this recovery code. Check it, group by group.')
      : data?.error?.message || t('The server answered %(status)s', { status: response.status }), code)
    error.status = response.status
    error.retryAfter = Number(response.headers.get('Retry-After')) || 0
    throw error
  }
  return data
}

export async function receiptKeys () {
  const response = await fetch('/.well-known/backup-receipt-key', { cache: 'no-store', credentials: 'omit' })
  if (!response.ok) throw new BackupError(t('The server did not give its receipt key'))
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
  return sealed(recordKey, config.id, made)
}

// A sealed record, and what its receipt will need kept beside it (sealed in the queue, so not in clear).
async function sealed (recordKey, id, made, payload) {
  const { t, at, salt, item } = made.header
  return { record: await w.sealRecord(recordKey, id, made, payload), meta: { t, at, salt, head: item?.hash || null } }
}

export class Backup {
  constructor (session) {
    this.session = session
    this.listeners = []
    this.running = null
    this.timer = null
    this.failures = 0
    this.next = 0 // the server's next free number, once known
    this.problem = ''
  }

  // The journal the passphrase opened: a backup belongs to the slot it was set up in (docs/duress.md).
  get store () { return this.session.vault.store }

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
      if (!key) throw new BackupError(t('The journal was locked'))
      await this.write(key, config, [record])
      return code
    } finally { raw.fill(0) }
  }

  // The config and records to queue, written together: a crash leaves both or neither.
  async write (key, config, records) {
    const first = config.nextQueue
    config.nextQueue += records.length
    const sealedConfig = await sealJson(key, config, label(CONFIG))
    const metas = await Promise.all(records.map(({ meta }, i) => sealJson(key, meta, label(numbered(QUEUE, first + i)))))
    await this.store.write(['state'], ({ state }) => {
      records.forEach(({ record }, i) => state.put({ record, trying: 0, meta: metas[i] }, numbered(QUEUE, first + i)))
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
            records.push(await sealed(recordKey, config.id, w.header('photo', { seq: item.seq - 1, head: item.prev }, {
              gen: config.gen, id: photo.id, key: toBase64(stored.key), part, parts: slices.length, size: stored.body.length
            }), slice))
          }
        }
        const { seq, entry, rev, prev, hash, mac } = item
        records.push(await sealed(recordKey, config.id, w.header('revision', { seq, head: hash }, {
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
    this.busy = true
    this.changed()
    this.running = this.exclusive(async () => {
      do {
        this.again = false
        await this.enqueue()
        await this.drain(generation)
      } while (this.again && generation())
    }).catch((error) => this.failed(error)).finally(() => { this.running = null; this.busy = false; this.changed() })
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
      let meta
      try { meta = await openJson(key, queued.meta, label(name)) } catch { // queued before the keys were replaced
        const { header } = await w.openRecord(recordKey, config.id, queued.record)
        meta = { t: header.t, at: header.at, salt: header.salt, head: header.item?.hash || null }
      }
      const sealedHash = await w.sealedHashOf(queued.record)
      const hash = await w.recordHashOfParts(queued.record.subarray(0, 32), sealedHash)
      const kept = { ...meta, sealedHash: w.toHex(sealedHash), receipt, problem: await this.checkReceipt(receipt, { hash, seq: queued.trying, backup: config.id }) }
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
      return t('not checked (%(reason)s)', { reason: error.message })
    }
  }

  async receipts (key = this.session.vault.key) {
    const names = await namesOf(this.store, RECEIPT)
    return Promise.all(names.map(async (name) => openJson(key, await this.store.get('state', name), label(name))))
  }

  // For an export (docs/backup.md, "Receipts in an export"): a receipt for each revision of this journal's log.
  // (None: undefined, so that the export has no "receipts" at all.)
  async receiptsForExport () {
    const log = await this.store.getAll('log')
    const hashes = new Map(log.map((item) => [item.seq, item.hash]))
    const receipts = (await this.receipts()).filter((kept) => kept.t === 'revision' && hashes.get(kept.at) === kept.head)
      .map(({ at, salt, sealedHash, receipt }) => ({ revision: at, salt, sealedHash, receipt }))
    return receipts.length ? receipts : undefined
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

// Restore -------------------------------------------------------------------------------------------------
// Restoring a journal onto this device: from the backup server (recovery code and passphrase) or from an export
// file (its code, and a passphrase to set). Every revision goes back exactly as it was sealed, so its hash, the
// chain, the photos' hashes and the server's receipts check out as before; keys are re-wrapped under the vault key
// that opens the journal here. Nothing on the device changes until everything has been read and opened; then the
// journal is written in one transaction. Anything that cannot be read is reported, and the rest still restored.
const PAGE = 100
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i])

// Everything the server holds for a code, with the receipts checked as they arrive.
export async function fetchCopy (code, progress = () => {}) {
  const derived = await w.derive(code)
  let status
  try {
    status = (await api('GET', `/${derived.id}`, { token: derived.token })).backup
  } catch (error) {
    if (error.code === 'backup_not_found') throw new BackupError(t('No copy was found for this recovery code. Check it, or ask whether this agency keeps copies.'), error.code)
    throw error
  }
  let keys = null
  try { keys = await receiptKeys() } catch {}
  const records = []
  for (let after = 0; after !== null;) {
    const page = await api('GET', `/${derived.id}/records?after=${after}&limit=${PAGE}`, { token: derived.token })
    records.push(...page.records)
    progress(records.length, status.lastSeq)
    after = page.next
  }
  return { derived, status, keys, records }
}

// The records opened with the code's key: what each is, and what could not be read (altered or cut short there).
export async function openCopy ({ derived, status, keys, records }) {
  const recordKey = await importKey(await w.recordKeyBytes(derived.backupKey))
  const problems = []
  const opened = []
  if (records.length < status.lastSeq) problems.push(t('The server gave %(given)s of its %(count)s records.', { given: records.length, count: status.lastSeq }))
  for (const stored of records) {
    const bytes = fromBase64(stored.body)
    const hash = await w.recordHash(bytes)
    // Without the server's key (or Ed25519 in this browser) the signature waits; the rest is still checked.
    const receiptProblem = keys ? await w.checkReceipt(stored.receipt, keys, { hash, seq: stored.seq, backup: derived.id })
      : stored.receipt?.hash === hash && stored.receipt?.seq === stored.seq ? null : t('it does not match the record')
    let record
    try {
      record = await w.openRecord(recordKey, derived.id, bytes)
    } catch (error) {
      problems.push(t('Record %(number)s on the server cannot be read (%(reason)s): it was changed or cut short there. It was left out.', { number: stored.seq, reason: error.message }))
      continue
    }
    if (receiptProblem) problems.push(t('Record %(number)s: its receipt does not check out (%(reason)s).', { number: stored.seq, reason: receiptProblem }))
    const { header } = record
    if (header.t === 'revision' && !equal(record.commitment, await w.commitment(fromBase64(header.salt), header.item.hash))) {
      problems.push(t('Record %(number)s: it does not commit to the change it holds.', { number: stored.seq }))
    }
    opened.push({ seq: stored.seq, header, payload: record.payload, receipt: stored.receipt, receiptProblem, sealedHash: w.toHex(await w.sealedHashOf(bytes)) })
  }
  return { opened, problems }
}

// The vault keys of every generation the passphrase reaches: the newest key record it opens, then each older one
// through `previous`. A wrong passphrase opens none, and nothing is written.
export async function vaultKeys (derived, opened, passphrase) {
  const keyRecords = opened.filter((r) => r.header.t === 'key').sort((a, b) => b.header.gen - a.header.gen)
  const tried = new Map()
  for (const { header } of keyRecords) {
    let raw
    try {
      const salt = fromBase64(header.kdf.salt)
      const cached = tried.get(header.kdf.salt)
      const key = cached || await w.wrapKey(derived.backupKey, passphrase, salt, header.kdf.iterations)
      tried.set(header.kdf.salt, key)
      raw = await open(key, fromBase64(header.vaultKey), w.aad.vaultKey(derived.id, header.gen))
    } catch { continue }
    const keys = new Map([[header.gen, raw]])
    for (let gen = header.gen; gen > 1; gen--) {
      const record = keyRecords.find((r) => r.header.gen === gen && keys.get(gen))
      if (!record) break
      try {
        keys.set(gen - 1, record.header.previous
          ? await open(await importKey(keys.get(gen)), fromBase64(record.header.previous), w.aad.previous(derived.id, gen))
          : keys.get(gen))
      } catch { break }
    }
    return { newest: header.gen, keys }
  }
  throw new BackupError(t('This passphrase does not open the copy. Use the passphrase the journal had when it was backed up.'), 'passphrase')
}

// Re-wrap a content key and re-key a link from an older vault key (or an export key) to the one used here.
async function rekeyer (newRaw) {
  const [newKey, newChain] = await Promise.all([importKey(newRaw), deriveChainKey(newRaw)])
  return {
    newKey,
    async wrapped (oldKey, wrapped, labelText) {
      if (!oldKey) return wrapped
      const raw = await open(oldKey, wrapped, labelText)
      try { return await seal(newKey, raw, labelText) } finally { raw.fill(0) }
    },
    async mac (oldChain, hash, mac) {
      if (!oldChain) return mac
      return mac === await chainMac(oldChain, hash) ? chainMac(newChain, hash) : mac // a bad link stays bad
    }
  }
}

// The journal's chain from the revisions: where two devices wrote to one backup, two revisions follow the same
// one. The longest line is the journal; the rest (the other device's changes) are kept and added after it.
export function chains (items) {
  const byHash = new Map()
  for (const item of items) if (!byHash.has(item.hash)) byHash.set(item.hash, item)
  const unique = [...byHash.values()]
  const children = new Map()
  for (const item of unique) {
    if (!children.has(item.prev)) children.set(item.prev, [])
    children.get(item.prev).push(item)
  }
  const depth = new Map()
  for (const item of [...unique].sort((a, b) => b.seq - a.seq)) {
    const next = (children.get(item.hash) || []).filter((child) => child.seq === item.seq + 1)
    depth.set(item.hash, 1 + Math.max(0, ...next.map((child) => depth.get(child.hash) || 0)))
  }
  const main = []
  let prev = GENESIS
  for (let seq = 1; ; seq++) {
    const next = (children.get(prev) || []).filter((child) => child.seq === seq)
    if (!next.length) break
    const best = next.reduce((a, b) => (depth.get(b.hash) > depth.get(a.hash) ? b : a))
    main.push(best)
    prev = best.hash
  }
  const kept = new Set(main)
  return { main, others: unique.filter((item) => !kept.has(item)) }
}

// From the backup server: every record read, opened and checked, then the journal put together.
export async function fromServer (copy, passphrase) {
  const { opened, problems } = await openCopy(copy)
  const { derived } = copy
  const { newest, keys } = await vaultKeys(derived, opened, passphrase)
  const raw = keys.get(newest)
  const re = await rekeyer(raw)
  const oldKeys = new Map()
  for (const [gen, genRaw] of keys) {
    if (gen !== newest && !equal(genRaw, raw)) oldKeys.set(gen, { key: await importKey(genRaw), chain: await deriveChainKey(genRaw) })
  }
  const unopenable = new Set()
  const usable = (gen) => keys.has(gen) || (unopenable.add(gen), false)

  const photos = new Map()
  for (const { header, payload } of opened.filter((r) => r.header.t === 'photo')) {
    if (!usable(header.gen)) continue
    const photo = photos.get(header.id) || { id: header.id, gen: header.gen, key: header.key, parts: header.parts, size: header.size, slices: new Map() }
    photo.slices.set(header.part, payload)
    photos.set(header.id, photo)
  }
  const attachments = []
  for (const photo of photos.values()) {
    const slices = [...Array(photo.parts).keys()].map((part) => photo.slices.get(part))
    const body = slices.includes(undefined) ? null : concat(slices)
    if (!body || body.length !== photo.size) { problems.push(t('A photo is incomplete on the server (%(given)s of %(count)s parts).', { given: photo.slices.size, count: photo.parts })); continue }
    const old = oldKeys.get(photo.gen)
    attachments.push({ id: photo.id, key: await re.wrapped(old?.key, fromBase64(photo.key), aad.attachmentKey(photo.id)), body })
  }

  const revisions = []
  const seen = new Set()
  for (const record of opened.filter((r) => r.header.t === 'revision')) {
    const { header, payload } = record
    if (!usable(header.gen) || seen.has(header.item.hash)) continue
    seen.add(header.item.hash)
    const { seq, entry, rev, prev, hash, mac, key } = header.item
    if (hash !== await chainHash(seq, entry, rev, prev, payload)) problems.push(t('Saved change %(number)s: its hash does not match what it holds.', { number: seq }))
    const old = oldKeys.get(header.gen)
    revisions.push({
      item: { seq, entry, rev, prev, hash, mac: await re.mac(old?.chain, hash, mac), key: await re.wrapped(old?.key, fromBase64(key), aad.recordKey(entry, rev)), body: payload },
      record
    })
  }
  if (unopenable.size) problems.push(t('Some changes were saved after the passphrase was changed, and this passphrase does not open them: restore with the newest passphrase to get them back.'))
  const { main, others } = chains(revisions.map((r) => r.item))
  const onMain = new Set(main)
  const receipts = opened.filter((r) => !r.receiptProblem && (r.header.t !== 'revision' || onMain.has(revisions.find((x) => x.record === r)?.item)))
    .map((r) => ({ t: r.header.t, at: r.header.at, salt: r.header.salt, head: r.header.item?.hash || null, sealedHash: r.sealedHash, receipt: r.receipt, problem: copy.keys ? null : 'not checked' }))
  const config = {
    v: 1, id: derived.id, token: derived.token, backupKey: toBase64(derived.backupKey), gen: newest,
    queuedTo: main.length ? main[main.length - 1].seq : 0, photos: attachments.map((a) => a.id), nextQueue: 1, since: new Date().toISOString()
  }
  return { raw, items: main, others, attachments, receipts, config, problems, records: copy.records.length, checked: copy.keys ? receipts.length : 0 }
}

// From an export file and its code: keys re-sealed from the export key to a new vault key, links re-keyed after
// each was checked under the export's chain key (a link that did not check out stays failing).
export async function fromExport (text, code) {
  let bundle
  try { bundle = JSON.parse(text) } catch { throw new BackupError(t('This file is not an export from this app.')) }
  if (bundle?.format !== 'sealed-export' || bundle.v !== 2 || !Array.isArray(bundle.revisions)) {
    throw new BackupError(t('This file is not an export this app can restore (it needs an export made by the journal, format 2).'))
  }
  checkKdf(bundle.kdf)
  let exportKey, oldChain
  try {
    const codeKey = await deriveKey(normalizeCode(code), fromBase64(bundle.kdf.salt), bundle.kdf.iterations)
    exportKey = await importKey(await open(codeKey, fromBase64(bundle.exportKey), aad.exportKey()))
    oldChain = await importChainKey(await open(exportKey, fromBase64(bundle.chainKey), aad.exportChainKey()))
  } catch (error) {
    if (error instanceof JournalCryptoError) throw new BackupError(t('This code does not open this file. Check the code given with it.'), 'code')
    throw error
  }
  const raw = randomBytes(32)
  const re = await rekeyer(raw)
  const problems = []
  const items = []
  for (const r of bundle.revisions) {
    const body = fromBase64(r.body)
    if (r.hash !== await chainHash(r.seq, r.entry, r.rev, r.prev, body)) problems.push(t('Saved change %(number)s: its hash does not match what it holds.', { number: r.seq }))
    let key
    try { key = await re.wrapped(exportKey, fromBase64(r.key), aad.recordKey(r.entry, r.rev)) } catch {
      problems.push(t('Saved change %(number)s: its key cannot be opened.', { number: r.seq }))
      key = fromBase64(r.key)
    }
    items.push({ seq: r.seq, entry: r.entry, rev: r.rev, prev: r.prev, hash: r.hash, mac: await re.mac(oldChain, r.hash, r.mac), key, body })
  }
  const attachments = []
  for (const a of bundle.attachments || []) {
    try {
      attachments.push({ id: a.id, key: await re.wrapped(exportKey, fromBase64(a.key), aad.attachmentKey(a.id)), body: fromBase64(a.body) })
    } catch { problems.push(t("A photo's key cannot be opened.")) }
  }
  const { receipts, checked, receiptProblems } = await exportReceipts(bundle.receipts || [], items)
  problems.push(...receiptProblems)
  return { raw, items, others: [], attachments, receipts, config: { v: 1, id: null, photos: [] }, problems, records: items.length, checked }
}

// An export's receipts, checked as `flask journal verify --receipts-key` does, with the server's key when online.
async function exportReceipts (list, items) {
  const hashes = new Map(items.map((item) => [item.seq, item.hash]))
  let keys = null
  try { keys = await receiptKeys() } catch {}
  const receipts = []
  const receiptProblems = []
  let checked = 0
  for (const [i, kept] of list.entries()) {
    const head = hashes.get(kept?.revision)
    let problem = head ? null : t('the server received saved change %(number)s, which this file does not have', { number: kept?.revision })
    if (!problem) {
      const expected = await w.recordHashOfParts(await w.commitment(fromBase64(kept.salt), head), w.fromHex(kept.sealedHash))
      problem = kept.receipt?.hash !== expected ? t('it does not match the saved change as exported')
        : keys ? await w.checkReceipt(kept.receipt, keys) : null
    }
    if (problem) { receiptProblems.push(t('Receipt %(number)s: %(problem)s.', { number: i + 1, problem })); continue }
    if (keys) checked += 1
    receipts.push({ t: 'revision', at: kept.revision, salt: kept.salt, head, sealedHash: kept.sealedHash, receipt: kept.receipt, problem: keys ? null : 'not checked' })
  }
  return { receipts, checked, receiptProblems }
}

// Everything written at once, replacing whatever journal this device had (the screen has asked first).
export async function install (store, restored, passphrase) {
  const { raw, items, attachments, receipts, config } = restored
  const kdf = { name: KDF_NAME, iterations: KDF_FLOOR, salt: randomBytes(16) }
  const kek = await deriveKey(passphrase, kdf.salt, kdf.iterations)
  const header = { v: HEADER_VERSION, kdf, vaultKey: await seal(kek, raw, aad.vaultKey()) }
  const key = await importKey(raw)
  // The index from the revisions themselves (the journal's own code), sealed with them.
  const index = await new Journal({ store: { getAll: async () => items } }).rebuildIndex(key)
  const sealedIndex = await sealIndex(key, index)
  const sealedConfig = await sealJson(key, config, label(CONFIG))
  const sealedReceipts = await Promise.all(receipts.map(async (kept) => {
    const name = numbered(RECEIPT, kept.receipt.seq)
    return [name, await sealJson(key, kept, label(name))]
  }))
  await store.write(['meta', 'log', 'attachments', 'state'], ({ meta, log, attachments: photos, state }) => {
    for (const s of [meta, log, photos, state]) s.clear()
    meta.add(header, 'vault')
    items.forEach((item) => log.add(item))
    attachments.forEach((photo) => photos.add(photo))
    state.put(sealedIndex, 'index')
    state.put(sealedConfig, CONFIG)
    sealedReceipts.forEach(([name, value]) => state.put(value, name))
  })
  raw.fill(0)
}

// The other device's changes, added to the restored journal as new changes (so nothing is dropped), each noting
// where it came from. The original sealed revisions stay on the server, with their receipts.
export async function addOthers (journal, vault, others) {
  let added = 0
  for (const item of others.sort((a, b) => a.seq - b.seq)) {
    let content
    try {
      content = await openJournalRecord(vault.key, item)
    } catch { continue }
    const fromOtherDevice = { seq: item.seq, hash: item.hash, recordedAt: content.recordedAt }
    if (content.kind === 'plan') {
      // One plan: the other device's becomes a new revision of this journal's (its answers, as last saved there).
      const { kind, op, recordedAt, ...plan } = content
      if (await journal.savePlan({ ...plan, fromOtherDevice })) added += 1
      continue
    }
    if (content.kind === 'contacts') { // the same for the trusted contacts
      const { kind, op, recordedAt, ...contacts } = content
      if (await journal.saveContacts({ ...contacts, fromOtherDevice })) added += 1
      continue
    }
    const exists = Boolean(journal.get(item.entry))
    if (content.kind !== 'entry' || (content.op === 'delete' && !exists)) continue
    const op = content.op === 'delete' ? 'delete' : exists ? 'edit' : 'create'
    await journal.append(item.entry, {
      ...content, op, recordedAt: new Date().toISOString(), fromOtherDevice
    }, false)
    added += 1
  }
  return added
}

function concat (parts) {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
  let at = 0
  for (const part of parts) { out.set(part, at); at += part.length }
  return out
}

