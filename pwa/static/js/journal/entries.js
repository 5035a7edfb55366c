// The journal itself: an append-only, hash-linked log of sealed revisions, plus a sealed index of the current
// entries so the list and search need one decryption, not one per entry.
// Each revision: a fresh content key (sealed under the vault key) seals the record; its hash covers its place
// in the log, the previous hash and the sealed body, so nothing can be changed, dropped or reordered unseen.
import { GENESIS, JournalCryptoError, aad, chainHash, newContentKey, open, openJson, sealJson, sha256Hex, unwrapKey } from './crypto.js'

const INDEX_VERSION = 1

export class Journal {
  constructor (vault) {
    this.vault = vault
    this.store = vault.store
    this.index = null
    this.searchText = new Map()
  }

  async load () {
    const key = this.vault.key
    const [sealed, last] = await Promise.all([this.store.get('state', 'index'), this.store.last('log')])
    let index = null
    if (sealed) {
      try { index = await openJson(key, sealed, aad.index()) } catch { index = null }
    }
    // The index is only a cache of the log: if it is missing or behind, rebuild it from the log.
    if (!index || index.v !== INDEX_VERSION || index.head !== (last ? last.hash : GENESIS)) {
      index = await this.rebuildIndex(key)
    }
    this.index = index
    this.searchText.clear()
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

  unload () {
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
    if (id && !this.index.entries[id]) throw new Error('That entry no longer exists')
    const op = id ? 'edit' : 'create'
    return this.append(id || crypto.randomUUID(), { kind: 'entry', op, fields, photos }, clearDraft)
  }

  remove (id, reason = '') {
    if (!this.index.entries[id]) throw new Error('That entry no longer exists')
    return this.append(id, { kind: 'entry', op: 'delete', reason }, false)
  }

  async append (entry, content, clearDraft) {
    const key = this.vault.key
    if (!key) throw new Error('The journal is locked')
    const rev = (this.index.entries[entry]?.rev || 0) + 1
    const record = { kind: content.kind, op: content.op, recordedAt: new Date().toISOString() }
    if (content.op === 'delete') record.reason = content.reason
    else Object.assign(record, { fields: content.fields, photos: content.photos })
    const contentKey = await newContentKey(key, aad.recordKey(entry, rev))
    const body = await sealJson(contentKey.key, record, aad.record(entry, rev))
    const last = await this.store.last('log')
    const seq = (last ? last.seq : 0) + 1
    const prev = last ? last.hash : GENESIS
    if (prev !== this.index.head) throw new Error('The journal changed in another window. Reload the page and try again.')
    const item = { seq, entry, rev, prev, hash: await chainHash(seq, entry, rev, prev, body), key: contentKey.wrapped, body }
    const next = { ...this.index, entries: { ...this.index.entries } }
    applyRecord(next, item, record)
    const sealedIndex = await sealJson(key, next, aad.index())
    // `add`, never `put`: a revision can only be appended, and a clash means another window wrote first.
    await this.store.write(['log', 'state'], ({ log, state }) => {
      log.add(item)
      state.put(sealedIndex, 'index')
      if (clearDraft) state.delete('draft')
    })
    // Locked while the write was landing: it is saved, but nothing decrypted may come back into memory.
    if (this.vault.key !== key) return { entry, rev, record }
    this.index = next
    this.searchText.delete(entry)
    return { entry, rev, record }
  }

  // Every revision of one entry, decrypted, oldest first.
  async history (id) {
    const key = this.vault.key
    const items = await this.store.getAllByIndex('log', 'entry', id)
    return Promise.all(items.map(async (item) => ({ ...item, record: await openRecord(key, item) })))
  }

  // The whole log checked on this device: order, links, hashes, every tag, and every photo's SHA-256.
  async verify () {
    const key = this.vault.key
    const problems = []
    const records = []
    let prev = GENESIS
    const nextRev = new Map()
    for (const [i, item] of (await this.store.getAll('log')).entries()) {
      const label = `Revision ${i + 1}`
      if (item.seq !== i + 1) problems.push(`${label}: out of sequence`)
      if (item.prev !== prev) problems.push(`${label}: does not link to the one before`)
      if (item.hash !== await chainHash(item.seq, item.entry, item.rev, item.prev, item.body)) problems.push(`${label}: hash does not match`)
      if (item.rev !== (nextRev.get(item.entry) || 1)) problems.push(`${label}: revision number out of order`)
      nextRev.set(item.entry, item.rev + 1)
      prev = item.hash
      try {
        records.push({ ...item, record: await openRecord(key, item) })
      } catch {
        problems.push(`${label}: cannot be decrypted (altered or damaged)`)
      }
    }
    // The sealed index is written in the same transaction as every revision, so it names the last one: a log
    // cut short (or emptied, or its index removed) shows here even though what is left still links up.
    const sealedIndex = await this.store.get('state', 'index')
    if (prev !== GENESIS || sealedIndex) {
      let saved = null
      try { saved = sealedIndex ? await openJson(key, sealedIndex, aad.index()) : null } catch {}
      if (!saved || saved.head !== prev) problems.push('The journal does not end where it was last saved: changes may have been removed from the end')
    }
    const photos = new Map()
    for (const { record } of records) for (const photo of record.photos || []) photos.set(photo.id, photo)
    for (const photo of photos.values()) {
      const stored = await this.store.get('attachments', photo.id)
      try {
        if (!stored) throw new Error('missing')
        const photoKey = await unwrapKey(key, stored.key, aad.attachmentKey(photo.id))
        const bytes = await open(photoKey, stored.body, aad.attachment(photo.id))
        if (await sha256Hex(bytes) !== photo.sha256) problems.push(`Photo ${photo.name || ''}: SHA-256 differs from capture`)
      } catch {
        problems.push(`Photo ${photo.name || ''}: missing or cannot be decrypted`)
      }
    }
    return { count: records.length, photos: photos.size, problems, records }
  }
}

export async function openRecord (key, item) {
  const contentKey = await unwrapKey(key, item.key, aad.recordKey(item.entry, item.rev))
  return openJson(contentKey, item.body, aad.record(item.entry, item.rev))
}

function emptyIndex () {
  return { v: INDEX_VERSION, head: GENESIS, seq: 0, entries: {}, deleted: 0, damaged: [] }
}

function applyRecord (index, item, record) {
  if (record.op === 'delete') {
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
  }
  index.head = item.hash
  index.seq = item.seq
}

export function sortKey (entry) {
  const { occurredDate = '', occurredTime = '' } = entry.fields
  return `${occurredDate || entry.createdAt.slice(0, 10)}T${occurredTime || '99:99'}|${entry.createdAt}`
}
