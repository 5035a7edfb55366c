// The vault's life: set up with a passphrase, unlock, lock, change passphrase (and replace the keys).
// passphrase -> PBKDF2-SHA256 -> key-encryption key (never extractable) -> unwraps the random vault key, which
// seals the index, drafts and every per-record and per-photo content key; the chain key (HKDF of the vault
// key) keys the log's links. See docs/journal-keys.md.
import { t } from '../i18n.js'
import {
  KDF_FLOOR, KDF_NAME, JournalCryptoError, aad, chainMac, checkKdf, deriveChainKey, deriveKey, importKey, open,
  openJson, randomBytes, seal, sealJson
} from './crypto.js'

export class UnlockError extends Error {}
export class ChangedElsewhereError extends Error {}

// The only message a wrong passphrase ever gets: it says nothing about why.
export const COULD_NOT_UNLOCK = 'Could not unlock'
// 1: before the log's links were keyed (upgraded when next unlocked); 2: keyed.
export const HEADER_VERSION = 2
const READABLE_VERSIONS = [1, 2]

export class Vault {
  constructor (store) {
    this.store = store
    this.key = null
    this.chainKey = null
    this.headerVersion = null
  }

  get unlocked () { return this.key !== null }

  async exists () { return Boolean(await this.store.get('meta', 'vault')) }

  async header () {
    const header = await this.store.get('meta', 'vault')
    if (!header) throw new UnlockError(t('There is no journal on this device yet'))
    if (!READABLE_VERSIONS.includes(header.v)) throw new UnlockError(t('This journal was made by a newer version of the app. Reload to update.'))
    checkKdf(header.kdf)
    return header
  }

  async setup (passphrase) {
    if (await this.exists()) throw new Error(t('A journal already exists on this device'))
    const raw = randomBytes(32)
    try {
      const header = await sealHeader(raw, passphrase)
      await this.store.write(['meta'], ({ meta }) => meta.add(header, 'vault'))
      await this.useKeys(raw, HEADER_VERSION)
    } finally { raw.fill(0) }
  }

  async unlock (passphrase) {
    const { raw, header } = await this.openVaultKey(passphrase)
    try { await this.useKeys(raw, header.v) } finally { raw.fill(0) }
  }

  async useKeys (raw, headerVersion) {
    const [key, chainKey] = await Promise.all([importKey(raw), deriveChainKey(raw)])
    Object.assign(this, { key, chainKey, headerVersion })
  }

  // The raw vault key, only for as long as a caller needs it; a wrong passphrase changes nothing.
  async openVaultKey (passphrase) {
    const header = await this.header()
    const kek = await deriveKey(passphrase, header.kdf.salt, header.kdf.iterations)
    try {
      return { raw: await open(kek, header.vaultKey, aad.vaultKey()), header }
    } catch (error) {
      if (error instanceof JournalCryptoError) throw new UnlockError(COULD_NOT_UNLOCK)
      throw error
    }
  }

  // With replaceKeys, a new vault key (and so a new chain key) re-wraps and re-seals everything, so a copy of
  // storage taken before, opened with the old passphrase, reads nothing written after. One transaction: a
  // crash or a closed page leaves either the old journal or the new one, never a mixture.
  async changePassphrase (current, next, { replaceKeys = true } = {}) {
    const { raw } = await this.openVaultKey(current)
    try {
      if (!replaceKeys) {
        const header = await sealHeader(raw, next, this.headerVersion)
        return await this.store.write(['meta'], ({ meta }) => meta.put(header, 'vault'))
      }
      const fresh = randomBytes(32)
      try {
        await rekey(this.store, raw, fresh, await sealHeader(fresh, next))
        if (this.unlocked) await this.useKeys(fresh, HEADER_VERSION)
      } finally { fresh.fill(0) }
    } finally { raw.fill(0) }
  }

  lock () {
    this.key = null
    this.chainKey = null
  }
}

async function sealHeader (rawVaultKey, passphrase, version = HEADER_VERSION) {
  const kdf = { name: KDF_NAME, iterations: KDF_FLOOR, salt: randomBytes(16) }
  const kek = await deriveKey(passphrase, kdf.salt, kdf.iterations)
  return { v: version, kdf, vaultKey: await seal(kek, rawVaultKey, aad.vaultKey()) }
}

// Everything sealed or keyed under the old vault key, done again under the new one, then written at once.
// What cannot be opened with the old key (damaged, or altered) is kept as it is, and a link whose MAC did not
// check out keeps its failing MAC: replacing keys must never make a problem disappear.
async function rekey (store, oldRaw, newRaw, header) {
  const [oldKey, oldChain, newKey, newChain] = await Promise.all(
    [importKey(oldRaw), deriveChainKey(oldRaw), importKey(newRaw), deriveChainKey(newRaw)])
  const rewrap = async (wrapped, label) => {
    let raw
    try { raw = await open(oldKey, wrapped, label) } catch { return wrapped }
    try { return await seal(newKey, raw, label) } finally { raw.fill(0) }
  }
  const reseal = async (sealed, label) => {
    try { return await sealJson(newKey, await openJson(oldKey, sealed, label), label) } catch { return sealed }
  }
  const [log, attachments, stateKeys, stateValues] = await Promise.all([
    store.getAll('log'), store.getAll('attachments'), store.getAllKeys('state'), store.getAll('state')])
  const items = await Promise.all(log.map(async (item) => ({
    ...item,
    key: await rewrap(item.key, aad.recordKey(item.entry, item.rev)),
    mac: item.mac && item.mac === await chainMac(oldChain, item.hash) ? await chainMac(newChain, item.hash) : item.mac
  })))
  const photos = await Promise.all(attachments.map(async (photo) => ({
    ...photo, key: await rewrap(photo.key, aad.attachmentKey(photo.id))
  })))
  const state = await Promise.all(stateKeys.map(async (name, i) => [name, await reseal(stateValues[i], stateLabel(name))]))
  await store.write(['meta', 'log', 'attachments', 'state'], (stores) => {
    // Another tab that wrote meanwhile would lose its revision: refuse instead (inside the transaction).
    const counted = stores.log.count()
    counted.onsuccess = () => {
      if (counted.result !== log.length) return counted.transaction.abort()
      stores.meta.put(header, 'vault')
      items.forEach((item) => stores.log.put(item))
      photos.forEach((photo) => stores.attachments.put(photo))
      state.forEach(([name, value]) => stores.state.put(value, name))
    }
  }).catch((error) => {
    throw new ChangedElsewhereError(t('The journal changed in another window, so nothing was changed (%(reason)s). Try again.', { reason: error?.message || error }))
  })
}

// The sealed things kept in the 'state' store: the index, the draft, and summaries kept as evidence.
export const stateLabel = (name) => (name === 'draft' ? aad.draft() : name.startsWith('backup') ? `opendoor/1/${name}` : aad.index())
