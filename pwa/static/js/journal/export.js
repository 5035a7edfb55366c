// The evidence export: every revision exactly as sealed on this device (so its hash chain and keyed links still
// hold), each content key and the chain key re-sealed under a random export key, which is sealed under a key
// from a one-time export code. The passphrase and vault key never leave the device. `flask journal
// verify|decrypt` reads the result. The format's name is neutral: the file may be seen in Downloads.
import {
  KDF_FLOOR, KDF_NAME, aad, deriveKey, exportChainKey, importKey, normalizeCode, open, randomBytes, seal, sealJson,
  toBase64
} from './crypto.js'

export const FORMAT = 'sealed-export'
export const EXPORT_VERSION = 2 // 1 (format 'open-door-journal-export'): before links were keyed

export async function makeBundle (vault, journal, code, receipts) {
  const { key, chainKey } = vault
  const check = await journal.verify()
  const salt = randomBytes(16)
  const codeKey = await deriveKey(normalizeCode(code), salt, KDF_FLOOR)
  const exportRaw = randomBytes(32)
  const exportKey = await importKey(exportRaw)
  const exportKeySealed = await seal(codeKey, exportRaw, aad.exportKey())
  exportRaw.fill(0)

  const reseal = async (sealedKey, label) => {
    const raw = await open(key, sealedKey, label)
    try { return toBase64(await seal(exportKey, raw, label)) } finally { raw.fill(0) }
  }
  const log = await journal.store.getAll('log')
  const revisions = await Promise.all(log.map(async (item) => ({
    seq: item.seq,
    entry: item.entry,
    rev: item.rev,
    prev: item.prev,
    hash: item.hash,
    mac: item.mac,
    key: await reseal(item.key, aad.recordKey(item.entry, item.rev)).catch(() => toBase64(item.key)),
    body: toBase64(item.body)
  })))
  const photoIds = [...new Set(check.records.flatMap(({ record }) => (record.photos || []).map((photo) => photo.id)))]
  const attachments = []
  for (const id of photoIds) {
    const stored = await journal.store.get('attachments', id)
    if (stored) attachments.push({ id, key: await reseal(stored.key, aad.attachmentKey(id)), body: toBase64(stored.body) })
  }
  const rawChainKey = await exportChainKey(chainKey)
  const chainKeySealed = await seal(exportKey, rawChainKey, aad.exportChainKey())
  rawChainKey.fill(0)
  const head = log.length ? log[log.length - 1].hash : '0'.repeat(64)
  const manifest = { exportedAt: new Date().toISOString(), count: revisions.length, head, attachments: attachments.map((a) => a.id) }
  const bundle = {
    format: FORMAT,
    v: EXPORT_VERSION,
    kdf: { name: KDF_NAME, iterations: KDF_FLOOR, salt: toBase64(salt) },
    exportKey: toBase64(exportKeySealed),
    chainKey: toBase64(chainKeySealed),
    manifest: toBase64(await sealJson(exportKey, manifest, aad.exportManifest())),
    revisions,
    attachments,
    head,
    receipts
  }
  // Chaff is exported (the chain needs it) but never counted as a saved change.
  return { json: JSON.stringify(bundle), revisions: check.count, photos: attachments.length, problems: check.problems }
}
