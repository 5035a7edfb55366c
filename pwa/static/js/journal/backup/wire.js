// The backup's wire format (docs/backup.md), byte for byte as pwa/backup/wire.py (tests/vectors/backup.json):
// the recovery code, the three values HKDF gives from it, the vault key wrapped under code and passphrase, size
// buckets, records and their commitments, the record hash a receipt signs, and the receipt's check.
// Loaded only when the backup is used (it is not precached: see ON_DEMAND in pwa/webapp.py).
import { t } from '../../i18n.js'
import { CODE_ALPHABET, GENESIS, JournalCryptoError, fromBase64, fromHex, importKey, open, randomBytes, seal, toBase64, toHex, utf8 } from '../crypto.js'

const subtle = globalThis.crypto.subtle
export const CODE_DATA = 22 // random characters: 110 bits
export const CODE_LENGTH = 24 // and two check characters
const LABEL = 'opendoor/1/'
export const SALT_BYTES = 32
export const MIN_RECORD = 4096
export const MAX_RECORD = 1 << 20
export const PHOTO_SLICE = MAX_RECORD - 4096 // a full slice of a photo fills a 1 MiB record exactly
const OVERHEAD = 60 // commitment (32), nonce (12), tag (16)
export const KDF_ITERATIONS = 600000

export class BackupFormatError extends Error {}

const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
  let at = 0
  for (const part of parts) { out.set(part, at); at += part.length }
  return out
}
const digest = async (...parts) => new Uint8Array(await subtle.digest('SHA-256', concat(...parts)))

// The recovery code ---------------------------------------------------------------------------------------

export async function codeCheck (data) {
  const hash = await digest(utf8(`${LABEL}recovery-code-check\n${data}`))
  const bits = (hash[0] << 2) | (hash[1] >> 6)
  return CODE_ALPHABET[bits >> 5] + CODE_ALPHABET[bits & 31]
}

export const groupCode = (code) => code.match(/.{1,4}/g).join('-')

// 22 random characters (each a random byte & 31: unbiased) and two check characters, in six groups of four.
export async function newRecoveryCode (random = randomBytes(CODE_DATA)) {
  const data = Array.from(random, (b) => CODE_ALPHABET[b & 31]).join('')
  return groupCode(data + await codeCheck(data))
}

// As typed: any case, spaces and dashes ignored, O read as 0, I and L as 1; a mistake is caught by the check.
export async function normalizeRecoveryCode (typed) {
  const cleaned = String(typed).normalize('NFKC').toUpperCase().replace(/[ \t\n\r-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1')
  if ([...cleaned].some((ch) => !CODE_ALPHABET.includes(ch))) {
    throw new BackupFormatError(t('A recovery code uses only the digits and the letters A to Z (no U).'))
  }
  if (cleaned.length !== CODE_LENGTH) {
    throw new BackupFormatError(t('A recovery code has %(length)s characters (six groups of four); this has %(count)s.', { length: CODE_LENGTH, count: cleaned.length }))
  }
  if (await codeCheck(cleaned.slice(0, CODE_DATA)) !== cleaned.slice(CODE_DATA)) {
    throw new BackupFormatError(t('This recovery code has a mistake in it: check each group again.'))
  }
  return cleaned
}

// Keys ------------------------------------------------------------------------------------------------------

export async function hkdf (ikm, info, length = 32, salt = new Uint8Array(0)) {
  const base = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits'])
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info: utf8(info) }, base, length * 8))
}

// Three independent values from one code: the backup's id, its write token, and the backup key.
export async function derive (code) {
  const ikm = utf8(await normalizeRecoveryCode(code))
  const salt = utf8(`${LABEL}backup`)
  const [id, token, backupKey] = await Promise.all([
    hkdf(ikm, `${LABEL}backup-id`, 16, salt), hkdf(ikm, `${LABEL}backup-write-token`, 32, salt), hkdf(ikm, `${LABEL}backup-key`, 32, salt)])
  return { id: toHex(id), token: toHex(token), tokenHash: toHex(await digest(token)), backupKey }
}

export const recordKeyBytes = (backupKey) => hkdf(backupKey, `${LABEL}backup-record-key`)

export async function passphraseBits (passphrase, salt, iterations = KDF_ITERATIONS) {
  if (!(iterations >= KDF_ITERATIONS) || salt.length < 16) throw new BackupFormatError('key derivation below the floor')
  const base = await subtle.importKey('raw', utf8(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveBits'])
  return new Uint8Array(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, 256))
}

// Needs both halves: HKDF of (backup key || PBKDF2 of the passphrase).
export const wrapKeyBytes = (backupKey, bits) => hkdf(concat(backupKey, bits), `${LABEL}backup-vault-wrap`)

export async function wrapKey (backupKey, passphrase, salt, iterations) {
  const bits = await passphraseBits(passphrase, salt, iterations)
  const raw = await wrapKeyBytes(backupKey, bits)
  try { return await importKey(raw) } finally { raw.fill(0); bits.fill(0) }
}

export const aad = {
  vaultKey: (id, gen) => `${LABEL}backup-vault-key/${id}/${gen}`,
  previous: (id, gen) => `${LABEL}backup-previous-vault-key/${id}/${gen}`,
  record: (id) => `${LABEL}backup-record/${id}`
}

// Records ---------------------------------------------------------------------------------------------------

// 4 KiB, then eight steps per doubling: at most 12.5% padding, 65 sizes in all.
export function bucket (needed) {
  if (needed <= MIN_RECORD) return MIN_RECORD
  const step = 2 ** ((needed - 1).toString(2).length - 4)
  return Math.ceil(needed / step) * step
}

export const isBucket = (size) => size >= MIN_RECORD && size <= MAX_RECORD && bucket(size) === size

export async function commitment (salt, head) {
  if (salt.length !== SALT_BYTES || !/^[0-9a-f]{64}$/.test(head)) throw new BackupFormatError('a commitment needs a 32-byte salt and a head hash')
  return digest(utf8(`${LABEL}backup-commitment\n`), salt, utf8(head))
}

export const recordHashOfParts = async (commit, sealedHash) => toHex(await digest(utf8(`${LABEL}backup-record\n`), commit, sealedHash))
export const sealedHashOf = (record) => digest(record.subarray(32))
export const recordHash = async (record) => recordHashOfParts(record.subarray(0, 32), await sealedHashOf(record))

export function frame (header, payload) {
  const headerBytes = utf8(JSON.stringify(header))
  const length = 8 + headerBytes.length + payload.length
  const size = bucket(OVERHEAD + length)
  if (size > MAX_RECORD) throw new BackupFormatError(`a record holds at most ${MAX_RECORD} bytes; this needs ${OVERHEAD + length}`)
  const framed = new Uint8Array(size - OVERHEAD)
  const view = new DataView(framed.buffer)
  view.setUint32(0, headerBytes.length)
  view.setUint32(4, payload.length)
  framed.set(headerBytes, 8)
  framed.set(payload, 8 + headerBytes.length)
  return framed
}

// A header's fields in the order the format gives (t, v, at, salt, then the kind's own), with a fresh salt.
export function header (t, at, fields) {
  const salt = randomBytes(SALT_BYTES)
  return { header: { t, v: 1, at: at.seq, salt: toBase64(salt), ...fields }, salt, head: at.head || GENESIS }
}

export async function sealRecord (recordKey, backupId, made, payload = new Uint8Array(0)) {
  const commit = await commitment(made.salt, made.head)
  return concat(commit, await seal(recordKey, frame(made.header, payload), aad.record(backupId)))
}

export async function openRecord (recordKey, backupId, record) {
  if (!isBucket(record.length)) throw new BackupFormatError(t('a record of %(bytes)s bytes is not one of the sizes (cut short?)', { bytes: record.length }))
  let framed
  try { framed = await open(recordKey, record.subarray(32), aad.record(backupId)) } catch (error) {
    if (error instanceof JournalCryptoError) throw new BackupFormatError(t('the record was altered or damaged'))
    throw error
  }
  const view = new DataView(framed.buffer, framed.byteOffset)
  const headerLength = view.getUint32(0)
  const payloadLength = view.getUint32(4)
  const end = 8 + headerLength + payloadLength
  if (end > framed.length || framed.subarray(end).some((b) => b !== 0)) throw new BackupFormatError(t('record framing does not add up'))
  let parsed
  try { parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(framed.subarray(8, 8 + headerLength))) } catch {
    throw new BackupFormatError(t('record header is not JSON'))
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new BackupFormatError(t('record header is not a JSON object'))
  return { commitment: record.slice(0, 32), header: parsed, payload: framed.slice(8 + headerLength, end) }
}

export function photoSlices (body) {
  const slices = []
  for (let at = 0; at < body.length; at += PHOTO_SLICE) slices.push(body.subarray(at, at + PHOTO_SLICE))
  return slices.length ? slices : [new Uint8Array(0)]
}

// Receipts --------------------------------------------------------------------------------------------------

export function receiptMessage ({ backup, seq, hash, time }) {
  if (!/^[0-9a-f]{32}$/.test(backup) || !/^[0-9a-f]{64}$/.test(hash) || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(time) ||
      !Number.isInteger(seq) || seq < 1) throw new BackupFormatError(t('a receipt field is missing or malformed'))
  return utf8(`opendoor-backup-receipt/1\n${backup}\n${seq}\n${hash}\n${time}\n`)
}

export const fingerprint = async (rawPublicKey) => toHex((await digest(rawPublicKey)).subarray(0, 16))
export const showFingerprint = (value) => value.match(/.{1,4}/g).join(' ')

// The receipt-signing public keys by fingerprint, from the JSON the server serves at /.well-known/.
export async function importReceiptKey (document) {
  const raw = fromBase64(document.publicKey)
  const key = await subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify'])
  return { [await fingerprint(raw)]: key }
}

// null when the receipt is for this record (hash, backup, number) and signed by one of the keys; else what is wrong.
export async function checkReceipt (receipt, keys, expected = {}) {
  if (!receipt || receipt.v !== 1) return t('not a version 1 receipt')
  let message
  try { message = receiptMessage(receipt) } catch (error) { return error.message }
  for (const name of ['hash', 'backup', 'seq']) {
    if (expected[name] !== undefined && receipt[name] !== expected[name]) return { hash: t('it names another hash'), backup: t('it names another backup'), seq: t('it names another number') }[name]
  }
  const key = keys && keys[receipt.key]
  if (!key) return t('signed by a key this device does not know (%(key)s)', { key: showFingerprint(String(receipt.key)) })
  let signature
  try { signature = fromBase64(receipt.sig) } catch { signature = new Uint8Array(0) }
  const good = signature.length === 64 && await subtle.verify({ name: 'Ed25519' }, key, signature, message).catch(() => false)
  return good ? null : t('the signature does not match')
}

export { fromBase64, fromHex, toBase64, toHex }
