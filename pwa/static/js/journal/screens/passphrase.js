// Set-up, unlock and passphrase change: the session does the key work; these check what was typed and say why not.
import { t } from '../../i18n.js'
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
    if (passphrase.length < MIN_LENGTH) return this.page.showError(form, t('Use at least %(count)s characters', { count: MIN_LENGTH }), 'passphrase')
    const strength = rateStrength(passphrase)
    if (strength.score < MIN_SCORE) {
      return this.page.showError(form, t('That passphrase would be too easy to guess. %(advice)s', { advice: strength.advice }), 'passphrase')
    }
    if (passphrase !== confirm) return this.page.showError(form, t('The two passphrases are not the same'), 'confirm')
    return true
  }

  async onSetup (event) {
    event.preventDefault()
    const form = this.forms.setup
    const { passphrase, confirm } = form.elements
    if (this.checkNewPassphrase(form, passphrase.value, confirm.value) !== true) return
    let open
    try {
      open = await this.page.busy(form.querySelector('[type=submit]'), t('Setting up…'), () => this.session.setup(passphrase.value))
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
    this.page.status(t('Your journal is ready. Only your passphrase can open it.'))
  }

  async onUnlock (event) {
    event.preventDefault()
    const form = this.forms.unlock
    let open
    try {
      open = await this.page.busy(form.querySelector('[type=submit]'), t('Unlocking…'), () => this.session.unlock(form.elements.passphrase.value))
    } catch (error) {
      form.elements.passphrase.value = ''
      if (error instanceof UnlockError && error.message === COULD_NOT_UNLOCK) {
        return this.page.showError(form, t('Could not unlock. Check the passphrase and try again.'), 'passphrase')
      }
      if (error instanceof JournalCryptoError) return this.page.showError(form, t("Could not unlock: this journal's lock settings are not safe enough to use."))
      return this.page.showError(form, t('Could not unlock: %(reason)s', { reason: error.message }))
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
      open = await this.page.busy(form.querySelector('[type=submit]'), replacing ? t('Replacing the keys…') : t('Changing…'),
        () => this.session.changePassphrase(current.value, passphrase.value, { replaceKeys: replacing }))
    } catch (error) {
      current.value = ''
      const message = error instanceof UnlockError ? t('Could not unlock with the current passphrase. Nothing was changed.') : error.message
      return this.page.showError(form, message, 'current')
    }
    this.page.clearFields(form)
    this.page.clearError(form)
    if (!open) return // locked while the new key was derived: changed, and still locked
    this.page.goHome()
    this.page.status(replacing ? t('Passphrase changed and every key replaced. Use the new passphrase from now on.')
      : t('Passphrase changed. Use the new one from now on.'))
  }
}
