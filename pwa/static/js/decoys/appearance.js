// The appearance form: hashes a new PIN here (it is never sent), then saves the look on the server,
// which renders every page with it. Replaces history rather than adding the form post to it.
import { PIN_PATTERN, hasPin, markOpen, setPin } from './door.js'

export function initAppearance (form) {
  const message = form.querySelector('[data-appearance-message]')
  const pin = form.querySelector('#pin')
  const again = form.querySelector('#pin-again')

  const fail = (text, field) => {
    message.textContent = text
    message.hidden = false
    if (field) field.focus()
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    message.hidden = true
    const chosen = form.querySelector('input[name="look"]:checked')
    if (!chosen) return fail('Choose one of the appearances listed.', form.querySelector('input[name="look"]'))
    if (pin.value || again.value) {
      if (!PIN_PATTERN.test(pin.value)) return fail('Enter a PIN of 4 to 8 digits.', pin)
      if (pin.value !== again.value) return fail('The two PINs are different. Type the same PIN twice.', again)
    } else if (chosen.hasAttribute('data-disguise') && !hasPin()) {
      return fail('Choose a PIN: it is your way from the disguise into this app.', pin)
    }
    let response
    try {
      response = await fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)) })
    } catch {
      return fail('This needs an internet connection. Nothing was changed; try again when you are online.')
    }
    if (!response.ok) return fail('That did not work. Nothing was changed; please try again.')
    if (pin.value) await setPin(pin.value)
    markOpen() // the person who just chose the disguise is already inside
    location.replace(response.url)
  })
}

const form = document.querySelector('[data-module="appearance"]')
if (form) initAppearance(form)
