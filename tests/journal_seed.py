"""Many journal entries at once, for the long-list tests and benchmarks/bench_journal.py.

Saving entries one by one through the page re-seals the whole index each time, so thousands would take hours.
Here each revision is sealed exactly as Journal.appendNow seals it (its own content key, the sealed record, the
hash link and its keyed MAC, with crypto.js), the log is written in one transaction, and the sealed index is
made by Journal.rebuildIndex: the stored format is the app's own. Entry i happened on 1 January 2000 + i days,
so entry 0 is the oldest and the list shows the highest number first. Returns the entry count and the sealed
index's size.
"""

SEED_JOURNAL = """async ({ passphrase, count }) => {
  const { openStore } = await import('/static/js/journal/store.js')
  const { Vault } = await import('/static/js/journal/vault.js')
  const { Journal } = await import('/static/js/journal/entries.js')
  const { GENESIS, aad, chainHash, chainMac, newContentKey, sealJson } = await import('/static/js/journal/crypto.js')
  const vault = new Vault(await openStore())
  await vault.setup(passphrase)
  const { key, chainKey, store } = vault
  const words = 'shouted door keys phone money car sister work kitchen night threatened followed messages bank'.split(' ')
  const fieldsOf = (i) => {
    const day = new Date(Date.UTC(2000, 0, 1) + i * 86400000).toISOString().slice(0, 10)
    const pick = (n) => Array.from({ length: n }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ')
    return {
      occurredDate: day, occurredTime: '21:15', approximate: i % 3 === 0, partOfDay: 'evening', occurredNote: '',
      place: `Place ${i}`, what: `Entry ${i}: ${pick(60)}`, who: pick(3), injuries: i % 5 ? '' : pick(10), medical: i % 20 ? '' : 'Went to the walk-in centre',
      effect: pick(25), witnesses: '', childrenPresent: i % 2 ? 'yes' : 'no', children: '', evidence: pick(5),
      policeOfficer: '', crimeReference: i % 10 ? '' : `CC-${i}`, tags: ['threats', 'monitoring'].slice(0, 1 + i % 2)
    }
  }
  // Each revision as Journal.appendNow makes it: its own content key, the sealed record, the keyed link.
  const sealed = []
  for (let start = 0; start < count; start += 500) {
    sealed.push(...await Promise.all(Array.from({ length: Math.min(500, count - start) }, async (_, j) => {
      const entry = crypto.randomUUID()
      const record = { kind: 'entry', op: 'create', recordedAt: new Date(Date.UTC(2020, 0, 1) + (start + j) * 60000).toISOString(), fields: fieldsOf(start + j), photos: [] }
      const contentKey = await newContentKey(key, aad.recordKey(entry, 1))
      return { entry, key: contentKey.wrapped, body: await sealJson(contentKey.key, record, aad.record(entry, 1)) }
    })))
  }
  const items = []
  let prev = GENESIS
  for (const [i, { entry, key: wrapped, body }] of sealed.entries()) {
    const hash = await chainHash(i + 1, entry, 1, prev, body)
    items.push({ seq: i + 1, entry, rev: 1, prev, hash, mac: await chainMac(chainKey, hash), key: wrapped, body })
    prev = hash
  }
  await store.write(['log'], ({ log }) => items.forEach((item) => log.add(item)))
  const journal = new Journal(vault)
  const index = await journal.rebuildIndex(key)
  const sealedIndex = await sealJson(key, index, aad.index())
  await store.write(['state'], ({ state }) => state.put(sealedIndex, 'index'))
  vault.lock()
  return { entries: Object.keys(index.entries).length, indexBytes: sealedIndex.length }
}"""
