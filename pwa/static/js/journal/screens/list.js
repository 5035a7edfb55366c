// The home screen's list: every current entry, most recent first, searchable; the count; and any notice that the
// journal was changed outside the app. Choosing an entry opens it (the page routes to the detail screen).
import { describeWhen, el, listItem, stamp, tagNames } from '../report.js'

export class ListScreen {
  constructor (page, session) {
    this.page = page
    this.session = session
    this.search = page.$('[data-search]')
    this.list = page.$('[data-list]')
    this.count = page.$('[data-count]')
    this.notices = page.$('[data-notices]')
    this.noticeList = page.$('[data-notice-list]')
    this.search.addEventListener('input', () => this.render())
    this.list.addEventListener('click', (event) => {
      const item = event.target.closest('[data-id]')
      if (item) page.openDetail(item.dataset.id)
    })
  }

  // Search matches the words shown for an entry too: its date as written out, and its behaviours' names.
  describe = (entry) => `${describeWhen(entry.fields)} ${tagNames(entry.fields, this.page.labels).join(' ')}`

  warmSearch () { this.session.journal.warmSearch(this.describe) }

  render () {
    const { journal } = this.session
    if (!journal.index) return
    const query = this.search.value
    const entries = journal.search(query, this.describe)
    const items = document.createDocumentFragment()
    for (const entry of entries) items.append(listItem(entry, this.page.labels))
    this.list.replaceChildren(items)
    const total = Object.keys(journal.index.entries).length
    const plural = (n) => `${n} ${n === 1 ? 'entry' : 'entries'}`
    this.count.textContent = total === 0 ? 'No entries yet.'
      : query.trim() ? `${entries.length} of ${plural(total)} match.` : `${plural(total)}, most recent first.`
    if (journal.index.damaged.length) {
      this.page.status(`${plural(journal.index.damaged.length, 'saved change')} could not be read. Use "Check nothing has been changed" for details.`)
    }
    this.renderNotices()
  }

  renderNotices () {
    const { notices } = this.session.journal.index
    this.notices.hidden = notices.length === 0
    this.noticeList.replaceChildren(...notices.map((notice) => el('li', {}, `${stamp(notice.recordedAt)}: ${notice.summary}`)))
  }

  // On lock: the list, the count and the notice lines are [data-secret], emptied with the rest of the page; the
  // search words and the notice box are this screen's to clear.
  forget () {
    this.search.value = ''
    this.notices.hidden = true
  }
}
