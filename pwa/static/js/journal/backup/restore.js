// Restoring a journal onto this device: from the backup server (recovery code and passphrase) or from an export
// file (its code, and a passphrase to set). Every revision goes back exactly as it was sealed, so its hash, the
// chain, the photos' hashes and the server's receipts check out as before; keys are re-wrapped under the vault key
// that opens the journal here. Nothing on the device changes until everything has been read and opened; then the
// journal is written in one transaction. Anything that cannot be read is reported, and the rest still restored.
import {
  GENESIS, KDF_FLOOR, KDF_NAME, JournalCryptoError, aad, chainHash, chainMac, checkKdf, deriveChainKey, deriveKey,
  fromBase64, importChainKey, importKey, normalizeCode, open, openJson, randomBytes, seal, sealJson, toBase64, unwrapKey
} from '../crypto.js'
import { Journal } from '../entries.js'
import { HEADER_VERSION } from '../vault.js'
import { BackupError, CONFIG, RECEIPT, api, label, numbered, receiptKeys } from './device.js'
import * as w from './wire.js'

const PAGE = 100
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i])
const plural = (n, word) => `${n} ${n === 1 ? word : `${word}s`}`

// Everything the server holds for a code, with the receipts checked as they arrive.
export async function fetchCopy (code, progress = () => {}) {
  const derived = await w.derive(code)
  let status
  try {
    status = (await api('GET', `/${derived.id}`, { token: derived.token })).backup
  } catch (error) {
    if (error.code === 'backup_not_found') throw new BackupError('No copy was found for this recovery code. Check it, or ask whether this agency keeps copies.', error.code)
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
  if (records.length < status.lastSeq) problems.push(`The server gave ${records.length} of its ${status.lastSeq} records.`)
  for (const stored of records) {
    const bytes = fromBase64(stored.body)
    const hash = await w.recordHash(bytes)
    const receiptProblem = keys ? await w.checkReceipt(stored.receipt, keys, { hash, seq: stored.seq, backup: derived.id })
      : stored.receipt?.hash === hash ? 'not checked: the server did not give its key' : 'it does not match the record'
    let record
    try {
      record = await w.openRecord(recordKey, derived.id, bytes)
    } catch (error) {
      problems.push(`Record ${stored.seq} on the server cannot be read (${error.message}): it was changed or cut short there. It was left out.`)
      continue
    }
    if (receiptProblem && keys) problems.push(`Record ${stored.seq}: its receipt does not check out (${receiptProblem}).`)
    const { header } = record
    if (header.t === 'revision' && !equal(record.commitment, await w.commitment(fromBase64(header.salt), header.item.hash))) {
      problems.push(`Record ${stored.seq}: it does not commit to the change it holds.`)
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
  throw new BackupError('This passphrase does not open the copy. Use the passphrase the journal had when it was backed up.', 'passphrase')
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
    if (!body || body.length !== photo.size) { problems.push(`A photo is incomplete on the server (${photo.slices.size} of ${photo.parts} parts).`); continue }
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
    if (hash !== await chainHash(seq, entry, rev, prev, payload)) problems.push(`Saved change ${seq}: its hash does not match what it holds.`)
    const old = oldKeys.get(header.gen)
    revisions.push({
      item: { seq, entry, rev, prev, hash, mac: await re.mac(old?.chain, hash, mac), key: await re.wrapped(old?.key, fromBase64(key), aad.recordKey(entry, rev)), body: payload },
      record
    })
  }
  if (unopenable.size) problems.push(`Some changes were saved after the passphrase was changed, and this passphrase does not open them: restore with the newest passphrase to get them back.`)
  const { main, others } = chains(revisions.map((r) => r.item))
  const onMain = new Set(main)
  const receipts = opened.filter((r) => !r.receiptProblem && (r.header.t !== 'revision' || onMain.has(revisions.find((x) => x.record === r)?.item)))
    .map((r) => ({ t: r.header.t, at: r.header.at, salt: r.header.salt, head: r.header.item?.hash || null, sealedHash: r.sealedHash, receipt: r.receipt, problem: null }))
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
  try { bundle = JSON.parse(text) } catch { throw new BackupError('This file is not an export from this app.') }
  if (bundle?.format !== 'sealed-export' || bundle.v !== 2 || !Array.isArray(bundle.revisions)) {
    throw new BackupError('This file is not an export this app can restore (it needs an export made by the journal, format 2).')
  }
  checkKdf(bundle.kdf)
  let exportKey, oldChain
  try {
    const codeKey = await deriveKey(normalizeCode(code), fromBase64(bundle.kdf.salt), bundle.kdf.iterations)
    exportKey = await importKey(await open(codeKey, fromBase64(bundle.exportKey), aad.exportKey()))
    oldChain = await importChainKey(await open(exportKey, fromBase64(bundle.chainKey), aad.exportChainKey()))
  } catch (error) {
    if (error instanceof JournalCryptoError) throw new BackupError('This code does not open this file. Check the code given with it.', 'code')
    throw error
  }
  const raw = randomBytes(32)
  const re = await rekeyer(raw)
  const problems = []
  const items = []
  for (const r of bundle.revisions) {
    const body = fromBase64(r.body)
    if (r.hash !== await chainHash(r.seq, r.entry, r.rev, r.prev, body)) problems.push(`Saved change ${r.seq}: its hash does not match what it holds.`)
    let key
    try { key = await re.wrapped(exportKey, fromBase64(r.key), aad.recordKey(r.entry, r.rev)) } catch {
      problems.push(`Saved change ${r.seq}: its key cannot be opened.`)
      key = fromBase64(r.key)
    }
    items.push({ seq: r.seq, entry: r.entry, rev: r.rev, prev: r.prev, hash: r.hash, mac: await re.mac(oldChain, r.hash, r.mac), key, body })
  }
  const attachments = []
  for (const a of bundle.attachments || []) {
    try {
      attachments.push({ id: a.id, key: await re.wrapped(exportKey, fromBase64(a.key), aad.attachmentKey(a.id)), body: fromBase64(a.body) })
    } catch { problems.push('A photo\'s key cannot be opened.') }
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
    let problem = head ? null : `the server received saved change ${kept?.revision}, which this file does not have`
    if (!problem) {
      const expected = await w.recordHashOfParts(await w.commitment(fromBase64(kept.salt), head), w.fromHex(kept.sealedHash))
      problem = kept.receipt?.hash !== expected ? 'it does not match the saved change as exported'
        : keys ? await w.checkReceipt(kept.receipt, keys) : null
    }
    if (problem) { receiptProblems.push(`Receipt ${i + 1}: ${problem}.`); continue }
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
  const sealedIndex = await sealJson(key, index, aad.index())
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
      const contentKey = await unwrapKey(vault.key, item.key, aad.recordKey(item.entry, item.rev))
      content = await openJson(contentKey, item.body, aad.record(item.entry, item.rev))
    } catch { continue }
    const exists = Boolean(journal.get(item.entry))
    if (content.kind !== 'entry' || (content.op === 'delete' && !exists)) continue
    const op = content.op === 'delete' ? 'delete' : exists ? 'edit' : 'create'
    await journal.append(item.entry, {
      ...content, op, recordedAt: new Date().toISOString(), fromOtherDevice: { seq: item.seq, hash: item.hash, recordedAt: content.recordedAt }
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

export { plural }
