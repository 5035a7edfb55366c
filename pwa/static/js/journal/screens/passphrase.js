// Set-up, unlock and passphrase change: the session does the key work; these check what was typed and say why not.
import { JournalCryptoError } from '../crypto.js'
import { MIN_LENGTH, MIN_SCORE, rateStrength } from '../strength.js'
import { COULD_NOT_UNLOCK, UnlockError } from '../vault.js'

export class PassphraseScreens {
  constructor (page, session) {
    this.page = page
    this.session = session
    this.forms = page.forms
    this.forms.setup.addEventListener('submit', (event) => this.onSetup(event))
    this.forms.unlock.addEventListener('submit', (event) => this.onUnlock(event))
    this.forms.passphrase.addEventListener('submit', (event) => this.onChange(event))
    this.actions = {
      passphrase: () => { page.clearFields(this.forms.passphrase); page.clearError(this.forms.passphrase); page.show('passphrase') }
    }
  }

  checkNewPassphrase (form, passphrase, confirm) {
    if (passphrase.length < MIN_LENGTH) return this.page.showError(form, `Use at least ${MIN_LENGTH} characters`, 'passphrase')
    const strength = rateStrength(passphrase)
    if (strength.score < MIN_SCORE) {
      return this.page.showError(form, `That passphrase would be too easy to guess. ${strength.advice}`, 'passphrase')
    }
    if (passphrase !== confirm) return this.page.showError(form, 'The two passphrases are not the same', 'confirm')
    return true
  }

  async onSetup (event) {
    event.preventDefault()
    const form = this.forms.setup
    const { passphrase, confirm } = form.elements
    if (this.checkNewPassphrase(form, passphrase.value, confirm.value) !== true) return
    let open
    try {
      open = await this.page.busy(form.querySelector('[type=submit]'), 'Setting up…', () => this.session.setup(passphrase.value))
    } catch (error) {
      return this.page.showError(form, error.message)
    }
    this.page.clearFields(form)
    this.page.clearError(form)
    // Ask the browser not to clear the journal when space runs low; others show what it said.
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {})
    document.dispatchEvent(new Event('opendoor:meaningful-use'))
    if (!open) return this.page.show('unlock')
    await this.page.opened()
    this.page.status('Your journal is ready. Only your passphrase can open it.')
  }

  async onUnlock (event) {
    event.preventDefault()
    const form = this.forms.unlock
    let open
    try {
      open = await this.page.busy(form.querySelector('[type=submit]'), 'Unlocking…', () => this.session.unlock(form.elements.passphrase.value))
    } catch (error) {
      form.elements.passphrase.value = ''
      if (error instanceof UnlockError && error.message === COULD_NOT_UNLOCK) {
        return this.page.showError(form, 'Could not unlock. Check the passphrase and try again.', 'passphrase')
      }
      if (error instanceof JournalCryptoError) return this.page.showError(form, 'Could not unlock: this journal\'s lock settings are not safe enough to use.')
      return this.page.showError(form, `Could not unlock: ${error.message}`)
    }
    this.page.clearFields(form)
    this.page.clearError(form)
    if (open) await this.page.opened()
  }

  async onChange (event) {
    event.preventDefault()
    const form = this.forms.passphrase
    const { current, passphrase, confirm, replaceKeys } = form.elements
    if (this.checkNewPassphrase(form, passphrase.value, confirm.value) !== true) return
    const replacing = replaceKeys.checked
    let open
    try {
      open = await this.page.busy(form.querySelector('[type=submit]'), replacing ? 'Replacing the keys…' : 'Changing…',
        () => this.session.changePassphrase(current.value, passphrase.value, { replaceKeys: replacing }))
    } catch (error) {
      current.value = ''
      const message = error instanceof UnlockError ? 'Could not unlock with the current passphrase. Nothing was changed.' : error.message
      return this.page.showError(form, message, 'current')
    }
    this.page.clearFields(form)
    this.page.clearError(form)
    if (!open) return // locked while the new key was derived: changed, and still locked
    this.page.goHome()
    this.page.status(replacing ? 'Passphrase changed and every key replaced. Use the new passphrase from now on.'
      : 'Passphrase changed. Use the new one from now on.')
  }
}
