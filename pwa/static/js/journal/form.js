// Forms: the entry form read into a plain record, filled back in and checked before saving; and what every
// journal form and button shares (errors, a busy button, a second press to confirm).
const CONFIRM_MS = 5000

// The phone's own date (not UTC's), as a date field holds it.
export function localDate (date = new Date()) {
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 10)
}

export function readFields (form) {
  const fields = { tags: [] }
  for (const input of form.elements) {
    if (!input.name || input.type === 'file') continue
    if (input.name === 'tags') { if (input.checked) fields.tags.push(input.value); continue }
    if (input.type === 'checkbox') { fields[input.name] = input.checked; continue }
    if (input.type === 'radio') { if (input.checked) fields[input.name] = input.value; continue }
    fields[input.name] = input.value
  }
  return fields
}

export function fillFields (form, fields) {
  for (const input of form.elements) {
    if (!input.name || input.type === 'file') continue
    const value = fields[input.name]
    if (input.name === 'tags') input.checked = (value || []).includes(input.value)
    else if (input.type === 'checkbox') input.checked = Boolean(value)
    else if (input.type === 'radio') input.checked = value === input.value
    else input.value = typeof value === 'string' ? value : ''
  }
}

// Empties every field, including any the browser would restore from its form cache; boxes go back to how
// the page was written (ticked only where the template ticks them).
export function clearFields (form) {
  form.reset()
  for (const input of form.elements) {
    if (input.type === 'checkbox' || input.type === 'radio') input.checked = input.defaultChecked
    else if (input.type !== 'submit' && input.type !== 'button' && 'value' in input) input.value = ''
  }
}

export function problemsWith (fields, today = new Date()) {
  const problems = []
  if (!(fields.what || '').trim()) problems.push({ name: 'what', message: 'Write what happened, even a few words' })
  const localToday = localDate(today)
  if (fields.occurredDate && !/^\d{4}-\d{2}-\d{2}$/.test(fields.occurredDate)) {
    problems.push({ name: 'occurredDate', message: 'Enter the date as day, month and year' })
  } else if (fields.occurredDate && fields.occurredDate > localToday) {
    problems.push({ name: 'occurredDate', message: 'The date is in the future: check it, or tick "approximate" and add a note' })
  }
  return problems
}

export function showError (form, message, fieldName) {
  form.querySelector('[data-error]').textContent = message
  form.querySelectorAll('[aria-invalid]').forEach((input) => input.removeAttribute('aria-invalid'))
  const field = fieldName && form.elements[fieldName]
  if (field && field.focus) {
    field.setAttribute('aria-invalid', 'true')
    field.focus()
  }
}

export const clearError = (form) => showError(form, '')

export async function busy (button, text, action) {
  const label = button.textContent
  button.disabled = true
  button.textContent = text
  try { return await action() } finally {
    button.disabled = false
    button.textContent = label
  }
}

// A second press within a few seconds confirms something that cannot be undone.
export function confirmed (button) {
  if (button.dataset.armed) return true
  button.dataset.armed = button.textContent
  button.textContent = 'Press again to confirm'
  setTimeout(() => { if (button.dataset.armed) { button.textContent = button.dataset.armed; delete button.dataset.armed } }, CONFIRM_MS)
  return false
}
