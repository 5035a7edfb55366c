// The entry form: read it into a plain record, fill it back in, check it before saving.
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
  const localToday = new Date(today.getTime() - today.getTimezoneOffset() * 60000).toISOString().slice(0, 10)
  if (fields.occurredDate && !/^\d{4}-\d{2}-\d{2}$/.test(fields.occurredDate)) {
    problems.push({ name: 'occurredDate', message: 'Enter the date as day, month and year' })
  } else if (fields.occurredDate && fields.occurredDate > localToday) {
    problems.push({ name: 'occurredDate', message: 'The date is in the future: check it, or tick "approximate" and add a note' })
  }
  return problems
}
