// The vault's life: set up with a passphrase, unlock, lock, change passphrase (and replace the keys).
// passphrase -> PBKDF2-SHA256 -> key-encryption key (never extractable) -> unwraps the random vault key, which
// seals the index, drafts and every per-record and per-photo content key; the chain key (HKDF of the vault
// key) keys the log's links. See docs/journal-keys.md.
import { t } from '../i18n.js'
import {
  KDF_FLOOR, KDF_NAME, JournalCryptoError, aad, chainMac, checkKdf, deriveChainKey, deriveKey, importKey, open,
  openJson, randomBytes, seal, sealJson
} from './crypto.js'
import { PAIR, Slots, headerNobodyOpens, openPair, pairLabel, sealPair } from './slots.js'

export class UnlockError extends Error {}
export class ChangedElsewhereError extends Error {}

// The only message a wrong passphrase ever gets: it says nothing about why.
export const COULD_NOT_UNLOCK = 'Could not unlock'
// 1: before the log's links were keyed (upgraded when next unlocked); 2: keyed.
export const HEADER_VERSION = 2
const READABLE_VERSIONS = [1, 2]

export class Vault {
  // `stores`: the two slots (slots.js), or one store (tests, and the backup's restore).
  constructor (stores) {
    this.slots = stores instanceof Slots ? stores.stores : [stores]
    this.store = this.slots[0] // until unlocked: then the slot the passphrase opened
    this.key = null
    this.chainKey = null
    this.headerVersion = null
    this.other = null // the other slot as a Vault, when this journal holds its key
    this.second = false // whether the other slot has a passphrase of its own
    this.madeOther = false // the other slot was made at this unlock or set-up (its log still empty)
  }

  get unlocked () { return this.key !== null }

  async exists () {
    const headers = await Promise.all(this.slots.map((store) => store.get('meta', 'vault')))
    return headers.some(Boolean)
  }

  async header (store = this.store) {
    const header = await store.get('meta', 'vault')
    if (!header) throw new UnlockError(t('There is no journal on this device yet'))
    if (!READABLE_VERSIONS.includes(header.v)) throw new UnlockError(t('This journal was made by a newer version of the app. Reload to update.'))
    checkKdf(header.kdf)
    return header
  }

  async setup (passphrase) {
    if (await this.exists()) throw new Error(t('A journal already exists on this device'))
    const raw = randomBytes(32)
    this.store = this.slots[0]
    try {
      const header = await sealHeader(raw, passphrase)
      await this.store.write(['meta'], ({ meta }) => meta.add(header, 'vault'))
      await this.useKeys(raw, HEADER_VERSION)
      await this.findOther()
    } finally { raw.fill(0) }
  }

  // Every slot's key is derived, whatever the passphrase, so how long it takes says nothing about which opened.
  async unlock (passphrase) {
    const { raw, header, store } = await this.openVaultKey(passphrase, this.slots)
    try {
      this.store = store
      await this.useKeys(raw, header.v)
      await this.findOther()
    } finally { raw.fill(0) }
  }

  // The other slot: opened with the key this journal keeps in its pair, or made now (a journal from before
  // there were two slots, or a set-up cut short). A decoy's pair opens nothing, so it writes nothing there.
  async findOther () {
    this.other = null
    this.second = false
    this.madeOther = false
    const otherStore = this.slots.find((store) => store !== this.store)
    if (!otherStore) return
    const [pair, otherHeader] = await Promise.all([openPair(this.key, this.store), otherStore.get('meta', 'vault')])
    if (!otherHeader) return this.makeOther(otherStore)
    if (!pair) {
      // No pair (cut short between the two writes): one of the same size, holding nothing.
      const sealed = await sealPair(this.key)
      return this.store.write(['state'], ({ state }) => state.put(sealed, PAIR))
    }
    const other = new Vault(otherStore)
    try {
      await other.useKeys(pair.other, HEADER_VERSION)
      if (await openPair(other.key, otherStore)) Object.assign(this, { other, second: pair.second })
    } finally { pair.other.fill(0) }
  }

  // This slot's pair first, then the other slot: cut short between them, the next unlock makes it again.
  async makeOther (otherStore) {
    const raw = randomBytes(32)
    try {
      const other = new Vault(otherStore)
      await other.useKeys(raw, HEADER_VERSION)
      const [mine, theirs, header] = await Promise.all([sealPair(this.key, raw), sealPair(other.key), headerNobodyOpens(raw, HEADER_VERSION)])
      await this.store.write(['state'], ({ state }) => state.put(mine, PAIR))
      await otherStore.write(['meta', 'state'], ({ meta, state }) => {
        meta.put(header, 'vault')
        state.put(theirs, PAIR)
      })
      this.other = other
      this.madeOther = true
    } finally { raw.fill(0) }
  }

  // The second passphrase opens the other slot from now on (null: nobody can open it again). Nothing in either
  // journal is removed: its entries stay sealed in their slot.
  async setSecond (passphrase) {
    if (!this.other) throw new Error(t('A second passphrase cannot be set on this phone.'))
    if (passphrase && await this.opens(passphrase, this.store)) throw new Error(t('The second passphrase must be different from your passphrase.'))
    const pair = await openPair(this.key, this.store)
    if (!pair) throw new Error(t('A second passphrase cannot be set on this phone.'))
    try {
      const header = passphrase ? await sealHeader(pair.other, passphrase) : await headerNobodyOpens(pair.other, HEADER_VERSION)
      const sealed = await sealPair(this.key, pair.other, Boolean(passphrase))
      await this.other.store.write(['meta'], ({ meta }) => meta.put(header, 'vault'))
      await this.store.write(['state'], ({ state }) => state.put(sealed, PAIR))
      this.second = Boolean(passphrase)
    } finally { pair.other.fill(0) }
  }

  async useKeys (raw, headerVersion) {
    const [key, chainKey] = await Promise.all([importKey(raw), deriveChainKey(raw)])
    Object.assign(this, { key, chainKey, headerVersion })
  }

  // The raw vault key, only for as long as a caller needs it; a wrong passphrase changes nothing. Each slot's key
  // is derived (at once) before any is tried.
  async openVaultKey (passphrase, stores = [this.store]) {
    const found = (await Promise.all(stores.map((store) => store.get('meta', 'vault')))).map((header, i) => [header, stores[i]]).filter(([header]) => header)
    if (!found.length) await this.header()
    const headers = await Promise.all(found.map(([, store]) => this.header(store)))
    const keks = await Promise.all(headers.map((header) => deriveKey(passphrase, header.kdf.salt, header.kdf.iterations)))
    for (const [i, kek] of keks.entries()) {
      try {
        return { raw: await open(kek, headers[i].vaultKey, aad.vaultKey()), header: headers[i], store: found[i][1] }
      } catch (error) {
        if (!(error instanceof JournalCryptoError)) throw error
      }
    }
    throw new UnlockError(COULD_NOT_UNLOCK)
  }

  // With replaceKeys, a new vault key (and so a new chain key) re-wraps and re-seals everything, so a copy of
  // storage taken before, opened with the old passphrase, reads nothing written after. One transaction: a
  // crash or a closed page leaves either the old journal or the new one, never a mixture.
  async changePassphrase (current, next, { replaceKeys = true } = {}) {
    const { raw } = await this.openVaultKey(current)
    if (this.other && this.second && await this.opens(next, this.other.store)) {
      raw.fill(0)
      throw new Error(t('The new passphrase must be different from your second passphrase. Nothing was changed.'))
    }
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

  async opens (passphrase, store) {
    try {
      const { raw } = await this.openVaultKey(passphrase, [store])
      raw.fill(0)
      return true
    } catch (error) {
      if (error instanceof UnlockError) return false
      throw error
    }
  }

  lock () {
    this.key = null
    this.chainKey = null
    this.other?.lock()
    this.other = null
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
export const stateLabel = (name) => (name === 'draft' ? aad.draft() : name === PAIR ? pairLabel() : name.startsWith('backup') ? `opendoor/1/${name}` : aad.index())
