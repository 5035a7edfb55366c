// Passphrase strength, in plain words, for the journal's set-up and change-passphrase forms.
//
// The estimate is zxcvbn's (vendored in static/vendor/zxcvbn-ts/, see its README): dictionaries of common
// passwords, words, names and places, dates, keyboard patterns, repeats. It starts loading when a new
// passphrase field is first used, and is there long before the passphrase has been typed twice. Until it has
// loaded, or if it cannot load (offline before it was ever fetched), a small built-in estimate stands in: cruder,
// but it refuses the same obvious shapes, and set-up never waits for anything.
//
// On top of zxcvbn, names, dates and places count for nothing: someone close to you knows your family's and
// pets' names, birthdays and home town, so what is left once they are taken out must be strong by itself.
//
// Threshold: zxcvbn score 3 (at least 10^8 guesses) is required. The passphrase guards an offline journal
// against someone who copies the phone's storage and guesses at PBKDF2-SHA256 600,000-iteration speed: about
// 15,000 guesses a second on one high-end graphics card, far fewer on a laptop. Score 3 is zxcvbn's "moderate
// protection from an offline slow-hash attack": hours of one such card at the very least, and typical passing
// passphrases (three or four unrelated words) estimate at 10^12 guesses and more, years. Asking for score 4
// would also refuse two-word passphrases and random 10-character strings (zxcvbn prices unknown strings at
// 10 guesses a character), and a passphrase too hard to remember loses the journal for good.
import { t } from '../i18n.js'
export const MIN_LENGTH = 10
export const MIN_SCORE = 3
const MAX_WARNINGS = 2

// Words are looked up when shown (i18n.js): functions, not strings.
const LABELS = [
  () => t('Very weak: easy to guess'),
  () => t('Weak: easy to guess'),
  () => t('Not strong enough yet'),
  () => t('Good'),
  () => t('Strong')
]
const WARNINGS = {
  name: () => t('Names are easy to guess for someone who knows you.'),
  place: () => t('Places you know, like your town or team, are easy to guess.'),
  date: () => t('Dates and years, like birthdays, are easy to guess.'),
  personal: () => t('Names, birthdays, pets and places someone close to you knows are easy to guess.'),
  common: () => t('Common passwords are tried first.'),
  keyboard: () => t('Keyboard patterns like qwerty are easy to guess.'),
  sequence: () => t('Runs like abc or 1234 are easy to guess.'),
  repeat: () => t('Repeated letters or words are easy to guess.')
}
const PERSONAL = new Set(['name', 'place', 'date', 'personal'])
const ADVICE = () => t('Add a word or two.')
const APP_WORDS = ['open door', 'opendoor', 'journal', 'passphrase']

// Keyboard rows and alphabetical runs (and their reverses), for both estimators.
const KEYBOARD = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'qazwsxedcrfvtgbyhnujmikolp', '1qaz2wsx3edc4rfv']
const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', '01234567890']
const reverse = (text) => [...text].reverse().join('')
const within = (rows, text) => text.length >= 3 && rows.some((row) => row.includes(text) || reverse(row).includes(text))

// A year (1900-2039) or a day, month and year written as digits (150385, 15031985, 19850315).
function looksLikeDate (digits) {
  if (/^(19|20)\d\d$/.test(digits)) return /^(19|20[0-3])/.test(digits)
  const day = (d) => d >= 1 && d <= 31
  const month = (m) => m >= 1 && m <= 12
  const n = (from, to) => Number(digits.slice(from, to))
  if (digits.length === 6) return (day(n(0, 2)) && month(n(2, 4))) || (month(n(0, 2)) && day(n(2, 4)))
  if (digits.length === 8) {
    const dayMonth = (day(n(0, 2)) && month(n(2, 4))) || (month(n(0, 2)) && day(n(2, 4)))
    return (dayMonth && /^(19|20)/.test(digits.slice(4))) || (/^(19|20)/.test(digits) && month(n(4, 6)) && day(n(6, 8)))
  }
  return false
}

// zxcvbn, once loaded ---------------------------------------------------------------------------------

let estimator = null
let loading = null

// Starts loading zxcvbn (once; again after a failure). Resolves to the estimator, or null if it cannot load.
export function loadEstimator () {
  if (estimator) return Promise.resolve(estimator)
  if (!loading) {
    loading = Promise.all([import('../../vendor/zxcvbn-ts/core.js'), import('../../vendor/zxcvbn-ts/dictionaries.js')])
      .then(([core, data]) => { estimator = zxcvbnEstimator(core, data); return estimator })
      .catch(() => { loading = null; return null })
  }
  return loading
}

function zxcvbnEstimator ({ ZxcvbnFactory }, { dictionary, adjacencyGraphs }) {
  const factory = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs })
  const check = (text) => factory.check(text, APP_WORDS)
  // A word in the US name lists that is also an everyday word (Hope, Grace, Green, Hill) is not treated as a
  // name; our UK lists are chosen by hand and always are.
  const everyday = new Set([...dictionary['diceware-common'], ...dictionary['commonWords-en'].slice(0, 5000)])
  const names = new Set([...dictionary['names-uk'],
    ...[...dictionary['firstnames-en'], ...dictionary['lastnames-en'].slice(0, 2000)].filter((word) => !everyday.has(word))])
  const places = new Set(dictionary['places-uk'])
  const personalWord = (word) => (places.has(word) ? 'place' : names.has(word) ? 'name' : null)

  function kindOf (match) {
    switch (match.pattern) {
      case 'spatial': return 'keyboard'
      case 'repeat': return 'repeat'
      case 'sequence': return 'sequence'
      case 'date': return 'date'
      case 'regex': return match.regexName === 'recentYear' ? 'date' : null
      case 'dictionary': {
        const word = match.matchedWord
        if (within(KEYBOARD, word)) return 'keyboard'
        if (within(SEQUENCES, word)) return 'sequence'
        // Short names (Amy, Leo) hide inside other words: only whole letter runs count for them (below).
        if (word.length >= 4 && personalWord(word)) return personalWord(word)
        return match.dictionaryName === 'passwords-common' ? 'common' : null
      }
      default: return null
    }
  }

  return function rate (passphrase) {
    const result = check(passphrase)
    const kinds = new Set()
    const personal = [] // [start, end) of names, places and dates
    const letter = (index) => /[a-z]/i.test(passphrase.charAt(index))
    // "heath" in "sheath", "tanner" in "tannery": a name stuck to letters zxcvbn could not place is part of a word.
    const embedded = (match, index) =>
      (letter(match.i - 1) && result.sequence[index - 1].pattern === 'bruteforce') ||
      (letter(match.j + 1) && result.sequence[index + 1].pattern === 'bruteforce')
    for (const [index, match] of result.sequence.entries()) {
      const kind = kindOf(match)
      if (!kind || ((kind === 'name' || kind === 'place') && embedded(match, index))) continue
      kinds.add(kind)
      if (PERSONAL.has(kind)) personal.push([match.i, match.j + 1])
    }
    // Whole words and numbers too: zxcvbn may have priced "Jones" in "Sarah Jones 1985" as something else.
    for (const found of passphrase.matchAll(/[a-z]+|[0-9]+/gi)) {
      const run = found[0].toLowerCase()
      const kind = /^[0-9]/.test(run) ? (looksLikeDate(run) ? 'date' : null) : personalWord(run)
      if (!kind) continue
      kinds.add(kind)
      personal.push([found.index, found.index + run.length])
    }
    let score = result.score
    if (personal.length) {
      const rest = passphrase.split('').filter((_, index) => !personal.some(([start, end]) => index >= start && index < end)).join('')
      score = Math.min(score, rest ? check(rest).score : 0)
    }
    return { score, kinds }
  }
}

// The built-in estimate ----------------------------------------------------------------------------------

const COMMON = ['password', 'passw0rd', 'qwerty', 'letmein', 'iloveyou', 'welcome', 'monkey', 'dragon', 'football',
  'baseball', 'sunshine', 'princess', 'abc123', 'admin', 'secret', 'master', 'shadow', 'superman', 'batman',
  'trustno1', 'hello', 'freedom', 'whatever', 'starwars', 'computer', 'changeme', 'babygirl', 'loveme', 'mylove',
  'mykids', 'family', 'forever', 'lovely', 'angel', 'flower', 'cheese', 'pokemon', 'love', 'baby']
  .sort((a, b) => b.length - a.length)

function letterBits (word, kinds) {
  if (word.length >= 3 && new Set(word).size === 1) {
    kinds.add('repeat')
    return Math.log2(26 * word.length)
  }
  if (within(KEYBOARD, word)) { kinds.add('keyboard'); return 4 }
  if (within(SEQUENCES, word)) { kinds.add('sequence'); return 4 }
  let bits = 0
  for (const common of COMMON) {
    if (!word.includes(common)) continue
    kinds.add('common')
    bits += 5
    word = word.replaceAll(common, ' ')
  }
  // What is left counts as words of about five letters from a vocabulary of a couple of thousand.
  for (const part of word.split(' ').filter(Boolean)) bits += Math.min(part.length * 4.7, 11 * Math.ceil(part.length / 5))
  return bits
}

function numberBits (digits, kinds) {
  if (looksLikeDate(digits)) { kinds.add('date'); return 0 } // someone close to you knows it
  if (digits.length >= 3 && new Set(digits).size === 1) { kinds.add('repeat'); return Math.log2(10 * digits.length) }
  if (within(SEQUENCES, digits)) { kinds.add('sequence'); return 3 }
  return digits.length * Math.log2(10)
}

function builtInRate (passphrase) {
  const kinds = new Set()
  const lower = passphrase.toLowerCase()
  const repeated = /^(.+?)\1+$/s.exec(lower)
  const unit = repeated ? repeated[1] : lower
  let bits = repeated ? Math.log2(lower.length / unit.length + 1) : 0
  if (repeated) kinds.add('repeat')
  let words = 0
  for (const [part] of unit.matchAll(/[a-z]+|[0-9]+|[^a-z0-9]+/g)) {
    if (/^[a-z]/.test(part)) {
      words += 1
      bits += letterBits(part, kinds)
    } else if (/^[0-9]/.test(part)) {
      bits += numberBits(part, kinds)
    } else {
      bits += [...part].reduce((sum, char) => sum + (/[\s\-_.,]/.test(char) ? 1 : 3), 0)
    }
  }
  if (/[A-Z]/.test(passphrase)) bits += /^[A-Z][^A-Z]*$/.test(passphrase) ? 1 : 2
  const log10 = bits * Math.log10(2)
  let score = log10 < 3 ? 0 : log10 < 6 ? 1 : log10 < 8 ? 2 : log10 < 10 ? 3 : 4
  // One or two words and a year or date is the shape of a name, a birthday or a place: refused.
  if (kinds.has('date') && words <= 2) {
    score = Math.min(score, MIN_SCORE - 1)
    if (!kinds.has('common')) kinds.add('personal')
  }
  return { score, kinds }
}

// Both ---------------------------------------------------------------------------------------------------

function describe (passphrase, rate, name) {
  if (!passphrase) return { score: 0, ok: false, label: '', warnings: [], kinds: [], advice: ADVICE(), estimator: name }
  const { score: estimated, kinds } = rate(passphrase)
  const long = passphrase.length >= MIN_LENGTH
  const score = long ? estimated : Math.min(estimated, 1)
  const ok = long && score >= MIN_SCORE
  // Names, dates and places are always worth knowing; the rest only matters when it makes the passphrase weak.
  const warnings = long ? Object.keys(WARNINGS).filter((kind) => kinds.has(kind) && (!ok || PERSONAL.has(kind)))
    .slice(0, MAX_WARNINGS).map((kind) => WARNINGS[kind]()) : []
  return {
    score,
    ok,
    label: long ? LABELS[score]() : t('Too short: use at least %(count)s characters', { count: MIN_LENGTH }),
    warnings,
    kinds: [...kinds],
    advice: warnings[0] || ADVICE(),
    estimator: name
  }
}

// With whatever is loaded now: zxcvbn once it is there, the built-in estimate until then. Synchronous on
// purpose: the set-up and change forms check and start deriving the key in one go, as before, so nothing
// (a second tap, a quick-hide) can come between the check and the work.
export function rateStrength (passphrase) {
  return estimator ? describe(passphrase, estimator, 'zxcvbn') : describe(passphrase, builtInRate, 'built-in')
}

// Keeps a <meter> and its words next to a passphrase field up to date. zxcvbn starts loading when the field is
// first used; until it is there, the built-in estimate answers, and the words are redone once it arrives.
export function initStrength (scope) {
  scope.querySelectorAll('[data-strength-for]').forEach((box) => {
    const input = scope.querySelector(`#${box.dataset.strengthFor}`)
    const meter = box.querySelector('meter')
    const text = box.querySelector('.journal-strength__text')
    const update = () => {
      const rating = rateStrength(input.value)
      meter.value = input.value ? rating.score + 1 : 0
      text.textContent = [rating.label, ...rating.warnings].join('\n')
      box.dataset.estimator = rating.estimator
    }
    let waiting = false
    let tried = false
    const load = () => {
      if (estimator || waiting) return
      waiting = tried = true
      loadEstimator().then((ready) => { waiting = false; if (ready) update() })
    }
    input.addEventListener('focus', load) // again on each focus after a failure (back online, say)
    input.addEventListener('input', () => { if (!tried) load(); update() }) // filled without a focus
    input.form.addEventListener('reset', () => setTimeout(update))
  })
}
