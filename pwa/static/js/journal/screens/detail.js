// One entry: its details and photos, its history of changes, editing it (in the entry form) and deleting it,
// which adds a revision saying so: nothing is erased.
import { confirmed } from '../form.js'
import { el, entryArticle, historyLines } from '../report.js'

export class DetailScreen {
  constructor (page, session) {
    this.page = page
    this.session = session
    this.detail = page.$('[data-detail]')
    this.history = page.$('[data-history]')
    this.deleteReason = page.$('[data-delete-reason]')
    this.deleteBox = page.$('details.journal-delete')
    this.entryId = null
    this.actions = {
      edit: () => this.edit(),
      history: () => this.showHistory(),
      delete: (button) => confirmed(button) && this.deleteEntry()
    }
  }

  open (id) {
    const entry = this.session.journal.get(id)
    if (!entry) return
    this.entryId = id
    const article = entryArticle(entry, this.page.labels)
    this.detail.replaceChildren(article)
    this.history.replaceChildren()
    this.deleteReason.value = ''
    article.querySelectorAll('[data-photo-id]').forEach((figure) => {
      this.page.showPhoto(figure, entry.photos.find((photo) => photo.id === figure.dataset.photoId))
    })
    this.page.show('detail')
    window.scrollTo(0, 0)
  }

  leave () { this.entryId = null }

  // On lock: the entry and its history are [data-secret], emptied with the rest of the page.
  forget () {
    this.entryId = null
    this.deleteReason.value = ''
    this.deleteBox.open = false
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
    await this.session.journal.remove(this.entryId, this.deleteReason.value.trim())
    if (!stillHere()) return
    this.deleteBox.open = false
    this.page.goHome()
    this.page.status('Entry deleted. A sealed note that it existed stays in the history.')
  }
}
