// The risk self-check (templates/check.html): shows what the answers mean, in the page. The answers live only in
// the radio buttons: nothing is stored or sent. They are emptied when the page is left (so the back/forward cache
// keeps none), when it is shown again (Back, a restored tab) and on quick-hide.
import { onLock } from '../lock.js'

function listItem (question) {
  const item = document.createElement('li')
  const factor = document.createElement('strong')
  factor.textContent = question.dataset.factor
  item.append(factor, ': ', question.querySelector('[data-why]').textContent, ' ')
  item.append(question.querySelector('.check-source').cloneNode(true))
  return item
}

export function initRiskCheck (root) {
  const questions = [...root.querySelectorAll('[data-question]')]
  const clusterParts = root.dataset.clusterParts.split(' ')
  const result = root.querySelector('[data-check-result]')
  const part = (name) => result.querySelector(`[data-check-${name}]`)

  const answerOf = (question) => question.querySelector('input:checked')?.value ?? null
  const answered = (value) => questions.filter((question) => answerOf(question) === value)

  function render () {
    const yes = answered('yes')
    const unsure = answered('unsure')
    part('yes-list').replaceChildren(...yes.map(listItem))
    part('unsure-list').replaceChildren(...unsure.map(listItem))
    part('yes').hidden = yes.length === 0
    part('unsure').hidden = unsure.length === 0
    part('none').hidden = yes.length > 0
    const yesSlugs = new Set(yes.map((question) => question.dataset.question))
    part('cluster').hidden = !clusterParts.every((slug) => yesSlugs.has(slug))
    result.hidden = questions.every((question) => answerOf(question) === null)
  }

  function clear () {
    for (const input of root.querySelectorAll('input[type="radio"]')) input.checked = false
    render()
  }

  root.addEventListener('change', render)
  root.querySelector('[data-check-show]').addEventListener('click', () => {
    render()
    result.hidden = false
    result.querySelector('h2').focus({ preventScroll: true })
    result.scrollIntoView({ block: 'start' }) // the whole result in view, not just its heading's last line
  })
  root.querySelector('[data-check-clear]').addEventListener('click', () => {
    clear()
    questions[0].querySelector('input').focus()
  })
  addEventListener('pagehide', clear)
  addEventListener('pageshow', clear) // a restored page, or a browser filling the radios back in
  onLock(clear)
  clear()
  root.querySelector('[data-check-actions]').hidden = false
  // For the button that saves into the safety plan ([data-save-to-plan]), wired by whoever provides the saving.
  return {
    answers: () => Object.fromEntries(questions.filter(answerOf).map((q) => [q.dataset.question, answerOf(q)])),
    clear
  }
}
