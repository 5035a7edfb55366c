// Journal cryptography, byte for byte the same as pwa/journal/crypto.py (see tests/vectors/journal.json).
// PBKDF2-SHA256 (never below 600,000 iterations) -> AES-256-GCM keys that cannot be exported; every sealed
// value is nonce(12) || ciphertext || tag(16), and its authenticated data says what it is and where it belongs.
const subtle = globalThis.crypto.subtle

export const VERSION = 1
export const KDF_NAME = 'PBKDF2-SHA256'
export const KDF_FLOOR = 600000
export const GENESIS = '0'.repeat(64)
const CHAIN_KEY_INFO = `opendoor/${VERSION}/chain-key`
const MAC_LABEL = `opendoor-journal-mac/${VERSION}\n`
// Crockford's base32: no I, L, O or U, so a code read out over the phone is hard to mishear.
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

export class JournalCryptoError extends Error {}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })
export const utf8 = (text) => encoder.encode(text)
export const fromUtf8 = (bytes) => decoder.decode(bytes)

export function toBase64 (bytes) {
  if (bytes.toBase64) return bytes.toBase64()
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export function fromBase64 (text) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text)
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0))
}

export const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
export const fromHex = (hex) => Uint8Array.from(hex.match(/../g) || [], (pair) => parseInt(pair, 16))

export const randomBytes = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length))


export function checkKdf (kdf) {
  if (!kdf || kdf.name !== KDF_NAME) throw new JournalCryptoError('unsupported key derivation')
  if (!Number.isInteger(kdf.iterations) || kdf.iterations < KDF_FLOOR) {
    throw new JournalCryptoError(`key derivation below the floor (${KDF_FLOOR} iterations)`)
  }
}

export async function deriveKey (secret, salt, iterations) {
  checkKdf({ name: KDF_NAME, iterations })
  if (salt.length < 16) throw new JournalCryptoError('key derivation salt shorter than 16 bytes')
  const base = await subtle.importKey('raw', utf8(secret.normalize('NFC')), 'PBKDF2', false, ['deriveKey'])
  return subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base,
    { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
}

export const importKey = (raw) => subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt'])

export async function seal (key, plaintext, aad) {
  const iv = randomBytes(12) // never reused: a fresh nonce for every seal, always
  const body = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(aad) }, key, plaintext))
  const sealed = new Uint8Array(12 + body.length)
  sealed.set(iv)
  sealed.set(body, 12)
  return sealed
}

export async function open (key, sealed, aad) {
  if (!sealed || sealed.length < 28) throw new JournalCryptoError(`sealed data too short (${aad})`)
  try {
    return new Uint8Array(await subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(0, 12), additionalData: utf8(aad) }, key, sealed.subarray(12)))
  } catch {
    throw new JournalCryptoError(`authentication tag does not match (${aad})`)
  }
}

export const sealJson = (key, value, aad) => seal(key, utf8(JSON.stringify(value)), aad)
export const openJson = async (key, sealed, aad) => JSON.parse(fromUtf8(await open(key, sealed, aad)))

// A fresh random content key: the raw bytes sealed under a wrapping key, and the usable key.
export async function newContentKey (wrappingKey, aad) {
  const raw = randomBytes(32)
  const [wrapped, key] = await Promise.all([seal(wrappingKey, raw, aad), importKey(raw)])
  raw.fill(0)
  return { wrapped, key }
}

export async function unwrapKey (wrappingKey, wrapped, aad) {
  const raw = await open(wrappingKey, wrapped, aad)
  try { return await importKey(raw) } finally { raw.fill(0) }
}

// Authenticated data: one label per kind of sealed thing (mirrors the aad_* functions in crypto.py).
export const aad = {
  vaultKey: () => `opendoor/${VERSION}/vault-key`,
  recordKey: (entry, rev) => `opendoor/${VERSION}/record-key/${entry}/${rev}`,
  record: (entry, rev) => `opendoor/${VERSION}/record/${entry}/${rev}`,
  attachmentKey: (id) => `opendoor/${VERSION}/attachment-key/${id}`,
  attachment: (id) => `opendoor/${VERSION}/attachment/${id}`,
  exportKey: () => `opendoor/${VERSION}/export-key`,
  exportManifest: () => `opendoor/${VERSION}/export-manifest`,
  exportChainKey: () => `opendoor/${VERSION}/export-chain-key`,
  index: () => `opendoor/${VERSION}/index`,
  draft: () => `opendoor/${VERSION}/draft`
}

export async function sha256Hex (bytes) {
  return toHex(new Uint8Array(await subtle.digest('SHA-256', bytes)))
}

// Each revision's place in the log and its sealed body, hashed: anyone can recompute this, so it only links.
export function chainHash (seq, entry, rev, prev, body) {
  const header = utf8(`opendoor-journal/${VERSION}\n${seq}\n${entry}\n${rev}\n${prev}\n`)
  const data = new Uint8Array(header.length + body.length)
  data.set(header)
  data.set(body, header.length)
  return sha256Hex(data)
}

// The chain key: HKDF-SHA256 of the vault key, so whoever can change the log without the passphrase cannot
// make it link up again. Extractable only so that an export can carry it (sealed) to the verifier.
export async function deriveChainKey (rawVaultKey) {
  const base = await subtle.importKey('raw', rawVaultKey, 'HKDF', false, ['deriveKey'])
  return subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: utf8(CHAIN_KEY_INFO) }, base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 }, true, ['sign', 'verify'])
}

export const importChainKey = (raw) => subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify'])
export const exportChainKey = async (key) => new Uint8Array(await subtle.exportKey('raw', key))

// A revision's keyed link: HMAC-SHA256 under the chain key of its hash.
export async function chainMac (chainKey, hash) {
  return toHex(new Uint8Array(await subtle.sign('HMAC', chainKey, utf8(`${MAC_LABEL}${hash}`))))
}

export function normalizeCode (code) {
  const cleaned = code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1')
  if (!cleaned || [...cleaned].some((ch) => !CODE_ALPHABET.includes(ch))) {
    throw new JournalCryptoError('the export code has characters that are not in the code alphabet')
  }
  return cleaned
}

// 20 characters of base32 (100 bits), shown in five groups of four.
export function newExportCode () {
  const chars = Array.from(randomBytes(20), (b) => CODE_ALPHABET[b & 31])
  return chars.join('').match(/.{4}/g).join('-')
}
