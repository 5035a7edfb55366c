// Passphrase strength: a rough guess at how many tries a guesser would need, in plain words.
// It cannot know what someone close to you could guess, so the advice says so.
const COMMON = ['password', 'passw0rd', 'qwerty', 'letmein', 'iloveyou', 'welcome', 'monkey', 'dragon', 'football',
  'baseball', 'sunshine', 'princess', 'abc123', '123456', '654321', '111111', 'admin', 'secret', 'love', 'baby']
const SEQUENCES = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm']
export const MIN_LENGTH = 10
export const MIN_SCORE = 2

const LABELS = [
  'Very weak: easy to guess',
  'Weak: add more words',
  'Fair: fine if nobody close to you could guess it',
  'Good',
  'Strong'
]

export function rateStrength (passphrase) {
  if (!passphrase) return { score: 0, label: '' }
  let pool = 0
  if (/[a-z]/.test(passphrase)) pool += 26
  if (/[A-Z]/.test(passphrase)) pool += 26
  if (/[0-9]/.test(passphrase)) pool += 10
  if (/[^a-zA-Z0-9]/.test(passphrase)) pool += 33
  let bits = passphrase.length * Math.log2(pool || 1)
  const lower = passphrase.toLowerCase()
  if (/(.)\1\1/.test(lower)) bits *= 0.7
  if (SEQUENCES.some((run) => [...Array(run.length - 3).keys()].some((i) => lower.includes(run.slice(i, i + 4))))) bits *= 0.7
  if (COMMON.some((word) => lower.includes(word))) bits = Math.min(bits, 20 + (passphrase.length - 8) * 2)
  const words = lower.split(/[\s\-_.,]+/).filter((word) => word.length >= 3)
  if (words.length >= 3) bits = Math.max(bits, words.length * 12)
  const score = passphrase.length < MIN_LENGTH ? Math.min(1, bits < 28 ? 0 : 1)
    : bits < 28 ? 0 : bits < 40 ? 1 : bits < 55 ? 2 : bits < 70 ? 3 : 4
  return { score, label: passphrase.length < MIN_LENGTH ? `Too short: use at least ${MIN_LENGTH} characters` : LABELS[score] }
}

// Keeps a <meter> and its words next to a passphrase field up to date.
export function initStrength (scope) {
  scope.querySelectorAll('[data-strength-for]').forEach((box) => {
    const input = scope.querySelector(`#${box.dataset.strengthFor}`)
    const meter = box.querySelector('meter')
    const text = box.querySelector('.journal-strength__text')
    const update = () => {
      const { score, label } = rateStrength(input.value)
      meter.value = input.value ? score + 1 : 0
      text.textContent = label
    }
    input.addEventListener('input', update)
    input.form.addEventListener('reset', () => setTimeout(update))
  })
}
