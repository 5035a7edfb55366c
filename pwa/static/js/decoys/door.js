// The secret way from a decoy into the real app. The PIN is a shoulder-surf gate, not encryption:
// only a salted PBKDF2 hash is kept (localStorage), but a short PIN can be guessed by anyone who
// copies the phone's storage. The journal has its own passphrase and real encryption.
import { readJson, removeItem, writeItem } from '../storage.js'

const PIN_KEY = 'door-pin'
const STATE_KEY = 'door' // sessionStorage, read by hide-guard.js: 'open' or 'shut'
const TRIES_KEY = 'door-tries' // { n: wrong PINs in a row, at: when the last one was typed }
const ITERATIONS = 100000 // quick on a cheap phone; the gate's strength is the PIN, not the hash
const FREE_TRIES = 5
const LONGEST_WAIT_MS = 5 * 60 * 1000
export const PIN_PATTERN = /^\d{4,8}$/

const bytesToHex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('')
const hexToBytes = (hex) => Uint8Array.from(hex.match(/../g) || [], (pair) => parseInt(pair, 16))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function derive (pin, salt, iterations) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits'])
  return bytesToHex(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256))
}

function storedPin () {
  const stored = readJson(PIN_KEY)
  return stored && typeof stored.hash === 'string' ? stored : null
}

export function hasPin () {
  return storedPin() !== null
}

export async function setPin (pin) {
  if (!PIN_PATTERN.test(pin)) throw new RangeError('A PIN is 4 to 8 digits')
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const hash = await derive(pin, salt, ITERATIONS)
  if (!writeItem(PIN_KEY, JSON.stringify({ v: 1, salt: bytesToHex(salt), iterations: ITERATIONS, hash }))) {
    throw new Error('This browser would not save the PIN (its storage is off or full)')
  }
  forgetTries()
}

// The look chosen on the appearance page (a decoy page itself always wears its own).
const disguised = () => document.documentElement.dataset.look !== 'plain'

// Wrong PINs: after a few, each try waits longer before it is checked. Nothing says so: the decoy just works.
let tries = readJson(TRIES_KEY) || { n: 0, at: 0 } // kept in memory too, for when storage is off
let checking = Promise.resolve()

function forgetTries () {
  tries = { n: 0, at: 0 }
  removeItem(TRIES_KEY)
}

function noteWrongPin () {
  tries = { n: tries.n + 1, at: Date.now() }
  writeItem(TRIES_KEY, JSON.stringify(tries))
}

export function waitBeforeChecking (wrong = tries.n) {
  return wrong < FREE_TRIES ? 0 : Math.min(1000 * 2 ** (wrong - FREE_TRIES), LONGEST_WAIT_MS)
}

async function checkPin (code, stored) {
  await sleep(Math.max(0, tries.at + waitBeforeChecking() - Date.now()))
  const right = (await derive(code, hexToBytes(stored.salt), stored.iterations)) === stored.hash
  if (right) forgetTries()
  else noteWrongPin()
  return right
}

// Whether a code typed into a decoy is the way in. With no PIN saved, the plain look's way in is the same
// gesture with nothing typed; a disguise never opens without its PIN.
export function opens (code) {
  const stored = storedPin()
  if (stored === null) return Promise.resolve(!disguised() && code === '')
  if (!PIN_PATTERN.test(code)) return Promise.resolve(false)
  const result = checking.then(() => checkPin(code, stored)) // one at a time, so waits cannot be skipped
  checking = result.catch(() => false)
  return result
}

function setState (value) {
  writeItem(STATE_KEY, value, 'sessionStorage')
}

export const markOpen = () => setState('open')
export const markShut = () => setState('shut')

export function enter (to = '/') {
  markOpen()
  location.replace(to)
}

// The PIN's hash can vanish (the browser cleared the site's storage) while the disguise, kept in a cookie,
// stays: then the code cannot be checked, and the person needs to know why and where to set a new one.
function sayNoPin () {
  const decoy = document.querySelector('.decoy')
  if (!decoy || decoy.querySelector('[data-no-pin]')) return
  const notice = document.createElement('p')
  notice.className = 'decoy-notice'
  notice.setAttribute('role', 'status')
  notice.dataset.noPin = ''
  const link = document.createElement('a')
  link.href = '/appearance'
  link.textContent = 'Set a PIN'
  notice.append('No PIN is saved in this browser, so that code cannot be checked. ', link)
  decoy.prepend(notice)
}

// Checks a code typed into a decoy; if it is the way in, opens the real app and returns true.
export async function tryDoor (code) {
  if (disguised() && !hasPin() && PIN_PATTERN.test(code)) {
    sayNoPin()
    return false
  }
  if (!(await opens(code))) return false
  enter()
  return true
}
