// Every journal has two slots from set-up: two IndexedDB databases of the same shape, each with a vault header,
// a sealed 'pair' value, a sealed index and a log. One holds the person's journal. The other holds either
// nothing anyone can open (its header is sealed to a random key nobody keeps) or, once a second passphrase is
// set, the decoy journal that passphrase opens. The journal holds the other slot's vault key in its 'pair', so
// it can write chaff there; the decoy's 'pair' holds random bytes of the same size. See docs/duress.md.
import { KDF_FLOOR, KDF_NAME, aad, fromBase64, importKey, openJson, randomBytes, seal, sealJson, toBase64 } from './crypto.js'
import { openStore } from './store.js'

// The first is the journal's database since before there were two slots, so a journal upgraded from then is
// always in the first (docs/duress.md says so).
export const SLOT_NAMES = ['od-data', 'od-data-b']
export const PAIR = 'pair'
export const pairLabel = () => 'opendoor/1/pair'

export class Slots {
  constructor (stores) { this.stores = stores }
}

export async function openSlots () {
  return new Slots(await Promise.all(SLOT_NAMES.map((name) => openStore(name))))
}

// A header of exactly the shape a passphrase's header has, sealed to a random key that is thrown away.
export async function headerNobodyOpens (rawVaultKey, version) {
  const kdf = { name: KDF_NAME, iterations: KDF_FLOOR, salt: randomBytes(16) }
  const key = await importKey(randomBytes(32))
  return { v: version, kdf, vaultKey: await seal(key, rawVaultKey, aad.vaultKey()) }
}

// The same size whatever it holds: the other slot's vault key, or random bytes; `second` says (sealed) whether
// the other slot has a passphrase of its own.
export const sealPair = (key, otherRaw = null, second = false) =>
  sealJson(key, { other: toBase64(otherRaw || randomBytes(32)), second: second ? 1 : 0 }, pairLabel())

export async function openPair (key, store) {
  const sealed = await store.get('state', PAIR)
  if (!sealed) return null
  try {
    const pair = await openJson(key, sealed, pairLabel())
    return { other: fromBase64(pair.other), second: pair.second === 1 }
  } catch { return null }
}

// Chaff: records of the same shape as entries, sealed like them, that only a key holder can tell apart.
// Sealed records are padded to whole blocks, so a chaff record's size is drawn from the same blocks.
export const PAD_BLOCK = 256
export const padTo = (length) => Math.ceil((length + 1) / PAD_BLOCK) * PAD_BLOCK
export function randomBelow (n) { return randomBytes(1)[0] % n }
export function chaffLength () {
  // Most entries fill 1 to 4 blocks, a few more: the same spread for chaff.
  return PAD_BLOCK * (1 + randomBelow(4) + (randomBelow(4) === 0 ? randomBelow(6) : 0))
}
