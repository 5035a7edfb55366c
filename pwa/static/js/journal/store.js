// IndexedDB for the journal. Only sealed bytes and the bare shape of the log (sequence numbers, random ids,
// revision numbers, hashes) are stored; every word and photo is AES-GCM ciphertext.
//   meta         'vault' -> { v, kdf: { name, iterations, salt }, vaultKey: sealed }
//   log          append-only revisions, keyed by seq: { seq, entry, rev, prev, hash, mac, key: sealed, body: sealed }
//   attachments  { id, key: sealed, body: sealed }
//   state        'index' and 'draft' -> sealed JSON; 'kept-index-N': an index set aside when the log no longer
//                matched it (evidence, never deleted); 'pair': what this slot knows of the other (slots.js)
// Every journal has two such databases, its slots (slots.js, docs/duress.md): DB_NAME and one more.
export const DB_NAME = 'od-data'
const STORES = ['meta', 'log', 'attachments', 'state']

const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result)
  request.onerror = () => reject(request.error)
})

export function openStore (name = DB_NAME) {
  const request = indexedDB.open(name, 1)
  request.onupgradeneeded = () => {
    const db = request.result
    db.createObjectStore('meta')
    db.createObjectStore('log', { keyPath: 'seq' }).createIndex('entry', 'entry')
    db.createObjectStore('attachments', { keyPath: 'id' })
    db.createObjectStore('state')
  }
  return done(request).then((db) => new Store(db))
}

export class Store {
  constructor (db) { this.db = db }

  get (store, key) {
    return done(this.db.transaction(store).objectStore(store).get(key))
  }

  getAll (store, query) {
    return done(this.db.transaction(store).objectStore(store).getAll(query))
  }

  getAllKeys (store) {
    return done(this.db.transaction(store).objectStore(store).getAllKeys())
  }

  getAllByIndex (store, index, key) {
    return done(this.db.transaction(store).objectStore(store).index(index).getAll(key))
  }

  async last (store) {
    const cursor = await done(this.db.transaction(store).objectStore(store).openCursor(null, 'prev'))
    return cursor ? cursor.value : null
  }

  // Several writes that land together or not at all. `writes` gets the object stores by name and must only
  // queue requests (no awaiting other promises in between, or IndexedDB commits early).
  write (stores, writes) {
    return new Promise((resolve, reject) => {
      const tx = this.db.transaction(stores, 'readwrite', { durability: 'strict' })
      const byName = Object.fromEntries(stores.map((name) => [name, tx.objectStore(name)]))
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
      tx.onabort = () => reject(tx.error || new Error('write aborted'))
      try { writes(byName) } catch (error) { tx.abort(); reject(error) }
    })
  }

  // Everything stored, for tests and diagnostics (all of it is ciphertext or bare structure).
  async dump () {
    const out = {}
    for (const name of STORES) {
      const tx = this.db.transaction(name)
      const store = tx.objectStore(name)
      const [keys, values] = await Promise.all([done(store.getAllKeys()), done(store.getAll())])
      out[name] = keys.map((key, i) => [key, values[i]])
    }
    return out
  }

  close () { this.db.close() }
}
