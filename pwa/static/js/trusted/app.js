// The trusted contacts page: up to three people and a code word, kept as one encrypted record in the journal
// (Journal.saveContacts), and ready messages as sms: links that open the phone's own messaging app. Nothing is sent
// by this page: the person presses send in their messaging app. The journal's Session locks the page (the Lock
// button, quick-hide, the idle lock, the page hidden, as when the messaging app opens, another tab locking), and
// each lock empties it of every name, number, the code word and any location found.
import { nt, t, tParts, translationsFor } from '../i18n.js'
import { el, localDate, longDate } from '../journal/report.js'
import { Session, showUnlockError, unlockFromForm } from '../journal/session.js'
import { openStore } from '../journal/store.js'
import { checkNumber, coordinates, smsLink } from './sms.js'

// The text only this page shows comes with it (pwa/i18n_json.py PARTS): ready before anything is drawn.
await translationsFor('trusted')

const SLOTS = 3
const CODE_WORD = 'code-word'

// The ready messages, in the page's language (the contact most likely reads it too). Fixed words: a message
// written in a hurry is where mistakes happen, and a contact learns what each one means when practising.
function readyMessages (codeWord) {
  return [
    // Translators: a heading, then the text message itself, sent to a friend: short and plain, as people text.
    { key: 'call', title: t('Call me now'), body: t('Call me now.') },
    // Translators: a heading, then the text message itself, sent to a friend: short and plain, as people text.
    { key: 'collect', title: t('Come and get me'), body: t('Come and get me.') },
    // A call back could ring in front of the person they are afraid of: the message says not to.
    // Translators: a heading, then the text message itself, sent to a friend: short and plain, as people text.
    { key: 'police', title: t("Call the police for me, I can't talk"), body: t("Please call the police for me. I can't talk, so don't call me back.") },
    ...(codeWord ? [{ key: CODE_WORD, title: t('The code word alone'), body: codeWord }] : [])
  ]
}

// Translators: a text message sent to a friend to test that messages reach them; keep the word PRACTICE first.
const practiceMessage = () => t('PRACTICE: this is a practice message from my safety plan. No need to act. Please reply so I know it reached you.')

export async function initTrusted (root) {
  const page = new TrustedPage(root, await openStore())
  await page.start()
  return page
}

class TrustedPage {
  constructor (root, store) {
    this.root = root
    this.session = new Session(store, { idleMs: Math.max(1, Number(root.dataset.idleSeconds) || 180) * 1000 })
    this.unlockForm = root.querySelector('[data-form="unlock"]')
    this.form = root.querySelector('[data-form="contacts"]')
    this.saved = null // { contacts: [{ name, number, practisedOn }], codeWord } while unlocked
    this.places = new Map() // message key -> where the phone was found, for that message only; while unlocked
  }

  $ (selector) { return this.root.querySelector(selector) }

  async start () {
    this.root.classList.add('trusted--enhanced')
    this.session.onLocked((reason, wasOpen) => this.onLocked(reason, wasOpen))
    this.session.watch()
    this.unlockForm.addEventListener('submit', (event) => this.run(() => this.onUnlock(event)))
    this.form.addEventListener('submit', (event) => { event.preventDefault(); this.run(() => this.save()) })
    this.root.addEventListener('click', (event) => {
      const remove = event.target.closest('[data-remove]')
      if (remove) this.run(() => this.remove(Number(remove.dataset.remove)))
      if (event.target.closest('[data-action="lock"]')) this.session.lock('button')
    })
    this.root.addEventListener('change', (event) => {
      const place = event.target.closest('[data-location]')
      if (place) this.run(() => this.onLocation(place))
      const practised = event.target.closest('[data-practised]')
      if (practised) this.run(() => this.onPractised(practised))
    })
    this.showState(await this.session.vault.exists() ? 'locked' : 'no-journal')
  }

  run (work) {
    Promise.resolve().then(work).catch((error) => this.status(t('Something went wrong: %(reason)s', { reason: error.message })))
  }

  status (message) { this.$('[data-status]').textContent = message }

  showState (state) {
    for (const part of this.root.querySelectorAll('[data-state]')) part.hidden = part.dataset.state !== state
  }

  // Unlocking -----------------------------------------------------------------------------------------------

  async onUnlock (event) {
    event.preventDefault()
    const open = await unlockFromForm(this.session, this.unlockForm)
    if (!open) return
    const stillHere = this.session.notLockedSince()
    await this.session.journal.load()
    if (!stillHere()) return this.session.journal.unload()
    this.saved = tidy(this.session.journal.contacts)
    this.fillForm()
    this.render()
    this.showState('open')
    this.session.resetIdle()
    if (this.saved.contacts.length) {
      this.status(t('Unlocked. Choose a message to send.'))
      this.$('#trusted-send-heading').focus()
    } else {
      this.status(t('Unlocked. Add up to three people you trust, then save.'))
      this.$('#trusted-contacts-heading').focus()
    }
  }

  // The ready messages and the practice ---------------------------------------------------------------------

  render () {
    const { contacts, codeWord } = this.saved
    const box = this.$('[data-messages]')
    const practice = this.$('[data-practice]')
    if (contacts.length === 0) {
      const none = () => el('p', {}, t('No contacts yet: add them below, then save.'))
      box.replaceChildren(none())
      practice.replaceChildren(none())
      return
    }
    box.replaceChildren(...readyMessages(codeWord).map((message) => this.messageBlock(message)),
      ...(codeWord ? [] : [el('p', { className: 'journal-hint' }, t('Add a code word below to send it on its own.'))]))
    practice.replaceChildren(...contacts.map((contact, i) => this.practiceBlock(contact, i)))
  }

  messageBlock ({ key, title, body }) {
    const { contacts } = this.saved
    const id = `where-${key}`
    const place = this.places.get(key)
    const found = place && place !== 'finding'
    // Translators: added to a text message; %(coordinates)s is latitude, longitude in digits, e.g. 53.09877, -2.43211.
    const where = found ? t('Where I am: %(coordinates)s (latitude, longitude; accurate to about %(metres)s metres).', place) : ''
    const text = found ? [body, where].join('\n') : body
    const link = (numbers, label, send, secondary = false) => el('li', {},
      el('a', { className: secondary ? 'button button--secondary' : 'button', 'data-send': send, href: smsLink(numbers, text) }, ...label))
    const numbers = contacts.map((contact) => checkNumber(contact.number).number)
    return el('div', { className: 'trusted-message', 'data-message': key },
      el('h3', {}, title),
      ...(key === CODE_WORD ? [el('p', { className: 'journal-hint' }, t('Your code word, with nothing else. It is not shown here, in case someone is looking.'))] : []),
      el('div', { className: 'trusted-location' },
        el('div', { className: 'journal-check' },
          el('input', { id, type: 'checkbox', autocomplete: 'off', 'data-location': key, 'aria-describedby': `${id}-hint`, ...(place ? { checked: '' } : {}) }),
          el('label', { for: id }, t('Add where I am now'))),
        el('p', { className: 'journal-hint', id: `${id}-hint` }, t('Your phone finds where you are once, for this message only: it stays in your sent messages.')),
        el('div', { 'data-part': 'where' },
          ...(place === 'finding' ? [el('p', { className: 'trusted-location__where' }, t('Finding where you are…'))] : []),
          ...(place && place !== 'finding' ? [el('p', { className: 'trusted-location__where' }, ...tParts('Added to this message: %(coordinates)s', { coordinates: el('bdi', { dir: 'ltr' }, place.coordinates) }))] : []))),
      // While the location is being found, no buttons: a message sent then would go without it.
      el('div', { 'data-part': 'sends' }, ...(place === 'finding' ? [] : [el('ul', { className: 'trusted-send' },
        ...contacts.map((contact, i) => link([numbers[i]], tParts('Send to %(name)s', { name: el('bdi', {}, contact.name) }), String(i + 1))),
        ...(contacts.length > 1 ? [link(numbers, [nt('Send to all %(count)s person', 'Send to all %(count)s people', contacts.length)], 'all', true)] : []))])))
  }

  practiceBlock (contact, i) {
    const id = `practised-${i + 1}`
    const number = el('bdi', { dir: 'ltr' }, contact.number)
    return el('div', { className: 'trusted-practice', 'data-practice-for': String(i + 1) },
      // Translators: a trusted contact's name, then their phone number.
      el('p', {}, ...tParts('%(name)s, %(number)s', { name: el('strong', {}, el('bdi', {}, contact.name)), number })),
      el('p', {}, el('a', { className: 'button button--secondary', href: smsLink([checkNumber(contact.number).number], practiceMessage()), 'data-send': 'practice' },
        ...tParts('Send a practice message to %(name)s', { name: el('bdi', {}, contact.name) }))),
      el('div', { className: 'journal-check' },
        el('input', { id, type: 'checkbox', autocomplete: 'off', 'data-practised': String(i), ...(contact.practisedOn ? { checked: '', 'aria-describedby': `${id}-when` } : {}) }),
        el('label', { for: id }, ...tParts('I have practised with %(name)s', { name: el('bdi', {}, contact.name) }))),
      el('div', { 'data-part': 'when' },
        ...(contact.practisedOn ? [el('p', { className: 'journal-hint', id: `${id}-when` }, t('Last practised on %(date)s.', { date: longDate(contact.practisedOn) }))] : [])))
  }

  // Where the phone is: asked once, only when ticked, for that message only. Unticked, it is forgotten.
  async onLocation (box) {
    const key = box.dataset.location
    if (!box.checked) {
      this.places.delete(key)
      return this.rerender(key)
    }
    if (!navigator.geolocation) {
      this.places.delete(key)
      this.rerender(key)
      return this.status(t('This phone cannot give its location here. Send the message without it, or type where you are in your messaging app.'))
    }
    this.places.set(key, 'finding')
    this.rerender(key)
    const stillHere = this.session.notLockedSince()
    try {
      const position = await new Promise((resolve, reject) => navigator.geolocation.getCurrentPosition(resolve, reject,
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }))
      if (!stillHere()) return
      const found = coordinates(position)
      this.places.set(key, { coordinates: found.text, metres: found.metres })
      this.rerender(key)
      this.status(t('Your location was added to this message. Check it in your messaging app before you send.'))
    } catch (error) {
      if (!stillHere()) return
      this.places.delete(key)
      this.rerender(key)
      this.status(error.code === 1
        ? t('Location is turned off for this app, so it was not added. Send the message without it, or type where you are.')
        : t('Your location could not be found, so it was not added. Send the message without it, or type where you are.'))
    }
  }

  rerender (key) {
    const old = this.root.querySelector(`[data-message="${CSS.escape(key)}"]`)
    const message = readyMessages(this.saved?.codeWord).find((m) => m.key === key)
    if (!old || !message) return
    keepControl(old, this.messageBlock(message), '[data-location]', this.places.has(key))
  }

  async onPractised (box) {
    const index = Number(box.dataset.practised)
    const contacts = this.saved.contacts.map((contact, i) => (i === index ? { ...contact, practisedOn: box.checked ? localDate() : '' } : contact))
    await this.write({ ...this.saved, contacts })
    this.practiceRefresh(index)
    this.status(box.checked ? t('Noted, encrypted in your journal.') : t('Practice date removed.'))
  }

  practiceRefresh (index) {
    const old = this.root.querySelector(`[data-practice-for="${index + 1}"]`)
    if (!old) return
    keepControl(old, this.practiceBlock(this.saved.contacts[index], index), '[data-practised]', Boolean(this.saved.contacts[index].practisedOn))
  }

  // Setting up ----------------------------------------------------------------------------------------------

  field (slot, name) { return this.form.elements[`${name}-${slot}`] }

  fillForm () {
    for (let slot = 1; slot <= SLOTS; slot += 1) {
      const contact = this.saved.contacts[slot - 1]
      this.field(slot, 'name').value = contact?.name || ''
      this.field(slot, 'number').value = contact?.number || ''
    }
    this.form.elements.codeWord.value = this.saved.codeWord
  }

  // The form, checked: { contacts, codeWord } or null after showing what to put right.
  read () {
    const errors = []
    const contacts = []
    const practised = new Map(this.saved.contacts.map((contact) => [checkNumber(contact.number).number, contact.practisedOn]))
    for (let slot = 1; slot <= SLOTS; slot += 1) {
      const nameField = this.field(slot, 'name')
      const numberField = this.field(slot, 'number')
      const name = nameField.value.trim()
      const typed = numberField.value.trim()
      if (!name && !typed) continue
      if (!name) errors.push([nameField, t('Enter a name for contact %(number)s, as you want it shown. A nickname is fine.', { number: slot })])
      const checked = checkNumber(typed)
      if (checked.error) errors.push([numberField, numberError(checked, slot)])
      else contacts.push({ name, number: typed, practisedOn: practised.get(checked.number) || '' })
    }
    this.showErrors(errors)
    if (errors.length) return null
    return { contacts, codeWord: this.form.elements.codeWord.value.trim() }
  }

  showErrors (errors) {
    for (const node of this.form.querySelectorAll('[data-error-for]')) {
      node.textContent = ''
      this.form.querySelector(`#${node.dataset.errorFor}`).removeAttribute('aria-invalid')
    }
    const summary = this.$('[data-error-summary]')
    summary.replaceChildren()
    summary.hidden = errors.length === 0
    if (!errors.length) return
    for (const [field, message] of errors) {
      this.form.querySelector(`[data-error-for="${field.id}"]`).textContent = message
      field.setAttribute('aria-invalid', 'true')
    }
    summary.append(el('h3', {}, t('There is a problem')),
      el('ul', {}, ...errors.map(([field, message]) => el('li', {}, el('a', { href: `#${field.id}` }, message)))))
    summary.focus()
  }

  async save () {
    const record = this.read()
    if (!record) return
    await this.write(record)
    this.fillForm()
    this.render()
    this.status(record.contacts.length ? t('Saved, encrypted in your journal. Your messages are ready above.') : t('Saved, encrypted in your journal.'))
  }

  async remove (slot) {
    this.field(slot, 'name').value = ''
    this.field(slot, 'number').value = ''
    await this.save()
  }

  async write (record) {
    const stillHere = this.session.notLockedSince()
    await this.session.journal.saveContacts(record)
    if (stillHere()) this.saved = record
  }

  // Locking -------------------------------------------------------------------------------------------------

  // Every name, number, the code word and any location leave the page.
  clearScreen () {
    this.form.reset()
    for (const input of this.form.elements) if ('value' in input && input.tagName !== 'BUTTON') input.value = ''
    this.showErrors([])
    this.unlockForm.reset()
    this.unlockForm.elements.passphrase.value = ''
    showUnlockError(this.unlockForm, '')
    for (const node of this.root.querySelectorAll('[data-secret]')) node.replaceChildren()
    this.saved = null
    this.places.clear()
  }

  onLocked (reason, wasOpen) {
    this.clearScreen()
    if (this.$('[data-state="no-journal"]').hidden) this.showState('locked')
    if (reason === 'button') this.unlockForm.elements.passphrase.focus()
    if (wasOpen) {
      this.status(reason === 'idle' ? t('Locked after a few minutes without use. Unlock to send a message.') : t('Locked. Unlock to send a message.'))
    }
  }
}

// A block drawn again around the checkbox just used: its changing parts are replaced, the checkbox stays the same
// element (focus and a screen reader's place stay on it), with its state and description as the block now says.
function keepControl (old, fresh, selector, checked) {
  for (const part of old.querySelectorAll('[data-part]')) part.replaceWith(fresh.querySelector(`[data-part="${part.dataset.part}"]`))
  const control = old.querySelector(selector)
  const described = fresh.querySelector(selector).getAttribute('aria-describedby')
  if (described) control.setAttribute('aria-describedby', described)
  else control.removeAttribute('aria-describedby')
  control.checked = checked
}

// A saved record as the page uses it (none saved yet: no contacts, no code word).
function tidy (saved) {
  const contacts = Array.isArray(saved?.contacts) ? saved.contacts.slice(0, SLOTS) : []
  return {
    contacts: contacts.map((c) => ({ name: String(c.name || ''), number: String(c.number || ''), practisedOn: String(c.practisedOn || '') })),
    codeWord: typeof saved?.codeWord === 'string' ? saved.codeWord : ''
  }
}

function numberError (checked, slot) {
  switch (checked.error) {
    case 'missing': return t('Enter a mobile number for contact %(number)s, or clear their name.', { number: slot })
    case 'characters': return t('Contact %(number)s: a phone number can only have digits, spaces, brackets, dashes and a + at the start.', { number: slot })
    case 'short': return t('Contact %(number)s: this number is too short. A number abroad needs its country code after the +.', { number: slot })
    case 'long': return t('Contact %(number)s: this number is too long. A phone number has at most 15 digits.', { number: slot })
    case 'no-prefix': return t('Contact %(number)s: start with 0 for a UK number, or with + and the country code for a number abroad (like +48 for Poland).', { number: slot })
    default: return t('Contact %(number)s: a UK number starting with 0 has 10 or 11 digits, and this one has %(count)s.', { number: slot, count: checked.count })
  }
}
