// The vault's life: set up with a passphrase, unlock, lock, change passphrase.
// passphrase -> PBKDF2-SHA256 -> key-encryption key (never extractable) -> unwraps the random vault key, which
// seals the index, drafts and every per-record and per-photo content key. Changing the passphrase re-seals
// only the vault key; entries are untouched.
import { KDF_NAME, KDF_FLOOR, VERSION, JournalCryptoError, aad, checkKdf, deriveKey, importKey, open, randomBytes, seal } from './crypto.js'

export class UnlockError extends Error {}

// The only message a wrong passphrase ever gets: it says nothing about why.
export const COULD_NOT_UNLOCK = 'Could not unlock'

export class Vault {
  constructor (store) {
    this.store = store
    this.key = null
  }

  get unlocked () { return this.key !== null }

  async exists () { return Boolean(await this.store.get('meta', 'vault')) }

  async header () {
    const header = await this.store.get('meta', 'vault')
    if (!header) throw new UnlockError('There is no journal on this device yet')
    if (header.v !== VERSION) throw new UnlockError('This journal was made by a newer version of the app. Reload to update.')
    checkKdf(header.kdf)
    return header
  }

  async setup (passphrase) {
    if (await this.exists()) throw new Error('A journal already exists on this device')
    const raw = randomBytes(32)
    const header = await sealHeader(raw, passphrase)
    this.key = await importKey(raw)
    raw.fill(0)
    await this.store.write(['meta'], ({ meta }) => meta.add(header, 'vault'))
  }

  async unlock (passphrase) {
    const raw = await this.openVaultKey(passphrase)
    try { this.key = await importKey(raw) } finally { raw.fill(0) }
  }

  // The raw vault key, only for as long as a caller needs it; a wrong passphrase changes nothing.
  async openVaultKey (passphrase) {
    const header = await this.header()
    const kek = await deriveKey(passphrase, header.kdf.salt, header.kdf.iterations)
    try {
      return await open(kek, header.vaultKey, aad.vaultKey())
    } catch (error) {
      if (error instanceof JournalCryptoError) throw new UnlockError(COULD_NOT_UNLOCK)
      throw error
    }
  }

  async changePassphrase (current, next) {
    const raw = await this.openVaultKey(current)
    try {
      const header = await sealHeader(raw, next)
      await this.store.write(['meta'], ({ meta }) => meta.put(header, 'vault'))
    } finally { raw.fill(0) }
  }

  lock () { this.key = null }
}

async function sealHeader (rawVaultKey, passphrase) {
  const kdf = { name: KDF_NAME, iterations: KDF_FLOOR, salt: randomBytes(16) }
  const kek = await deriveKey(passphrase, kdf.salt, kdf.iterations)
  return { v: VERSION, kdf, vaultKey: await seal(kek, rawVaultKey, aad.vaultKey()) }
}
