// The risk self-check (templates/check.html): shows what the answers mean, in the page. The answers live only in
// the radio buttons: nothing is stored or sent, unless the person chooses to save them in the safety plan
// (save-to-plan.js: encrypted in the journal). They are emptied when the page is left (so the back/forward cache
// keeps none), when it is shown again (Back, a restored tab) and on quick-hide, saved or not.
import { t } from '../i18n.js'
import { onLock } from '../lock.js'
import { initSaveToPlan } from './save-to-plan.js'

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
  const factors = (value) => answered(value).map((question) => question.dataset.factor).join('; ')

  // The answers as the safety plan keeps them (js/plan/answers.js' shape): each question's words and the chosen
  // option's label kept with the value, so the saved plan and its export read on their own.
  function riskRecord () {
    const answers = {}
    for (const question of questions) {
      const input = question.querySelector('input:checked')
      if (!input) continue
      answers[question.dataset.question] = {
        question: question.querySelector('legend').textContent.replace(/^\s*\d+\.\s*/, '').trim(),
        value: input.value,
        labels: [root.querySelector(`label[for="${input.id}"]`).textContent.trim()]
      }
    }
    const yes = factors('yes')
    const unsure = factors('unsure')
    // Translators: %(factors)s lists the questions' short names, separated by semicolons.
    const summary = [yes ? t('You said yes to: %(factors)s.', { factors: yes }) : t('You did not say yes to any of the questions you answered.'),
      unsure ? t('You were not sure about: %(factors)s.', { factors: unsure }) : ''].filter(Boolean).join(' ')
    return { title: t('Risk self-check'), recordedAt: new Date().toISOString(), summary, answers }
  }
  const saving = initSaveToPlan(result.querySelector('[data-check-save]'), { riskRecord })

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
    const none = questions.every((question) => answerOf(question) === null)
    result.hidden = none
    saving.update(!none)
  }

  function clear () {
    for (const input of root.querySelectorAll('input[type="radio"]')) input.checked = false
    saving.reset()
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
  return {
    answers: () => Object.fromEntries(questions.filter(answerOf).map((q) => [q.dataset.question, answerOf(q)])),
    clear
  }
}
