// Reading the journal, two screens: home's list of current entries (most recent first, searchable, with how many
// and any notices of changes made outside the app), and one entry (details, photos, history, edit, delete).
import { nt, t } from '../../i18n.js'
import { describeWhen, el, entryArticle, historyLines, listItem, stamp, tagNames } from '../report.js'

export class ListScreen {
  constructor (page, session) {
    this.page = page
    this.session = session
    this.search = page.$('[data-search]')
    this.notices = page.$('[data-notices]')
    this.search.addEventListener('input', () => this.render())
    page.$('[data-list]').addEventListener('click', (event) => {
      const item = event.target.closest('[data-id]')
      if (item) page.openDetail(item.dataset.id)
    })
  }

  describe = (entry) => `${describeWhen(entry.fields)} ${tagNames(entry.fields, this.page.labels).join(' ')}`

  warmSearch () { this.session.journal.warmSearch(this.describe) }

  render () {
    const { journal } = this.session
    if (!journal.index) return
    const query = this.search.value
    const entries = journal.search(query, this.describe)
    const items = document.createDocumentFragment()
    for (const entry of entries) items.append(listItem(entry, this.page.labels))
    this.page.$('[data-list]').replaceChildren(items)
    const total = Object.keys(journal.index.entries).length
    this.page.$('[data-count]').textContent = total === 0 ? t('No entries yet.')
      : query.trim() ? nt('%(matching)s of %(count)s entry match.', '%(matching)s of %(count)s entries match.', total, { matching: entries.length })
        : nt('%(count)s entry, most recent first.', '%(count)s entries, most recent first.', total)
    if (journal.index.damaged.length) {
      this.page.status(nt('%(count)s saved change could not be read. Use "Check nothing has been changed" for details.', '%(count)s saved changes could not be read. Use "Check nothing has been changed" for details.', journal.index.damaged.length))
    }
    this.renderNotices()
  }

  renderNotices () {
    const { notices } = this.session.journal.index
    this.notices.hidden = notices.length === 0
    this.page.$('[data-notice-list]').replaceChildren(...notices.map((notice) => el('li', {}, t('%(date)s: %(summary)s', { date: stamp(notice.recordedAt), summary: notice.summary }))))
  }

  forget () {
    this.search.value = ''
    this.notices.hidden = true
  }
}

// One entry; deleting it adds a revision saying so.
export class DetailScreen {
  constructor (page, session) {
    this.page = page
    this.session = session
    this.history = page.$('[data-history]')
    this.reason = page.$('[data-delete-reason]')
    this.entryId = null
    this.actions = {
      edit: () => this.edit(),
      history: () => this.showHistory(),
      delete: (button) => this.page.confirmed(button) && this.deleteEntry()
    }
  }

  open (id) {
    const entry = this.session.journal.get(id)
    if (!entry) return
    this.entryId = id
    const article = entryArticle(entry, this.page.labels)
    this.page.$('[data-detail]').replaceChildren(article)
    this.history.replaceChildren()
    this.reason.value = ''
    article.querySelectorAll('[data-photo-id]').forEach((figure) => {
      this.page.showPhoto(figure, entry.photos.find((photo) => photo.id === figure.dataset.photoId))
    })
    this.page.show('detail')
    window.scrollTo(0, 0)
  }

  leave () { this.entryId = null }

  forget () {
    this.entryId = null
    this.reason.value = ''
    this.page.$('details.journal-delete').open = false
  }

  edit () {
    const entry = this.session.journal.get(this.entryId)
    if (entry) this.page.editEntry(entry)
  }

  async showHistory () {
    const stillHere = this.session.notLockedSince()
    const revisions = await this.session.journal.history(this.entryId)
    if (!stillHere()) return
    this.history.replaceChildren(...historyLines(revisions, this.page.labels).map((line) => el('li', {}, line)))
  }

  async deleteEntry () {
    const stillHere = this.session.notLockedSince()
    await this.session.journal.remove(this.entryId, this.reason.value.trim())
    if (!stillHere()) return
    this.page.$('details.journal-delete').open = false
    this.page.goHome()
    this.page.status(t('Entry deleted. A sealed note that it existed stays in the history.'))
  }
}
