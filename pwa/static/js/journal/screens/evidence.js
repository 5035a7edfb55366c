// For others: the printable report (after a warning), the export with its one-time code, and the check.
import { newExportCode } from '../crypto.js'
import { nt, t } from '../../i18n.js'
import { makeBundle } from '../export.js'
import { changesAndPhotos, el, localDate, renderReport } from '../report.js'

export class EvidenceScreens {
  constructor (page, session) {
    this.page = page
    this.session = session
    this.warning = page.$('[data-print-warning]')
    this.actions = {
      report: () => this.openReport(),
      'print-warning': () => { this.warning.hidden = false },
      'print-cancel': () => { this.warning.hidden = true },
      print: () => this.print(),
      export: () => { page.$('[data-export]').replaceChildren(); page.show('export') },
      'make-export': (button) => this.page.busy(button, t('Making the file…'), () => this.makeExport()),
      check: () => this.runCheck()
    }
  }

  openReport () {
    const { journal } = this.session
    const container = this.page.$('[data-report]')
    renderReport(container, journal.list(), this.page.labels, journal.index.deleted)
    const photos = new Map(journal.list().flatMap((entry) => entry.photos.map((photo) => [photo.id, photo])))
    container.querySelectorAll('[data-photo-id]').forEach((figure) => this.page.showPhoto(figure, photos.get(figure.dataset.photoId)))
    this.page.show('report')
  }

  async makeExport () {
    const stillHere = this.session.notLockedSince()
    const code = newExportCode()
    const result = await makeBundle(this.session.vault, this.session.journal, code, await this.page.backupLoad?.then((b) => b.receiptsForExport()))
    if (!stillHere()) return
    const url = this.page.objectUrl(new Blob([result.json], { type: 'application/json' }))
    const parts = [
      el('p', {}, t('Your one-time export code:')),
      el('p', { className: 'journal-code', 'data-export-code': '' }, code),
      el('p', {}, t('Write it down and keep it apart from the file: anyone with both can read your journal. It is not stored anywhere and cannot be shown again.')),
      el('a', { className: 'button', href: url, download: `export-${localDate()}.json`, 'data-export-link': '' }, t('Download the export file')),
      // Translators: %(changes)s is "N saved changes", %(photos)s "N photos".
      el('p', { className: 'journal-hint' }, t('%(changes)s and %(photos)s.', changesAndPhotos(result.revisions, result.photos)))
    ]
    if (result.problems.length) {
      parts.push(el('p', { className: 'journal-error' }, nt('Warning: %(count)s problem found on this phone; the verifier will list them too.', 'Warning: %(count)s problems found on this phone; the verifier will list them too.', result.problems.length)))
    }
    this.page.$('[data-export]').replaceChildren(...parts)
  }

  // Only after the warning was read: css/journal.css prints nothing of the journal without this class.
  print () {
    this.warning.hidden = true
    document.documentElement.classList.add('journal-print-ok')
    window.addEventListener('afterprint', () => document.documentElement.classList.remove('journal-print-ok'), { once: true })
    window.print()
  }

  async runCheck () {
    const box = this.page.$('[data-check]')
    box.replaceChildren(el('p', {}, t('Checking…')))
    this.page.show('check')
    const stillHere = this.session.notLockedSince()
    const result = await this.session.journal.verify()
    if (!stillHere()) return
    if (result.problems.length === 0) {
      box.replaceChildren(el('p', { 'data-check-result': 'ok' },
        // Translators: %(changes)s is "N saved changes", %(photos)s "N photos".
        t('All %(changes)s and %(photos)s check out: nothing has been altered.', changesAndPhotos(result.count, result.photos))))
    } else {
      box.replaceChildren(el('p', { className: 'journal-error', 'data-check-result': 'problems' }, nt('%(count)s problem found:', '%(count)s problems found:', result.problems.length)),
        el('ul', {}, ...result.problems.map((problem) => el('li', {}, problem))))
    }
  }

  forget () {
    this.warning.hidden = true
    document.documentElement.classList.remove('journal-print-ok')
  }
}
