// The secret way from a decoy into the real app. The PIN is a shoulder-surf gate, not encryption:
// only a salted PBKDF2 hash is kept (localStorage), but a short PIN can be guessed by anyone who
// copies the phone's storage. The journal has its own passphrase and real encryption.
const PIN_KEY = 'door-pin'
const STATE_KEY = 'door' // sessionStorage, read by hide-guard.js: 'open' or 'shut'
const ITERATIONS = 100000 // quick on a cheap phone; the gate's strength is the PIN, not the hash
export const PIN_PATTERN = /^\d{4,8}$/

const bytesToHex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('')
const hexToBytes = (hex) => Uint8Array.from(hex.match(/../g) || [], (pair) => parseInt(pair, 16))

async function derive (pin, salt, iterations) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits'])
  return bytesToHex(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256))
}

function storedPin () {
  try {
    const stored = JSON.parse(localStorage.getItem(PIN_KEY))
    return stored && typeof stored.hash === 'string' ? stored : null
  } catch {
    return null
  }
}

export function hasPin () {
  return storedPin() !== null
}

export async function setPin (pin) {
  if (!PIN_PATTERN.test(pin)) throw new RangeError('A PIN is 4 to 8 digits')
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const hash = await derive(pin, salt, ITERATIONS)
  localStorage.setItem(PIN_KEY, JSON.stringify({ v: 1, salt: bytesToHex(salt), iterations: ITERATIONS, hash }))
}

// Without a PIN the way in is the same gesture with nothing typed (the appearance page says so).
export async function opens (code) {
  const stored = storedPin()
  if (stored === null) return code === ''
  if (!PIN_PATTERN.test(code)) return false
  return (await derive(code, hexToBytes(stored.salt), stored.iterations)) === stored.hash
}

function setState (value) {
  try { sessionStorage.setItem(STATE_KEY, value) } catch {}
}

export const markOpen = () => setState('open')
export const markShut = () => setState('shut')

export function enter (to = '/') {
  markOpen()
  location.replace(to)
}

// Checks a code typed into a decoy; if it is the way in, opens the real app and returns true.
export async function tryDoor (code) {
  if (!(await opens(code))) return false
  enter()
  return true
}
