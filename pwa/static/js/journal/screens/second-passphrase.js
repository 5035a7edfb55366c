// The second passphrase (docs/duress.md): set from inside the journal, it opens a decoy journal of everyday
// entries the person writes here. The screen is the same in every journal, the decoy too.
import { t } from '../../i18n.js'
import { localDate } from '../report.js'

const ENTRIES = ['entry1', 'entry2']

export class SecondPassphraseScreen {
  constructor (page, session, checkNewPassphrase) {
    this.page = page
    this.session = session
    this.form = page.forms.second
    this.checkNewPassphrase = checkNewPassphrase
    this.form.addEventListener('submit', (event) => this.onSubmit(event))
    this.actions = {
      second: () => this.open(),
      'second-examples': () => this.fillExamples(),
      'second-remove': (button) => this.remove(button)
    }
  }

  open () {
    this.page.clearFields(this.form)
    this.page.clearError(this.form)
    this.showState()
    this.page.show('second')
  }

  showState () {
    const set = this.session.vault.second
    this.page.$('[data-second-state]').textContent = set ? t('A second passphrase is set.') : t('No second passphrase is set.')
    this.page.$('[data-second-remove]').hidden = !set
  }

  // Neutral examples, only when asked for: the person edits them or writes their own.
  fillExamples () {
    const { entry1, entry2 } = this.form.elements
    if (!entry1.value) entry1.value = t('Went to the supermarket and the park. Made pasta for tea.')
    if (!entry2.value) entry2.value = t('Quiet day at home. Watched a film in the evening.')
  }

  async onSubmit (event) {
    event.preventDefault()
    const form = this.form
    const { passphrase, confirm } = form.elements
    if (this.checkNewPassphrase(form, passphrase.value, confirm.value) !== true) return
    const today = localDate()
    const entries = ENTRIES.map((name) => form.elements[name].value.trim()).filter(Boolean).map((what) => everyday(today, what))
    try {
      await this.page.busy(form.querySelector('[type=submit]'), t('Setting it up…'), () => this.session.setSecond(passphrase.value, entries))
    } catch (error) {
      return this.page.showError(form, error.message, 'passphrase')
    }
    this.page.clearFields(form)
    this.page.clearError(form)
    if (!this.session.unlocked) return
    this.page.goHome()
    this.page.status(t('Second passphrase set. It opens the other journal; your passphrase still opens this one.'))
  }

  async remove (button) {
    if (!this.page.confirmed(button)) return
    await this.session.setSecond(null)
    this.showState()
    this.page.status(t('Second passphrase removed. Nothing in this journal changed.'))
  }
}

// An entry with every field the entry form writes, so it looks like any other.
function everyday (date, what) {
  return {
    occurredDate: date, occurredTime: '', approximate: false, partOfDay: '', occurredNote: '', place: '', what, who: '',
    injuries: '', medical: '', effect: '', witnesses: '', childrenPresent: '', children: '', evidence: '',
    policeOfficer: '', crimeReference: '', tags: []
  }
}
