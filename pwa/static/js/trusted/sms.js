// Phone numbers and sms: links for the trusted contacts' ready messages. No network: the link hands the message to
// the phone's own messaging app, which sends it as an ordinary text (signal only, no data).
//
// The sms: syntax, as found (checked 2026-11-30):
// - RFC 5724 (the sms: URI): `sms:<number>[,<number>...]?body=<text>`: recipients separated by commas, the text as
//   a `body` query parameter. Android's messaging apps read this (answers on stackoverflow.com/questions/6480462,
//   "How to pre-populate the sms body text via an html link").
// - iPhone: Apple's own page (developer.apple.com, "SMS Links", last updated 2012) allows only `sms:<number>`, but
//   since iOS 8 Messages reads a body after `&body=` (same Stack Overflow thread; blog.julianklotz.de "The SMS URI
//   scheme"). `?&body=` satisfies both readings (an empty first parameter, then `body`): the form UAMS gives for
//   one recipient on Android and iOS (communications.uams.edu/web/kb/creating-an-sms-link).
// - Several recipients on iPhone: `sms://open?addresses=<n1>,<n2>&body=<text>` (no-op.co, 2025, "URL scheme for
//   sending SMS or iMessage to multiple recipients on iOS"); on Android, the RFC's commas.
// Not every messaging app on Android honours the body (manufacturers replace the app): the page says to check the
// message before sending. The text is percent-encoded (encodeURIComponent), so `&`, `?` and `#` cannot break it.

const MAX_DIGITS = 15 // E.164: a full international number has at most 15 digits
const MIN_INTERNATIONAL_DIGITS = 8

// The number as typed, checked leniently: spaces, dashes, dots and brackets are allowed, and a UK "(0)" after +44.
// Returns { number } (digits with + for international) or { error } naming what is wrong (a key the page words).
// Digits as a phone's keyboard may type them in the app's languages (Arabic-Indic, Urdu's Extended Arabic-Indic,
// Devanagari, Gurmukhi, full-width): each script's digits are ten code points from its zero.
const ZEROS = [0x0660, 0x06F0, 0x0966, 0x0A66, 0xFF10]
export function westernDigits (text) {
  return text.replace(/[\u0660-\u0669\u06F0-\u06F9\u0966-\u096F\u0A66-\u0A6F\uFF10-\uFF19]/g, (digit) => {
    const code = digit.charCodeAt(0)
    return String(code - ZEROS.find((zero) => code >= zero && code <= zero + 9))
  })
}

export function checkNumber (typed) {
  const text = westernDigits(String(typed || '').trim())
  if (!text) return { error: 'missing' }
  if (!/^\+?[\d\s\-().]+$/.test(text) || /\d\s*\+/.test(text)) return { error: 'characters' }
  let digits = text.replace(/\(0\)/, '').replace(/\D/g, '')
  if (text.startsWith('+') || digits.startsWith('00')) {
    if (digits.startsWith('00')) digits = digits.slice(2)
    if (digits.startsWith('440')) digits = `44${digits.slice(3)}` // +44 07700...: the 0 is dropped after +44
    if (digits.length < MIN_INTERNATIONAL_DIGITS) return { error: 'short', count: digits.length }
    if (digits.length > MAX_DIGITS) return { error: 'long', count: digits.length }
    if (digits.startsWith('44') && digits.length !== 12 && digits.length !== 11) return { error: 'uk-length', count: digits.length - 1 } // as if written with 0
    return { number: `+${digits}` }
  }
  if (!digits.startsWith('0')) return { error: 'no-prefix' }
  // A UK number: 0 and 9 or 10 digits (most are 11 in all; a few areas use 10).
  if (digits.length !== 10 && digits.length !== 11) return { error: 'uk-length', count: digits.length }
  return { number: digits }
}

export function isApple (nav = navigator) {
  // iPadOS says it is a Mac: a Mac with a touch screen is an iPad.
  return /iPhone|iPad|iPod/.test(nav.userAgent) || (nav.platform === 'MacIntel' && nav.maxTouchPoints > 1)
}

// The link that opens the messaging app with `body` written to `numbers` (already checked: checkNumber().number).
export function smsLink (numbers, body, { apple = isApple() } = {}) {
  const text = encodeURIComponent(body)
  if (numbers.length > 1 && apple) return `sms://open?addresses=${numbers.join(',')}&body=${text}`
  return `sms:${numbers.join(',')}?&body=${text}`
}

// Where the phone is, as plain coordinates anyone can type into any map: no map service's address, so nothing is
// fetched from one (messaging apps fetch a preview of a link as it is sent) and the contact chooses their own map.
export function coordinates (position) {
  const { latitude, longitude, accuracy } = position.coords
  return {
    text: `${latitude.toFixed(5)}, ${longitude.toFixed(5)}`,
    metres: Math.max(1, Math.round(accuracy || 0))
  }
}
