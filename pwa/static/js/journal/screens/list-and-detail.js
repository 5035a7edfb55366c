// Reading the journal, two screens: home's list of current entries (most recent first, searchable, with how many
// and any notices of changes made outside the app), and one entry (details, photos, history, edit, delete).
import { nt, t } from '../../i18n.js'
import { describeWhen, el, entryArticle, historyLines, listItem, stamp, tagNames } from '../report.js'

// Long journals: only a page of the list is put on screen at first, the next as the person scrolls near the end
// (or presses "Show more"). Every item says its place in the whole list (aria-posinset of aria-setsize), so a
// screen reader announces "1 of 10,000" although most are not rendered yet, and search looks through them all.
export const PAGE = 50
const SEARCH_PAUSE_MS = 100 // typing quickly: search once the keys pause, not at every key

export class ListScreen {
  constructor (page, session) {
    this.page = page
    this.session = session
    this.search = page.$('[data-search]')
    this.notices = page.$('[data-notices]')
    this.list = page.$('[data-list]')
    this.more = page.$('[data-more]')
    this.moreButton = page.$('[data-action="more"]')
    this.entries = [] // what the list shows (every entry, or the matches), most recent first
    this.shown = 0
    this.shownFor = null // the query the list was last shown for
    this.lastInput = 0
    this.search.addEventListener('input', () => this.onSearchInput())
    this.list.addEventListener('click', (event) => {
      const item = event.target.closest('[data-id]')
      if (item) page.openDetail(item.dataset.id)
    })
    // Near the end of what is shown (within a screen's height), the next page is added.
    this.nearEnd = window.IntersectionObserver
      ? new IntersectionObserver((seen) => { if (seen.some((entry) => entry.isIntersecting)) this.showMore() }, { rootMargin: '0px 0px 100% 0px' })
      : null
    this.actions = { more: () => this.showMore({ focus: true }) }
  }

  describe = (entry) => `${describeWhen(entry.fields)} ${tagNames(entry.fields, this.page.labels).join(' ')}`

  warmSearch () { this.session.journal.warmSearch(this.describe) }

  // The first key after a pause searches at once; keys typed in quick succession wait for the pause, the list
  // marked busy meanwhile (it still shows the last search's matches).
  onSearchInput () {
    clearTimeout(this.searchTimer)
    const now = performance.now()
    const paused = now - this.lastInput > SEARCH_PAUSE_MS
    this.lastInput = now
    if (paused) return this.render()
    this.list.setAttribute('aria-busy', 'true')
    this.searchTimer = setTimeout(() => this.render(), SEARCH_PAUSE_MS)
  }

  render () {
    clearTimeout(this.searchTimer)
    this.list.removeAttribute('aria-busy')
    const { journal } = this.session
    if (!journal.index) return
    const query = this.search.value
    // Back from an entry, the list shows as much as before; a new search starts again from the top.
    const keep = query === this.shownFor ? this.shown : 0
    this.entries = journal.search(query, this.describe)
    this.shownFor = query
    this.shown = 0
    this.list.replaceChildren()
    this.showMore({ upTo: Math.max(keep, PAGE) })
    const total = Object.keys(journal.index.entries).length
    this.page.$('[data-count]').textContent = total === 0 ? t('No entries yet.')
      : query.trim() ? nt('%(matching)s of %(count)s entry match.', '%(matching)s of %(count)s entries match.', total, { matching: this.entries.length })
        : nt('%(count)s entry, most recent first.', '%(count)s entries, most recent first.', total)
    if (journal.index.damaged.length) {
      this.page.status(nt('%(count)s saved change could not be read. Use "Check nothing has been changed" for details.', '%(count)s saved changes could not be read. Use "Check nothing has been changed" for details.', journal.index.damaged.length))
    }
    this.renderNotices()
  }

  // Adds the next page (or up to `upTo` items); with `focus`, the first new item gets the focus, so a keyboard or
  // screen reader user carries on from where the list had ended.
  showMore ({ focus = false, upTo = this.shown + PAGE } = {}) {
    if (!this.session.journal.index || this.shown >= this.entries.length) return
    const from = this.shown
    const items = document.createDocumentFragment()
    const size = String(this.entries.length)
    for (const entry of this.entries.slice(from, upTo)) {
      const item = listItem(entry, this.page.labels)
      this.shown += 1
      item.setAttribute('aria-setsize', size)
      item.setAttribute('aria-posinset', String(this.shown))
      items.append(item)
    }
    this.list.append(items)
    const left = this.entries.length - this.shown
    this.more.hidden = left === 0
    this.moreButton.textContent = nt('Show %(count)s more entry', 'Show %(count)s more entries', Math.min(left, PAGE))
    if (focus) this.list.children[from]?.querySelector('button').focus()
    if (this.nearEnd) {
      // Observed afresh, so an end still in reach (a tall screen) is reported again and the next page added.
      this.nearEnd.unobserve(this.more)
      if (left) this.nearEnd.observe(this.more)
    }
  }

  renderNotices () {
    const { notices } = this.session.journal.index
    this.notices.hidden = notices.length === 0
    this.page.$('[data-notice-list]').replaceChildren(...notices.map((notice) => el('li', {}, t('%(date)s: %(summary)s', { date: stamp(notice.recordedAt), summary: notice.summary }))))
  }

  // The list's items themselves are emptied with every [data-secret] element (App.clearScreen).
  forget () {
    clearTimeout(this.searchTimer)
    this.list.removeAttribute('aria-busy')
    this.nearEnd?.unobserve(this.more)
    this.entries = []
    this.shown = 0
    this.shownFor = null
    this.search.value = ''
    this.notices.hidden = true
    this.more.hidden = true
    this.moreButton.textContent = ''
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
