// Read aloud: the browser's speech synthesis reads a guide or the contacts page, one block at a time, with
// pause and stop. Only voices that run on the phone are used (`localService`): a network voice would send
// the page's words to the browser maker's servers, and it would not work offline anyway. Quick-hide and
// leaving the page stop it at once (stopReading). The control's words come from the page (its data
// attributes), which the server rendered in the person's language.
const BLOCKS = 'h1, h2, h3, h4, p, li, dt, dd'
const VOICES_WAIT_MS = 1500 // voices can arrive a moment after the page loads (voiceschanged)

const speech = () => ('speechSynthesis' in window ? window.speechSynthesis : null)

export function stopReading () {
  try {
    speech()?.cancel()
  } catch {} // nothing here may stop a hide
}

function visible (element) {
  return !element.closest('[hidden]') && element.getClientRects().length > 0
}

// A block's words, with phone numbers as single digits so "0808 2000 247" is not read "two thousand".
function spokenText (block) {
  const copy = block.cloneNode(true)
  for (const link of copy.querySelectorAll('a[href^="tel:"], a[href^="sms:"]')) {
    link.textContent = link.textContent.replace(/\d[\d ]*\d|\d/g, (digits) => digits.replace(/ /g, ', ').split('').join(' '))
  }
  return copy.textContent.replace(/\s+/g, ' ').trim()
}

// What is read, in order: each block with its words. A list item holding paragraphs is read through them, not
// twice; forms and this control are not content.
function readableBlocks (target) {
  return [...target.querySelectorAll(BLOCKS)]
    .filter((block) => visible(block) && !block.querySelector(BLOCKS) && !block.closest('form, [data-module="read-aloud"]'))
    .map((block) => ({ block, text: spokenText(block) }))
    .filter(({ text }) => text)
}

// The phone's own voice for this language: the exact tag first, else any of the same language.
function chooseVoice (voices, lang) {
  const local = voices.filter((voice) => voice.localService)
  const primary = lang.toLowerCase().split('-')[0]
  const tagOf = (voice) => voice.lang.toLowerCase().replace('_', '-')
  return local.find((voice) => tagOf(voice) === lang.toLowerCase()) ||
    local.find((voice) => tagOf(voice).split('-')[0] === primary) || null
}

function voicesSoon (synth) {
  const now = synth.getVoices()
  if (now.length > 0) return Promise.resolve(now)
  return new Promise((resolve) => {
    const done = () => { synth.removeEventListener?.('voiceschanged', done); resolve(synth.getVoices()) }
    synth.addEventListener?.('voiceschanged', done)
    setTimeout(done, VOICES_WAIT_MS)
  })
}

function initOne (control) {
  const target = document.querySelector(control.dataset.readAloudTarget)
  if (!target) return
  const buttons = {
    start: control.querySelector('[data-read-aloud="start"]'),
    pause: control.querySelector('[data-read-aloud="pause"]'),
    resume: control.querySelector('[data-read-aloud="resume"]'),
    stop: control.querySelector('[data-read-aloud="stop"]')
  }
  const status = control.querySelector('[data-read-aloud-status]')
  const lang = target.closest('[lang]')?.lang || document.documentElement.lang || 'en-GB'
  let reading = null // the block being read, marked for people following along

  function show (state) {
    buttons.start.hidden = state !== 'idle'
    buttons.pause.hidden = state !== 'reading'
    buttons.resume.hidden = state !== 'paused'
    buttons.stop.hidden = state === 'idle'
  }

  function mark (block) {
    reading?.classList.remove('is-being-read')
    reading = block
    block?.classList.add('is-being-read')
  }

  function finish () {
    mark(null)
    show('idle')
  }

  async function start () {
    const synth = speech()
    if (!synth || typeof SpeechSynthesisUtterance === 'undefined') {
      status.textContent = control.dataset.noSpeech
      return
    }
    const voice = chooseVoice(await voicesSoon(synth), lang)
    if (!voice) {
      status.textContent = control.dataset.noVoice
      return
    }
    status.textContent = ''
    synth.cancel() // one reading at a time, whatever another page left behind
    const blocks = readableBlocks(target)
    blocks.forEach(({ block, text }, index) => {
      const utterance = new SpeechSynthesisUtterance(text)
      utterance.lang = lang
      utterance.voice = voice
      utterance.onstart = () => mark(block)
      if (index === blocks.length - 1) utterance.onend = finish
      utterance.onerror = finish // "interrupted" or "canceled" after Stop, or a voice that failed
      synth.speak(utterance)
    })
    show('reading')
  }

  buttons.start.addEventListener('click', start)
  buttons.pause.addEventListener('click', () => { speech()?.pause(); show('paused') })
  buttons.resume.addEventListener('click', () => { speech()?.resume(); show('reading') })
  buttons.stop.addEventListener('click', () => { stopReading(); finish() })
  control.hidden = false
  show('idle')
}

export function initReadAloud (scope) {
  const controls = scope.querySelectorAll('[data-module="read-aloud"]')
  if (controls.length === 0) return
  controls.forEach(initOne)
  // Speech outlives the page in some browsers: leaving stops it.
  window.addEventListener('pagehide', stopReading)
}
