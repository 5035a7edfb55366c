#!/usr/bin/env node
// Builds pwa/static/vendor/zxcvbn-ts/ (the passphrase strength estimator the journal loads when a new
// passphrase is typed) from the npm packages of zxcvbn-ts, pinned below, plus our UK word lists.
//
//   node scripts/build_strength_data.mjs
//
// Needs node 18+ and npm with the npm registry reachable. The packages are installed into a temporary folder
// (never into the repository) and deleted afterwards. Same versions and lists in, same bytes out.
//
// What it writes:
//   core.js          @zxcvbn-ts/core's browser build (dist/zxcvbn-ts.js, which already contains its one
//                    dependency, fastest-levenshtein) turned into an ES module: only its first two lines and
//                    its source-map comment change, and it is checked for eval and new Function (our CSP
//                    forbids both).
//   dictionaries.js  the word lists, trimmed to the most frequent words (see TRIM), and the keyboard graphs.
//   LICENSE.txt, NOTICE.md, README.md
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'

const PACKAGES = {
  '@zxcvbn-ts/core': '4.2.0',
  '@zxcvbn-ts/language-common': '4.1.3',
  '@zxcvbn-ts/language-en': '4.1.1',
  '@zxcvbn-ts/dictionary-compression': '3.0.1'
}
// Ranked lists are cut to their most frequent words. zxcvbn prices a word it does not know as brute force,
// 10 guesses a character, so a 5-letter word past rank 10,000 is priced about as it would be in the full list:
// cutting costs little accuracy and saves most of the bytes. The Wikipedia list (words already in the others)
// is left out, and so are the translations (the app words its own advice).
const TRIM = { 'passwords-common': 10000, 'commonWords-en': 10000, 'lastnames-en': 5000 }
const LEAVE_OUT = new Set(['wikipedia-en'])
const OUR_LISTS = { 'names-uk': 'uk-names.txt', 'places-uk': 'uk-places.txt' }

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const DATA = join(ROOT, 'scripts', 'strength_data')
const OUT = join(ROOT, 'pwa', 'static', 'vendor', 'zxcvbn-ts')
const CORE_HEAD = 'this.zxcvbnts = this.zxcvbnts || {};\nthis.zxcvbnts.core = (function (exports) {\n'
const CORE_TAIL = '})({});\n//# sourceMappingURL=zxcvbn-ts.js.map\n'

function check (condition, message) {
  if (!condition) throw new Error(message)
}

function ourList (file) {
  const words = []
  for (const line of readFileSync(join(DATA, file), 'utf8').split('\n')) {
    const word = line.trim().toLowerCase().replace(/['’]/g, '')
    if (!word || word.startsWith('#')) continue
    check(/^[a-z][a-z -]*$/.test(word), `${file}: "${line}" is not letters, spaces or hyphens`)
    words.push(word)
    // "milton keynes" is typed as MiltonKeynes too.
    if (/[ -]/.test(word)) words.push(word.replace(/[ -]/g, ''))
  }
  return [...new Set(words)]
}

function coreModule (source, banner) {
  check(source.startsWith(CORE_HEAD) && source.endsWith(CORE_TAIL), 'core: dist/zxcvbn-ts.js is not shaped as expected')
  const body = source.slice(CORE_HEAD.length, -CORE_TAIL.length)
  check(!/\beval\s*\(|\bnew\s+Function\b|\bFunction\s*\(/.test(body), 'core: uses eval or new Function (our CSP forbids them)')
  return `${banner}const core = (function (exports) {\n${body}})({});\n` +
    'export const { ZxcvbnFactory, Options, MatcherBaseClass, debounce } = core\n'
}

function dataModule (lists, graphs, compress, decompressSource, banner) {
  const lines = [banner,
    '// The lists are prefix-compressed (each word starts with a capital letter saying how many letters it',
    '// shares with the one before); decompress is @zxcvbn-ts/dictionary-compression 3.0.1\'s, MIT.',
    decompressSource.trim(), '',
    'export const dictionary = {']
  for (const [name, words] of Object.entries(lists)) {
    const packed = compress(words)
    check(typeof packed === 'string', `${name}: a word cannot be prefix-compressed`)
    lines.push(`  ${JSON.stringify(name)}: decompress(${JSON.stringify(packed)}),`)
  }
  lines.push('}', '', `export const adjacencyGraphs = ${JSON.stringify(graphs)}`, '')
  return lines.join('\n')
}

function sizes (text) {
  const raw = Buffer.byteLength(text)
  return { raw, gzip: gzipSync(text, { level: 6 }).length } // level 6: what the app serves (pwa/webapp.py)
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`

async function main () {
  const work = mkdtempSync(join(tmpdir(), 'strength-'))
  try {
    execFileSync('npm', ['install', '--prefix', work, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund',
      ...Object.entries(PACKAGES).map(([name, version]) => `${name}@${version}`)], { stdio: 'inherit' })
    const modules = join(work, 'node_modules')
    const load = (path) => import(pathToFileURL(join(modules, path)).href)
    const installed = JSON.parse(readFileSync(join(modules, '.package-lock.json'), 'utf8')).packages
    const packages = Object.entries(installed).map(([path, info]) => ({ name: path.replace(/^node_modules\//, ''), ...info }))
    for (const [name, version] of Object.entries(PACKAGES)) {
      check(installed[`node_modules/${name}`].version === version, `${name}: npm installed another version`)
    }
    check(packages.every((p) => p.license === 'MIT'), 'a package is not MIT-licensed')

    const common = await load('@zxcvbn-ts/language-common/dist/index.mjs')
    const en = await load('@zxcvbn-ts/language-en/dist/index.mjs')
    const compress = (await load('@zxcvbn-ts/dictionary-compression/dist/compress.mjs')).default
    const decompress = (await load('@zxcvbn-ts/dictionary-compression/dist/decompress.mjs')).default
    const decompressSource = readFileSync(join(modules, '@zxcvbn-ts/dictionary-compression/dist/decompress.mjs'), 'utf8')
      .replace(/\nexport \{[^}]*\};?\s*/, '\n').replace(/\/\/# sourceMappingURL=.*\n?/, '')
    check(/^function decompress\(/.test(decompressSource.trim()), 'dictionary-compression: decompress is not shaped as expected')

    const lists = {}
    for (const [name, words] of Object.entries({ ...common.dictionary, ...en.dictionary })) {
      if (LEAVE_OUT.has(name)) continue
      lists[name] = TRIM[name] ? words.slice(0, TRIM[name]) : words
    }
    for (const [name, file] of Object.entries(OUR_LISTS)) lists[name] = ourList(file)
    for (const [name, words] of Object.entries(lists)) {
      check(JSON.stringify(decompress(compress(words))) === JSON.stringify(words), `${name}: does not survive compression`)
    }

    const versions = Object.entries(PACKAGES).map(([name, version]) => `${name} ${version}`).join(', ')
    const banner = `/*! Made by scripts/build_strength_data.mjs from ${versions}: do not edit. ` +
      'MIT licence: LICENSE.txt next to this file. */\n'
    const dataBanner = `/*! Made by scripts/build_strength_data.mjs from ${versions} and scripts/strength_data/: ` +
      'do not edit. MIT licence: LICENSE.txt; commonWords-en is from OpenSubtitles via OPUS, ODC-BY: NOTICE.md. */\n'
    const core = coreModule(readFileSync(join(modules, '@zxcvbn-ts/core/dist/zxcvbn-ts.js'), 'utf8'), banner)
    const data = dataModule(lists, common.adjacencyGraphs, compress, decompressSource, dataBanner)

    const licence = (path) => readFileSync(join(modules, path), 'utf8').trim()
    const licenceText = [
      'core.js and dictionaries.js are made from these packages, all under the MIT licence.', '',
      '== @zxcvbn-ts/core, @zxcvbn-ts/language-common, @zxcvbn-ts/language-en ==', '',
      licence('@zxcvbn-ts/core/LICENSE.txt'), '',
      '== @zxcvbn-ts/dictionary-compression (decompress, in dictionaries.js) ==', '',
      licence('@zxcvbn-ts/dictionary-compression/LICENSE'), '',
      '== fastest-levenshtein (bundled inside @zxcvbn-ts/core\'s browser build, in core.js) ==', '',
      licence('fastest-levenshtein/LICENSE.md'), ''
    ].join('\n')
    for (const name of ['@zxcvbn-ts/language-common', '@zxcvbn-ts/language-en']) {
      check(licence(`${name}/LICENSE.txt`) === licence('@zxcvbn-ts/core/LICENSE.txt'), `${name}: another licence text`)
    }
    const notice = licence('@zxcvbn-ts/language-en/NOTICE.md') + '\n'

    const counts = Object.entries(lists).map(([name, words]) => {
      const from = ({ ...common.dictionary, ...en.dictionary })[name]
      const source = from ? (from.length === words.length ? 'all' : `the first ${words.length.toLocaleString('en-GB')} of ${from.length.toLocaleString('en-GB')}`)
        : `scripts/strength_data/${OUR_LISTS[name]}`
      return `| \`${name}\` | ${words.length.toLocaleString('en-GB')} | ${source} |`
    })
    const coreSize = sizes(core)
    const dataSize = sizes(data)
    const readme = `# zxcvbn-ts, vendored

The journal's passphrase strength check (\`pwa/static/js/journal/strength.js\`) uses
[zxcvbn-ts](https://github.com/zxcvbn-ts/zxcvbn) (MIT), the maintained TypeScript port of Dropbox's zxcvbn. These
files are made by \`scripts/build_strength_data.mjs\`; do not edit them, run it again:

\`\`\`sh
node scripts/build_strength_data.mjs
\`\`\`

It installs the pinned packages into a temporary folder, so nothing from npm is kept in the repository.

| package | version | integrity |
| --- | --- | --- |
${packages.map((p) => `| ${p.name} | ${p.version} | \`${p.integrity}\` |`).join('\n')}

- \`core.js\`: \`@zxcvbn-ts/core/dist/zxcvbn-ts.js\` (which bundles fastest-levenshtein) as an ES module: only its
  wrapper lines change. It uses neither \`eval\` nor \`new Function\`, so it runs under the app's CSP.
- \`dictionaries.js\`: the word lists below and the keyboard graphs of \`@zxcvbn-ts/language-common\`.
- \`LICENSE.txt\`: the MIT licences. \`NOTICE.md\`: the attribution the English word list requires (ODC-BY).

| list | words | taken |
| --- | --- | --- |
${counts.join('\n')}

Ranked lists are cut to their most frequent words: zxcvbn prices an unknown word as brute force (10 guesses a
character), about what a word that rare would cost anyway. \`wikipedia-en\` is left out (its frequent words are in
the other lists). \`names-uk\` and \`places-uk\` are ours: UK first names, pets' names and surnames, and UK towns,
cities and football clubs, which the US-made lists miss or rank low.

Sizes (gzip at level 6, as the app serves them):

| file | bytes | gzip |
| --- | --- | --- |
| core.js | ${kb(coreSize.raw)} | ${kb(coreSize.gzip)} |
| dictionaries.js | ${kb(dataSize.raw)} | ${kb(dataSize.gzip)} |
| together | ${kb(coreSize.raw + dataSize.raw)} | ${kb(coreSize.gzip + dataSize.gzip)} |

They are fetched only when someone types a new journal passphrase, never on other pages, and are not in the
service worker's install-time precache: the worker keeps them once fetched (\`ON_DEMAND\` in \`pwa/webapp.py\`).
`

    mkdirSync(OUT, { recursive: true })
    writeFileSync(join(OUT, 'core.js'), core)
    writeFileSync(join(OUT, 'dictionaries.js'), data)
    writeFileSync(join(OUT, 'LICENSE.txt'), licenceText)
    writeFileSync(join(OUT, 'NOTICE.md'), notice)
    writeFileSync(join(OUT, 'README.md'), readme)
    console.log(`core.js ${kb(coreSize.raw)} (gzip ${kb(coreSize.gzip)}), dictionaries.js ${kb(dataSize.raw)} ` +
      `(gzip ${kb(dataSize.gzip)}), together gzip ${kb(coreSize.gzip + dataSize.gzip)}`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
