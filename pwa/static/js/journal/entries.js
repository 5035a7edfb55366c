// The journal itself: an append-only, hash-linked log of sealed revisions, plus a sealed index of the current
// entries so the list and search need one decryption, not one per entry.
// Each revision: a fresh content key (sealed under the vault key) seals the record; its hash covers its place in
// the log, the previous hash and the sealed body, and its MAC (under the chain key, derived from the vault key)
// keys that link, so nothing can be changed, dropped or reordered unseen, even by someone who recomputes hashes.
// The sealed index names the last revision. A log that stops matching it was changed outside the app, and that is
// never repaired quietly: the index is set aside as evidence and a notice is appended to the log itself, which the
// person is shown and every check and export reports (see docs/journal-keys.md).
import { nt, t } from '../i18n.js'
import { GENESIS, JournalCryptoError, aad, chainHash, chainMac, newContentKey, open, openJson, sealJson, sha256Hex, unwrapKey, utf8 } from './crypto.js'
import { chaffLength, padTo, randomBelow } from './slots.js'
import { HEADER_VERSION } from './vault.js'

const INDEX_VERSION = 2
const PLAN = Symbol('the safety plan') // for append: the plan's own id, or a new one for the first plan
const CONTACTS = Symbol('trusted contacts') // the same for the trusted contacts (js/trusted/)
const SINGLE = { [PLAN]: 'plan', [CONTACTS]: 'contacts' } // records kept once, under one id, in the index

export class Journal {
  constructor (vault, { chaff = false } = {}) {
    this.vault = vault
    this.chaff = chaff // whether this page writes chaff into its own slot (docs/duress.md)
    this.index = null
    this.searchText = new Map()
    this.writing = Promise.resolve() // revisions are appended one at a time
    this.writes = 0 // revisions appended by this page: a prefetched index read before one is read again
    this.prefetched = null
  }

  // Starts reading the sealed index and the log's end while the key is still being derived: with thousands of
  // entries, reading the index from IndexedDB takes about as long as the derivation. Only sealed bytes are read.
  // The slot the passphrase opened (before unlocking: the first, which is read ahead).
  get store () { return this.vault.store }

  prefetch () {
    const read = this.readEnds()
    read.catch(() => {})
    this.prefetched = { read, writes: this.writes, store: this.store }
  }

  readEnds () { return Promise.all([this.store.get('state', 'index'), this.store.last('log')]) }

  // Opens the index (or rebuilds it), upgrades an unkeyed log, and records any sign that the log was changed.
  // The whole chain is then checked in the background once `checkAfter` settles (the app passes "the list is on
  // screen": reading the whole log would hold the first screen back): `checked` says whether that found something new.
  async load ({ checkAfter = null } = {}) {
    const key = this.vault.key
    const prefetched = this.prefetched
    this.prefetched = null
    const writing = this.writing
    await writing.catch(() => {}) // a save still landing from before a lock (the plan's) is read back too
    // Read before that save landed, or before any write since: read again, so the index matches the log.
    const fresh = prefetched && prefetched.store === this.store && this.writing === writing && prefetched.writes === this.writes
    const [sealed, last] = await (fresh ? prefetched.read : this.readEnds())
    let saved = null
    if (sealed) {
      try { saved = await openJson(key, sealed, aad.index()) } catch { saved = null }
    }
    const found = { seq: last ? last.seq : 0, head: last ? last.hash : GENESIS }
    const problem = mismatch(sealed, saved, found, this.vault.headerVersion)
    this.index = saved && saved.v === INDEX_VERSION && !problem ? withDefaults(saved) : await this.rebuildIndex(key)
    this.searchText.clear()
    if (problem) await this.setAside(sealed, found)
    if (this.vault.headerVersion < HEADER_VERSION) await this.keyTheChain()
    if (problem) await this.notice(problem)
    // A log still empty (set-up) gets its first chaff now, so the slot is never left without an index or a log
    // (docs/duress.md); chaff failing never keeps the journal from opening.
    if (this.chaff && found.seq === 0) await this.scatterChaff(2 + randomBelow(4)).catch(() => {})
    const index = this.index
    this.checked = Promise.resolve(checkAfter)
      .then(() => (this.index === index ? this.checkChain().then((problems) => this.noticeOnce(problems)) : false))
      .catch(() => false)
    // After the check, so that chaff written now never stands in for a change made outside the app.
    const chaff = this.chaff && found.seq > 0 ? Number(randomBelow(3) === 0) : 0
    this.scattered = this.checked.then(() => (this.index === index ? this.scatterChaff(chaff) : null)).catch(() => {})
  }

  async rebuildIndex (key) {
    const index = emptyIndex()
    for (const item of await this.store.getAll('log')) {
      try {
        applyRecord(index, item, await openRecord(key, item))
      } catch (error) {
        if (!(error instanceof JournalCryptoError)) throw error
        index.damaged.push(item.seq)
        index.head = item.hash
        index.seq = item.seq
      }
    }
    return index
  }

  // The index that no longer matched the log, kept as it was: it names where the journal really ended.
  async setAside (sealed, found) {
    if (!sealed) return
    await this.store.write(['state'], ({ state }) => state.put(sealed, `kept-index-${found.seq}-${Date.now()}`))
  }

  // A journal written before the links were keyed: key every link now, in one transaction.
  async keyTheChain () {
    const { chainKey } = this.vault
    const [header, log] = await Promise.all([this.store.get('meta', 'vault'), this.store.getAll('log')])
    const items = await Promise.all(log.map(async (item) => ({ ...item, mac: await chainMac(chainKey, item.hash) })))
    const sealedIndex = await sealIndex(this.vault.key, this.index)
    await this.store.write(['meta', 'log', 'state'], ({ meta, log, state }) => {
      meta.put({ ...header, v: HEADER_VERSION }, 'vault')
      items.forEach((item) => log.put(item))
      state.put(sealedIndex, 'index')
    })
    this.vault.headerVersion = HEADER_VERSION
  }

  // Chaff: records only a key holder can tell from entries (same shape, sealed the same way, sizes from the
  // same blocks, linked and keyed into the chain), so how many records a slot holds says nothing about how
  // many entries it has. Never an entry: left out of the index, the list, the counts and the export's report.
  async scatterChaff (count) {
    for (let i = 0; i < count; i += 1) await this.append(crypto.randomUUID(), { kind: 'chaff', op: 'chaff' }, false)
  }

  notice (problem) {
    return this.append(crypto.randomUUID(), { kind: 'notice', op: 'integrity', ...problem }, false)
  }

  // Problems found in the chain are noted once: the same broken link is not noted again at every unlock.
  async noticeOnce (problems) {
    if (problems.length === 0 || !this.index) return false
    const signature = problems.join('\n')
    if (this.index.notices.some((notice) => notice.signature === signature)) return false
    await this.notice({ summary: nt('%(count)s problem found in the saved changes: %(problems)s', '%(count)s problems found in the saved changes: %(problems)s', problems.length, { problems: problems.join('; ') }), signature })
    return true
  }

  // Order, links, hashes and keyed links of the whole log (nothing is decrypted).
  async checkChain () {
    const { chainKey } = this.vault
    const problems = []
    let prev = GENESIS
    for (const [i, item] of (await this.store.getAll('log')).entries()) {
      const number = i + 1
      if (item.seq !== number) problems.push(t('saved change %(number)s is out of sequence', { number }))
      if (item.prev !== prev) problems.push(t('saved change %(number)s does not link to the one before', { number }))
      if (item.hash !== await chainHash(item.seq, item.entry, item.rev, item.prev, item.body)) problems.push(t('saved change %(number)s does not match its hash', { number }))
      else if (item.mac !== await chainMac(chainKey, item.hash)) problems.push(t('saved change %(number)s was not written by this journal', { number }))
      prev = item.hash
    }
    return problems
  }

  unload () {
    this.prefetched = null
    this.index = null
    this.sorted = null
    this.searchText.clear()
  }

  // Current entries, most recent happening first (sorted once per change of the index).
  list () {
    if (this.sorted?.index !== this.index) {
      const keyed = Object.values(this.index.entries).map((entry) => [sortKey(entry), entry])
      keyed.sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0))
      this.sorted = { index: this.index, entries: keyed.map(([, entry]) => entry) }
    }
    return this.sorted.entries
  }

  get (id) { return this.index.entries[id] || null }

  // Every photo any revision refers to: those are never deleted, whatever a draft says.
  referencedPhotos () { return new Set(this.index.photoIds) }

  // Every word of the query must appear somewhere in the entry (any field, tag or date).
  search (query, describe) {
    const terms = query.toLowerCase().split(/\s+/).filter(Boolean)
    const entries = this.list()
    if (terms.length === 0) return entries
    return entries.filter((entry) => terms.every((term) => this.textOf(entry, describe).includes(term)))
  }

  textOf (entry, describe) {
    let text = this.searchText.get(entry.id)
    if (text === undefined) {
      text = [...Object.values(entry.fields).flat(), describe ? describe(entry) : ''].join('\n').toLowerCase()
      this.searchText.set(entry.id, text)
    }
    return text
  }

  // Prepares the search text in idle moments after unlocking, so the first search is as quick as the rest.
  warmSearch (describe) {
    const pending = [...this.list()]
    const index = this.index
    const step = (deadline) => {
      while (pending.length && this.index === index && (!deadline || deadline.timeRemaining() > 2)) this.textOf(pending.pop(), describe)
      if (pending.length && this.index === index) schedule()
    }
    const schedule = () => (window.requestIdleCallback ? requestIdleCallback(step, { timeout: 1000 }) : setTimeout(step, 50))
    schedule()
  }

  save (id, fields, photos, { clearDraft = true } = {}) {
    if (id && !this.index.entries[id]) throw new Error(t('That entry no longer exists'))
    const op = id ? 'edit' : 'create'
    return this.append(id || crypto.randomUUID(), { kind: 'entry', op, fields, photos }, clearDraft)
  }

  remove (id, reason = '') {
    if (!this.index.entries[id]) throw new Error(t('That entry no longer exists'))
    return this.append(id, { kind: 'entry', op: 'delete', reason }, false)
  }

  // The safety plan (js/plan/): one record under one id kept in the index, saved as a new revision whenever its
  // answers change. Never an entry: it is left out of the list, the counts and search.
  get plan () { return this.index?.plan || null }

  // `changes` ({answers}, {risk}, ...) are merged into the plan's current record when the write comes up, so two
  // saves queued together (the page's answers and another page's risk check) never undo each other. `held`: the
  // keys taken just before a lock, so the last changes are saved as the page locks (see Session.beforeLock).
  savePlan (changes, held = null) {
    return this.append(PLAN, { kind: 'plan', ...changes }, false, held)
  }

  // Trusted contacts (js/trusted/): like the plan, one record under one id, never an entry. `changes`
  // ({contacts, codeWord}) are merged into the current record.
  get contacts () { return this.index?.contacts || null }

  saveContacts (changes, held = null) {
    return this.append(CONTACTS, { kind: 'contacts', ...changes }, false, held)
  }

  append (entry, content, clearDraft, held = null) {
    const write = this.writing.catch(() => {}).then(() => this.appendNow(entry, content, clearDraft, held))
    this.writing = write
    return write
  }

  async appendNow (entry, { kind, op, ...content }, clearDraft, held) {
    const { key, chainKey } = held || this.vault
    if (!key) throw new Error(t('The journal is locked'))
    // Locked since the keys were held: the index is read back from the store, and never kept in memory after.
    const index = this.vault.key === key && this.index ? this.index : held ? await this.openIndex(key) : null
    if (!index) throw new Error(t('The journal is locked'))
    const single = SINGLE[entry]
    if (single) {
      // Where a revision came from (another device) belongs to that revision only, not to the ones after it.
      const { id, rev, createdAt, updatedAt, fromOtherDevice, ...current } = index[single] || {}
      content = { ...current, ...content }
      if (index[single] && JSON.stringify(content) === JSON.stringify(current)) return null // nothing changed
      entry = id || crypto.randomUUID()
      op = id ? 'edit' : 'create'
    }
    const kept = entry === index.plan?.id ? index.plan : entry === index.contacts?.id ? index.contacts : index.entries[entry]
    const rev = (kept?.rev || 0) + 1
    const record = { kind, op, recordedAt: new Date().toISOString(), ...content, pad: '' }
    // Padded to whole blocks, so a record's size says little about what it holds, and chaff can match it.
    const bare = utf8(JSON.stringify(record)).length
    record.pad = ' '.repeat((kind === 'chaff' ? Math.max(chaffLength(), padTo(bare)) : padTo(bare)) - bare)
    const contentKey = await newContentKey(key, aad.recordKey(entry, rev))
    const body = await sealJson(contentKey.key, record, aad.record(entry, rev))
    const last = await this.store.last('log')
    const seq = (last ? last.seq : 0) + 1
    const prev = last ? last.hash : GENESIS
    if (prev !== index.head) throw new Error(t('The journal changed in another window. Reload the page and try again.'))
    const hash = await chainHash(seq, entry, rev, prev, body)
    const item = { seq, entry, rev, prev, hash, mac: await chainMac(chainKey, hash), key: contentKey.wrapped, body }
    const next = copyIndex(index)
    applyRecord(next, item, record)
    const sealedIndex = await sealIndex(key, next)
    // `add`, never `put`: a revision can only be appended, and a clash means another window wrote first.
    await this.store.write(['log', 'state'], ({ log, state }) => {
      log.add(item)
      state.put(sealedIndex, 'index')
      if (clearDraft) state.delete('draft')
    })
    this.writes += 1
    // Locked while the write was landing: it is saved, but nothing decrypted may come back into memory.
    if (this.vault.key !== key) return { entry, rev, record }
    this.index = next
    this.searchText.delete(entry)
    return { entry, rev, record }
  }

  async openIndex (key) {
    const sealed = await this.store.get('state', 'index')
    try { return sealed ? withDefaults(await openJson(key, sealed, aad.index())) : null } catch { return null }
  }

  // Every revision of one entry, decrypted, oldest first.
  async history (id) {
    const key = this.vault.key
    const items = await this.store.getAllByIndex('log', 'entry', id)
    return Promise.all(items.map(async (item) => ({ ...item, record: await openRecord(key, item) })))
  }

  // The whole log checked on this device: order, links, hashes, keyed links, every tag, every photo's SHA-256,
  // and every notice the journal recorded about changes made outside it.
  async verify () {
    const key = this.vault.key
    const problems = (await this.checkChain()).map(capitalise)
    const records = []
    const nextRev = new Map()
    for (const [i, item] of (await this.store.getAll('log')).entries()) {
      const number = i + 1
      if (item.rev !== (nextRev.get(item.entry) || 1)) problems.push(t('Saved change %(number)s: revision number out of order', { number }))
      nextRev.set(item.entry, item.rev + 1)
      try {
        const record = await openRecord(key, item)
        if (record.kind !== 'chaff') records.push({ ...item, record })
      } catch {
        problems.push(t('Saved change %(number)s: cannot be decrypted (altered or damaged)', { number }))
      }
    }
    // The sealed index is written in the same transaction as every revision, so it names the last one.
    const last = await this.store.last('log')
    const sealedIndex = await this.store.get('state', 'index')
    if (last || sealedIndex) {
      let saved = null
      try { saved = sealedIndex ? await openJson(key, sealedIndex, aad.index()) : null } catch {}
      if (!saved || saved.head !== last?.hash) problems.push(t('The journal does not end where it was last saved: changes may have been removed from the end'))
    }
    for (const { record } of records) {
      if (record.kind === 'notice') problems.push(t('Noted on %(date)s: %(summary)s', { date: record.recordedAt.slice(0, 10), summary: record.summary }))
    }
    const photos = new Map()
    for (const { record } of records) for (const photo of record.photos || []) photos.set(photo.id, photo)
    for (const photo of photos.values()) {
      const stored = await this.store.get('attachments', photo.id)
      try {
        if (!stored) throw new Error('missing')
        const photoKey = await unwrapKey(key, stored.key, aad.attachmentKey(photo.id))
        const bytes = await open(photoKey, stored.body, aad.attachment(photo.id))
        if (await sha256Hex(bytes) !== photo.sha256) problems.push(t('Photo %(name)s: SHA-256 differs from capture', { name: photo.name || '' }))
      } catch {
        problems.push(t('Photo %(name)s: missing or cannot be decrypted', { name: photo.name || '' }))
      }
    }
    return { count: records.length, photos: photos.size, problems, records }
  }
}

// Why a log does not match its sealed index, or null when it does.
function mismatch (sealed, saved, found, headerVersion) {
  const problem = (summary, expected = null) => ({ summary, signature: `index ${found.seq} ${found.head}`, expected, found })
  if (!sealed) {
    return found.seq ? problem(nt('The sealed record of where the journal ends is missing, although %(count)s saved change are stored.', 'The sealed record of where the journal ends is missing, although %(count)s saved changes are stored.', found.seq)) : null
  }
  if (!saved) return problem(t('The sealed record of where the journal ends cannot be opened: it was altered or damaged.'))
  const expected = { seq: saved.seq, head: saved.head }
  if (headerVersion < HEADER_VERSION && saved.v >= INDEX_VERSION) {
    return problem(t('The journal was set back to an older format, which would hide changes made to it.'), expected)
  }
  if (saved.head === found.head && saved.seq === found.seq) return null
  if (found.seq < saved.seq) {
    return problem(nt('The journal was last saved with %(count)s saved change, but only %(found)s are stored: changes were removed, or an older copy was put back.', 'The journal was last saved with %(count)s saved changes, but only %(found)s are stored: changes were removed, or an older copy was put back.', saved.seq, { found: found.seq }), expected)
  }
  return problem(t('The stored changes do not end where the journal last saved them (change %(saved)s; %(found)s are stored): they were altered outside this app.', { saved: saved.seq, found: found.seq }), expected)
}

// The index padded to whole blocks of 4 KB: a journal with a few entries and one with none seal to the same size.
export const INDEX_BLOCK = 4096
export function sealIndex (key, index) {
  const bare = utf8(JSON.stringify({ ...index, pad: '' })).length
  return sealJson(key, { ...index, pad: ' '.repeat(Math.ceil((bare + 1) / INDEX_BLOCK) * INDEX_BLOCK - bare) }, aad.index())
}

export async function openRecord (key, item) {
  const contentKey = await unwrapKey(key, item.key, aad.recordKey(item.entry, item.rev))
  const { pad, ...record } = await openJson(contentKey, item.body, aad.record(item.entry, item.rev))
  return record // the padding is only there for the size at rest: never in the index, a screen or an export
}

function emptyIndex () {
  return { v: INDEX_VERSION, head: GENESIS, seq: 0, entries: {}, deleted: 0, damaged: [], photoIds: [], notices: [], plan: null, contacts: null }
}

const withDefaults = (index) => ({ ...emptyIndex(), ...index })

const copyIndex = (index) => ({ ...index, entries: { ...index.entries }, photoIds: [...index.photoIds], notices: [...index.notices] })

function applyRecord (index, item, record) {
  if (record.kind === 'chaff') {
    // nothing to list: only where the log ends
  } else if (record.kind === 'notice') {
    index.notices.push({ seq: item.seq, recordedAt: record.recordedAt, summary: record.summary, signature: record.signature })
  } else if (record.kind === 'plan' || record.kind === 'contacts') {
    const { kind, op, recordedAt, ...content } = record
    const createdAt = index[kind]?.id === item.entry ? index[kind].createdAt : recordedAt
    index[kind] = { ...content, id: item.entry, rev: item.rev, createdAt, updatedAt: recordedAt }
  } else if (record.op === 'delete') {
    delete index.entries[item.entry]
    index.deleted += 1
  } else {
    const before = index.entries[item.entry]
    index.entries[item.entry] = {
      id: item.entry,
      rev: item.rev,
      fields: record.fields,
      photos: record.photos || [],
      createdAt: before ? before.createdAt : record.recordedAt,
      updatedAt: record.recordedAt
    }
    for (const photo of record.photos || []) if (!index.photoIds.includes(photo.id)) index.photoIds.push(photo.id)
  }
  index.head = item.hash
  index.seq = item.seq
}

export function sortKey (entry) {
  const { occurredDate = '', occurredTime = '' } = entry.fields
  return `${occurredDate || entry.createdAt.slice(0, 10)}T${occurredTime || '99:99'}|${entry.createdAt}`
}

const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1)
