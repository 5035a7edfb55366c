// The safety plan's answers: read from the form, put back into it, and shown as a summary.
//
// What is saved reads on its own, whatever the agency later does to the questions: each answer keeps the words
// of its question and of the chosen options, beside the values the form uses to put it back.
//   answers: { [question slug]: { part, partTitle, question, kind, value, labels } }
//     kind 'one': value 'yes', labels ['Yes']; 'many': value ['a', 'b'], labels ['A', 'B']; 'text': value 'typed'
// Questions are read from the page (pwa.plan.questions_by_part(), rendered). A question shown only with another's
// answer (show_if "slug=value") is not saved while that answer is not given.
import { t } from '../i18n.js'
import { el } from '../journal/report.js'

// Every question as the page writes it (the words are on the page already: not sent twice).
export function questionsOf (root) {
  const textOf = (node) => (node ? node.textContent.trim() : '')
  return [...root.querySelectorAll('[data-part]')].flatMap((part) => [...part.querySelectorAll('[data-question]')].map((block) => {
    const inputs = [...block.querySelectorAll('input, textarea')]
    const kind = inputs[0].tagName === 'TEXTAREA' ? 'text' : inputs[0].type === 'checkbox' ? 'many' : 'one'
    return {
      slug: block.dataset.question,
      text: textOf(block.querySelector(kind === 'text' ? 'label' : 'legend')),
      kind,
      options: kind === 'text' ? [] : inputs.map((input) => ({ value: input.value, label: textOf(block.querySelector(`label[for="${CSS.escape(input.id)}"]`)) })),
      show_if: block.dataset.showIf || '',
      part: part.dataset.part,
      partTitle: part.dataset.title
    }
  }))
}

function chosen (form, question) {
  const inputs = [...form.querySelectorAll(`[name="${CSS.escape(question.slug)}"]`)]
  if (question.kind === 'text') return inputs[0]?.value.trim() ? inputs[0].value : null
  const values = inputs.filter((input) => input.checked).map((input) => input.value)
  if (values.length === 0) return null
  return question.kind === 'many' ? values : values[0]
}

// Whether a question is asked, given the answers on the form (a condition on a question not asked is not met).
export function asked (form, question, bySlug) {
  if (!question.show_if) return true
  const [slug, value] = question.show_if.split('=')
  const depends = bySlug.get(slug)
  if (!depends || !asked(form, depends, bySlug)) return false
  const answer = chosen(form, depends)
  return Array.isArray(answer) ? answer.includes(value) : answer === value
}

export function readAnswers (form, questions) {
  const bySlug = new Map(questions.map((question) => [question.slug, question]))
  const answers = {}
  for (const question of questions) {
    const value = chosen(form, question)
    if (value === null || !asked(form, question, bySlug)) continue
    const labels = [value].flat().map((v) => question.options.find((option) => option.value === v)?.label || v)
    answers[question.slug] = {
      part: question.part, partTitle: question.partTitle, question: question.text, kind: question.kind, value,
      ...(question.kind === 'text' ? {} : { labels })
    }
  }
  return answers
}

// Puts saved answers back; an answer to a question no longer asked, or an option no longer offered, stays in
// the log (and the export) but has nowhere to go on the page.
export function fillAnswers (form, answers) {
  for (const [slug, answer] of Object.entries(answers || {})) {
    const inputs = [...form.querySelectorAll(`[name="${CSS.escape(slug)}"]`)]
    if (inputs.length === 1 && inputs[0].tagName === 'TEXTAREA') {
      if (typeof answer.value === 'string') inputs[0].value = answer.value
      continue
    }
    const values = [answer.value].flat()
    for (const input of inputs) input.checked = values.includes(input.value)
  }
}

export function answerText (answer) {
  return answer.labels?.length ? answer.labels.join('; ') : [answer.value].flat().join('; ')
}

// Everything chosen, part by part: question, then answer. User text goes in through textContent only.
export function summary (answers, heading = 'h4') {
  const parts = new Map()
  for (const answer of Object.values(answers)) {
    if (!parts.has(answer.partTitle)) parts.set(answer.partTitle, [])
    parts.get(answer.partTitle).push(answer)
  }
  if (parts.size === 0) return [el('p', {}, t('Nothing chosen yet. Go back to any part to add to your plan.'))]
  return [...parts].flatMap(([title, listed]) => [
    el(heading, {}, title),
    el('dl', { className: 'plan-answers' }, ...listed.flatMap((answer) => [el('dt', {}, answer.question), el('dd', {}, answerText(answer))]))
  ])
}
