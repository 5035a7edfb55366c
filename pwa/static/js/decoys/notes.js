// An ordinary notes app, deliberately NOT the journal: notes are kept in plain localStorage,
// unencrypted, and anyone who opens the app can read them (the appearance page says so).
// The way in: type the PIN into the search box and press Enter.
import { readJson, writeItem } from '../storage.js'
import { tryDoor } from './door.js'

const NOTES_KEY = 'notes'

function load () {
  const notes = readJson(NOTES_KEY)
  return Array.isArray(notes) ? notes : []
}

export function initNotes (root) {
  const $ = (name) => root.querySelector(`[data-notes-${name}]`)
  const search = $('search').querySelector('input')
  const text = $('new').querySelector('textarea')
  let notes = load()

  // As any notes app would, it says when a note could not be kept (storage off or full); the note stays on screen.
  const save = () => {
    $('unsaved').hidden = writeItem(NOTES_KEY, JSON.stringify(notes))
  }

  function render () {
    const query = search.value.trim().toLowerCase()
    const shown = notes.filter((note) => note.text.toLowerCase().includes(query))
    $('list').replaceChildren(...shown.map((note) => {
      const item = document.createElement('li')
      item.className = 'notes__note'
      const body = document.createElement('p')
      body.className = 'notes__text'
      body.textContent = note.text
      const when = document.createElement('time')
      when.className = 'notes__when'
      when.dateTime = note.updated
      when.textContent = new Date(note.updated).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })
      const remove = document.createElement('button')
      remove.type = 'button'
      remove.className = 'notes__delete'
      remove.textContent = 'Delete'
      remove.addEventListener('click', () => {
        notes = notes.filter((other) => other.id !== note.id)
        save()
        render()
      })
      item.append(body, when, remove)
      return item
    }))
    $('empty').hidden = shown.length > 0
    $('empty').textContent = notes.length ? 'No matching notes.' : 'No notes yet.'
  }

  $('new').addEventListener('submit', (event) => {
    event.preventDefault()
    const value = text.value.trim()
    if (!value) return
    notes.unshift({ id: crypto.randomUUID(), text: value, updated: new Date().toISOString() })
    save()
    text.value = ''
    render()
  })
  $('search').addEventListener('submit', async (event) => {
    event.preventDefault()
    if (await tryDoor(search.value.trim())) search.value = ''
  })
  search.addEventListener('input', render)
  render()
}

const notes = document.querySelector('[data-module="notes"]')
if (notes) initNotes(notes)
