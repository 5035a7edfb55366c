// Reading the journal, two screens: home's list of current entries (most recent first, searchable, with how many
// and any notices of changes made outside the app), and one entry (details, photos, history, edit, delete).
import { plural } from '../entries.js'
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
    const counted = (n) => `${n} ${n === 1 ? 'entry' : 'entries'}`
    this.page.$('[data-count]').textContent = total === 0 ? 'No entries yet.'
      : query.trim() ? `${entries.length} of ${counted(total)} match.` : `${counted(total)}, most recent first.`
    if (journal.index.damaged.length) {
      this.page.status(`${plural(journal.index.damaged.length, 'saved change')} could not be read. Use "Check nothing has been changed" for details.`)
    }
    this.renderNotices()
  }

  renderNotices () {
    const { notices } = this.session.journal.index
    this.notices.hidden = notices.length === 0
    this.page.$('[data-notice-list]').replaceChildren(...notices.map((notice) => el('li', {}, `${stamp(notice.recordedAt)}: ${notice.summary}`)))
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
    this.page.status('Entry deleted. A sealed note that it existed stays in the history.')
  }
}
