// The newsgraph dashboard: a client of the public GraphQL API at /graphql and
// nothing else. Every query it sends is in QUERIES below, as a customer's own
// dashboard would send it; one shared `$filter` (a QuoteFilterInput built from
// the date range, the sources and the search box) narrows every panel.
//
// The view's state lives in the URL's query string (from, to, sources, q,
// interval, count, quote), so a view can be shared and back/forward work. The
// figures count reports (quotes) or statements (each once, however many
// articles reported it): `$count` on every grouping. Each panel
// loads on its own, shows loading / empty / error states, and records how long
// it took to render as a performance measure named `panel:<name>`.
'use strict';

const SPEAKER = `speaker {
      __typename
      ... on Person { name role }
      ... on AnonymousSpeaker { description affiliation { name } }
    }`;

/** The whole conversation with the server. */
const QUERIES = {
  sources: `query DashboardSources {
  sources(first: 100) { edges { node { key name kind } } }
}`,
  bySource: `query QuotesBySource($filter: QuoteFilterInput, $count: CountUnit = REPORTS) {
  quoteStats(filter: $filter) { total(count: $count) bySource(first: 15, count: $count) { source { key name kind } count } }
}`,
  timeline: `query QuotesOverTime($filter: QuoteFilterInput, $interval: Interval!, $count: CountUnit = REPORTS) {
  quoteStats(filter: $filter) { timeline(interval: $interval, count: $count) { period start count } }
}`,
  speakers: `query TopSpeakers($filter: QuoteFilterInput, $count: CountUnit = REPORTS) {
  quoteStats(filter: $filter) { bySpeaker(first: 10, count: $count) { count ${SPEAKER} } }
}`,
  organizations: `query TopOrganizations($filter: QuoteFilterInput, $count: CountUnit = REPORTS) {
  quoteStats(filter: $filter) { byOrganization(first: 10, count: $count) { organization { name kind } count } }
}`,
  quotes: `query MatchingQuotes($filter: QuoteFilterInput, $after: String) {
  quotes(filter: $filter, orderBy: DATE_DESC, first: 25, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id text direct saidOn ${SPEAKER} via { name } article { headline publishedAt } } }
  }
}`,
  quoteInArticle: `query QuoteInArticle($id: ID!) {
  node(id: $id) {
    ... on Quote {
      id text direct saidOn span { start end } ${SPEAKER} via { name }
      version correctedFields history { at by field reason }
      article { headline body dateline publishedAt url }
    }
  }
}`,
  live: `subscription LiveQuotes($filter: QuoteFilterInput) {
  quoteAdded(filter: $filter) { id text direct saidOn ${SPEAKER} via { name } article { headline publishedAt } }
}`,
  liveReady: `query LiveReady { __typename }`,
};

const INTERVALS = ['DAY', 'WEEK', 'MONTH'];
const COUNTS = ['REPORTS', 'STATEMENTS'];
const LIVE_KEEP = 30;

// ---------------------------------------------------------------- the state

/** The view, read from the URL. */
function readState() {
  const params = new URLSearchParams(location.search);
  const date = (name) => (/^\d{4}-\d{2}-\d{2}$/.test(params.get(name) || '') ? params.get(name) : '');
  const interval = (params.get('interval') || '').toUpperCase();
  const unit = (params.get('count') || '').toUpperCase();
  return {
    from: date('from'),
    to: date('to'),
    sources: (params.get('sources') || '').split(',').map((s) => s.trim()).filter(Boolean),
    q: (params.get('q') || '').trim(),
    interval: INTERVALS.includes(interval) ? interval : 'MONTH',
    count: COUNTS.includes(unit) ? unit : 'REPORTS',
    quote: params.get('quote') || '',
  };
}

/** The URL of a view (only what differs from the defaults). */
function urlOf(state) {
  const params = new URLSearchParams();
  if (state.from) params.set('from', state.from);
  if (state.to) params.set('to', state.to);
  if (state.sources.length) params.set('sources', state.sources.join(','));
  if (state.q) params.set('q', state.q);
  if (state.interval !== 'MONTH') params.set('interval', state.interval.toLowerCase());
  if (state.count !== 'REPORTS') params.set('count', state.count.toLowerCase());
  if (state.quote) params.set('quote', state.quote);
  const query = params.toString();
  return location.pathname + (query ? `?${query}` : '');
}

/** The filter every panel shares. */
function quoteFilter(state) {
  const filter = {};
  if (state.from || state.to) {
    filter.date = {};
    if (state.from) filter.date.from = state.from;
    if (state.to) filter.date.to = state.to;
  }
  if (state.sources.length) filter.via = state.sources;
  if (state.q) filter.text = state.q;
  return filter;
}

function filterKey(state) {
  return JSON.stringify(quoteFilter(state));
}

// ---------------------------------------------------------------- helpers

async function graphql(query, variables, signal) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`the server answered ${response.status} without a GraphQL body`);
  }
  if (body.errors && body.errors.length) {
    throw new Error(body.errors.map((e) => e.message).join('; '));
  }
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  return body.data;
}

/** Makes an element: el('p', { class: 'x' }, 'text', child…). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

const numbers = new Intl.NumberFormat('en');
const count = (n) => numbers.format(n);

function speakerName(speaker) {
  if (!speaker) return 'unattributed';
  if (speaker.__typename === 'Person') return speaker.name;
  const tie = speaker.affiliation ? ` (${speaker.affiliation.name})` : '';
  return `${speaker.description}${tie}`;
}

function dayOf(quote) {
  return quote.saidOn || (quote.article && quote.article.publishedAt ? quote.article.publishedAt.slice(0, 10) : '');
}

function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

// ---------------------------------------------------------------- panels

/** In-flight loads, so that the tests (and the page's busy marker) know when all have settled. */
let pending = 0;
function setPending(delta) {
  pending += delta;
  document.documentElement.dataset.pending = String(pending);
}

const controllers = new Map();

/**
 * Loads one panel: shows "Loading…", runs `load` (which returns the rows),
 * renders them with `render`, or the empty / error state. Newer loads of the
 * same panel cancel older ones. The time from start to the painted result is
 * the performance measure `panel:<name>`.
 */
async function loadPanel(name, body, load, render, emptyMessage) {
  controllers.get(name)?.abort();
  const controller = new AbortController();
  controllers.set(name, controller);
  const section = body.closest('section');
  section.setAttribute('aria-busy', 'true');
  body.dataset.state = 'loading';
  body.replaceChildren(el('p', { class: 'state' }, 'Loading…'));
  performance.mark(`panel:${name}:start`);
  setPending(1);
  try {
    const result = await load(controller.signal);
    if (controller.signal.aborted) return;
    if (result === null || (Array.isArray(result) && result.length === 0)) {
      body.dataset.state = 'empty';
      body.replaceChildren(el('p', { class: 'state' }, emptyMessage));
    } else {
      body.dataset.state = 'ready';
      body.replaceChildren(...render(result));
    }
    await nextFrame();
    performance.measure(`panel:${name}`, `panel:${name}:start`);
  } catch (error) {
    if (controller.signal.aborted) return;
    body.dataset.state = 'error';
    body.replaceChildren(el('p', { class: 'state error', role: 'alert' }, `Could not load this panel: ${error.message}`));
  } finally {
    if (!controller.signal.aborted) section.removeAttribute('aria-busy');
    setPending(-1);
  }
}

/** A horizontal bar chart (SVG) and its table, for ranked counts. */
function rankedChart(rows, { title, what }) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  const rowHeight = 24;
  const width = 420;
  const labelWidth = 170;
  const barSpace = width - labelWidth - 60;
  const id = `chart-${Math.random().toString(36).slice(2)}`;
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${width} ${rows.length * rowHeight}`, role: 'img', 'aria-labelledby': id, class: 'chart bars' },
    svg('title', { id }, `${title}: ${rows.map((r) => `${r.label} ${count(r.count)}`).join(', ')}`),
  );
  rows.forEach((row, i) => {
    const y = i * rowHeight;
    const label = row.label.length > 26 ? `${row.label.slice(0, 25)}…` : row.label;
    const barWidth = Math.max(2, (row.count / max) * barSpace);
    chart.append(
      svg('text', { x: labelWidth - 6, y: y + 16, 'text-anchor': 'end', class: 'label' }, label),
      svg('rect', { x: labelWidth, y: y + 4, width: barWidth, height: rowHeight - 8, class: 'bar', rx: 2 }),
      svg('text', { x: labelWidth + barWidth + 5, y: y + 16, class: 'value' }, count(row.count)),
    );
  });
  return [chart, table(title, [what, 'Statements'], rows.map((r) => [r.label, count(r.count)]))];
}

/** A column chart (SVG) over time, and its table. */
function timelineChart(rows, title) {
  const width = 640;
  const height = 170;
  const bottom = 22;
  const max = Math.max(1, ...rows.map((r) => r.count));
  const step = width / rows.length;
  const barWidth = Math.max(0.5, Math.min(48, step * 0.8));
  const id = `chart-${Math.random().toString(36).slice(2)}`;
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': id, class: 'chart columns', preserveAspectRatio: 'none' },
    svg('title', { id }, `${title}: ${rows.length} periods from ${rows[0].period} to ${rows[rows.length - 1].period}, ${count(total)} statements, at most ${count(max)} in one period`),
  );
  rows.forEach((row, i) => {
    const h = (row.count / max) * (height - bottom - 14);
    chart.append(
      svg('rect', { x: i * step + (step - barWidth) / 2, y: height - bottom - h, width: barWidth, height: h, class: 'bar' },
        svg('title', {}, `${row.period}: ${count(row.count)}`)),
    );
  });
  chart.append(
    svg('line', { x1: 0, x2: width, y1: height - bottom, y2: height - bottom, class: 'axis' }),
    svg('text', { x: 2, y: height - 6, class: 'label' }, rows[0].period),
    svg('text', { x: width - 2, y: height - 6, 'text-anchor': 'end', class: 'label' }, rows[rows.length - 1].period),
    svg('text', { x: 2, y: 11, class: 'label' }, `max ${count(max)}`),
  );
  return [chart, table(title, ['Period', 'Statements'], rows.map((r) => [r.period, count(r.count)]))];
}

/** The text alternative of a chart: a real table, behind a disclosure. */
function table(caption, headers, rows) {
  return el(
    'details',
    { class: 'as-table' },
    el('summary', {}, 'Show as a table'),
    el(
      'table',
      {},
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...rows.map((cells) => el('tr', {}, el('th', { scope: 'row' }, cells[0]), ...cells.slice(1).map((c) => el('td', {}, c))))),
    ),
  );
}

/** One statement as a link that opens it in its article (Enter or a click). */
function quoteRow(quote) {
  const via = quote.via.map((v) => v.name).join(', ');
  const link = el(
    'a',
    { class: 'quote', href: urlOf({ ...current, quote: quote.id }), 'data-id': quote.id },
    el(quote.direct ? 'q' : 'span', { class: quote.direct ? 'text direct' : 'text reported' }, quote.text),
    el(
      'span',
      { class: 'meta' },
      el('span', { class: 'who' }, speakerName(quote.speaker)),
      via ? ` · via ${via}` : '',
      dayOf(quote) ? ' · ' : '',
      dayOf(quote) ? el('time', { datetime: dayOf(quote) }, dayOf(quote)) : null,
      quote.direct ? '' : ' · reported speech',
    ),
  );
  return el('li', {}, link);
}

// ---------------------------------------------------------------- loading the view

const panels = {
  sources: () => document.querySelector('#panel-sources .body'),
  timeline: () => document.querySelector('#panel-timeline .body'),
  speakers: () => document.querySelector('#panel-speakers .body'),
  organizations: () => document.querySelector('#panel-organizations .body'),
  quotes: () => document.querySelector('#panel-quotes .body'),
};

function loadSources(state) {
  const filter = quoteFilter(state);
  const total = document.getElementById('total');
  total.textContent = '';
  return loadPanel(
    'sources',
    panels.sources(),
    async (signal) => {
      const { quoteStats } = await graphql(QUERIES.bySource, { filter, count: state.count }, signal);
      const once = state.count === 'STATEMENTS' ? ', each counted once' : '';
      if (!signal.aborted) total.textContent = `${count(quoteStats.total)} statements match${once}`;
      return quoteStats.bySource.map((r) => ({ label: r.source.name, count: r.count }));
    },
    (rows) => rankedChart(rows, { title: 'Statements per source', what: 'Source' }),
    'No statements match.',
  );
}

function loadTimeline(state) {
  const filter = quoteFilter(state);
  for (const button of document.querySelectorAll('[data-interval]')) {
    button.setAttribute('aria-pressed', String(button.dataset.interval === state.interval));
  }
  return loadPanel(
    'timeline',
    panels.timeline(),
    async (signal) => {
      const variables = { filter, interval: state.interval, count: state.count };
      const { quoteStats } = await graphql(QUERIES.timeline, variables, signal);
      return quoteStats.timeline.some((r) => r.count > 0) ? quoteStats.timeline : [];
    },
    (rows) => timelineChart(rows, `Statements per ${state.interval.toLowerCase()}`),
    'No dated statements match.',
  );
}

function loadSpeakers(state) {
  const filter = quoteFilter(state);
  return loadPanel(
    'speakers',
    panels.speakers(),
    async (signal) => {
      const { quoteStats } = await graphql(QUERIES.speakers, { filter, count: state.count }, signal);
      return quoteStats.bySpeaker.map((r) => ({ label: speakerName(r.speaker), count: r.count }));
    },
    (rows) => rankedChart(rows, { title: 'Top speakers', what: 'Speaker' }),
    'No attributed statements match.',
  );
}

function loadOrganizations(state) {
  const filter = quoteFilter(state);
  return loadPanel(
    'organizations',
    panels.organizations(),
    async (signal) => {
      const { quoteStats } = await graphql(QUERIES.organizations, { filter, count: state.count }, signal);
      return quoteStats.byOrganization.map((r) => ({ label: r.organization.name, count: r.count }));
    },
    (rows) => rankedChart(rows, { title: 'Top organizations', what: 'Organization' }),
    'No statements by members of an organization match.',
  );
}

function loadQuotes(state) {
  const filter = quoteFilter(state);
  return loadPanel(
    'quotes',
    panels.quotes(),
    async (signal) => {
      const { quotes } = await graphql(QUERIES.quotes, { filter, after: null }, signal);
      return quotes.edges.length ? quotes : null;
    },
    (page) => {
      const list = el('ol', { class: 'quotes', id: 'quote-list' }, ...page.edges.map((e) => quoteRow(e.node)));
      const summary = el('p', { class: 'count', id: 'quote-count' }, `${count(page.totalCount)} statements, newest first`);
      const more = moreButton(filter, list, page.pageInfo);
      return [summary, list, more];
    },
    'No statements match.',
  );
}

/** "Show more": the next page of the list, appended. */
function moreButton(filter, list, pageInfo) {
  if (!pageInfo.hasNextPage) return el('span');
  const button = el('button', { type: 'button', class: 'more' }, 'Show more');
  let after = pageInfo.endCursor;
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const { quotes } = await graphql(QUERIES.quotes, { filter, after });
      list.append(...quotes.edges.map((e) => quoteRow(e.node)));
      after = quotes.pageInfo.endCursor;
      button.hidden = !quotes.pageInfo.hasNextPage;
    } catch (error) {
      button.after(el('p', { class: 'state error', role: 'alert' }, `Could not load more: ${error.message}`));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

async function loadSourceOptions() {
  const select = document.getElementById('f-sources');
  try {
    const { sources } = await graphql(QUERIES.sources, {});
    select.replaceChildren(...sources.edges.map(({ node }) => el('option', { value: node.key }, node.name)));
  } catch (error) {
    select.replaceChildren(el('option', { disabled: true }, `sources unavailable: ${error.message}`));
  }
  showFilters(current);
}

// ---------------------------------------------------------------- the article view

const dialog = () => document.getElementById('article');
let opened = '';

async function openArticle(id) {
  const box = dialog();
  const headline = document.getElementById('article-headline');
  const meta = document.getElementById('article-meta');
  const body = document.getElementById('article-body');
  opened = id;
  headline.textContent = 'Loading the article…';
  meta.textContent = '';
  body.replaceChildren();
  if (!box.open) box.showModal();
  performance.mark('panel:article:start');
  setPending(1);
  try {
    const { node } = await graphql(QUERIES.quoteInArticle, { id });
    if (opened !== id) return;
    if (!node || !node.article) throw new Error('this statement was not found');
    const { article, span } = node;
    headline.textContent = article.headline;
    const published = article.publishedAt ? article.publishedAt.slice(0, 10) : '';
    meta.textContent = [article.dateline, published, `${speakerName(node.speaker)}${node.via.length ? ` via ${node.via.map((v) => v.name).join(', ')}` : ''}`]
      .filter(Boolean)
      .join(' · ');
    // Spans count Unicode code points; JavaScript strings count UTF-16 units.
    const chars = Array.from(article.body);
    const corrected = node.version > 0;
    const mark = el(
      'mark',
      { id: 'quote-mark', tabindex: '-1', class: corrected ? 'corrected' : null, title: corrected ? 'corrected by an editor' : null },
      chars.slice(span.start, span.end).join(''),
    );
    body.replaceChildren(chars.slice(0, span.start).join(''), mark, chars.slice(span.end).join(''));
    showHistory(node);
    mark.scrollIntoView({ block: 'center' });
    await nextFrame();
    performance.measure('panel:article', 'panel:article:start');
  } catch (error) {
    if (opened !== id) return;
    headline.textContent = 'The article could not be opened';
    body.replaceChildren(el('p', { class: 'state error', role: 'alert' }, error.message));
  } finally {
    setPending(-1);
  }
}

/** The corrections of the open quote, newest first: when, who, which field, why. */
function showHistory(quote) {
  const box = document.getElementById('article-history');
  const list = document.getElementById('article-history-list');
  const entries = quote.history || [];
  box.hidden = entries.length === 0;
  document.getElementById('article-history-summary').textContent = entries.length
    ? `Corrected by an editor (version ${quote.version}): ${quote.correctedFields.map((f) => f.toLowerCase()).join(', ') || 'rejection'}`
    : '';
  list.replaceChildren(
    ...entries.map((entry) =>
      el(
        'li',
        { class: 'correction' },
        el('time', { datetime: entry.at }, entry.at.slice(0, 16).replace('T', ' ')),
        ` ${entry.by} changed the ${entry.field.toLowerCase()}`,
        entry.reason ? `: ${entry.reason}` : '',
      ),
    ),
  );
}

function closeArticle() {
  opened = '';
  if (dialog().open) dialog().close();
}

// ---------------------------------------------------------------- live

let live = { client: null, dispose: null, key: null };

function liveStatus(text, state) {
  const status = document.getElementById('live-status');
  status.textContent = text;
  status.dataset.state = state;
}

/**
 * Shows "live" once the server has registered the subscription: the server
 * handles one socket's messages in order, so when this query, sent after the
 * subscription, completes, every write acknowledged from then on is announced.
 * (Connected alone is not enough: a write in between would be missed.)
 */
function confirmLive(key) {
  if (!live.client || live.key !== key) return;
  live.client.subscribe(
    { query: QUERIES.liveReady },
    {
      next: () => {},
      error: (error) => {
        if (live.key === key) liveStatus(`unavailable: ${describeError(error)}`, 'error');
      },
      complete: () => {
        if (live.key === key && live.dispose) liveStatus('live', 'live');
      },
    },
  );
}

function describeError(error) {
  if (Array.isArray(error)) return error.map((e) => e.message).join('; ');
  if (error && typeof error.code === 'number') return `connection closed (${error.code}${error.reason ? `: ${error.reason}` : ''})`;
  return (error && error.message) || String(error);
}

/** (Re)subscribes to `quoteAdded` for the selected sources; new statements go on top. */
function startLive(state) {
  const key = state.sources.join(',');
  if (live.key === key) return;
  live.key = key;
  if (live.dispose) live.dispose();
  live.dispose = null;
  if (!window.graphqlWs) {
    liveStatus('unavailable: the websocket client did not load', 'error');
    return;
  }
  if (!live.client) {
    const url = new URL('/graphql', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    live.client = window.graphqlWs.createClient({
      url: url.href,
      retryAttempts: 3,
      on: {
        // After a reconnect the client subscribes again; confirm that anew
        // (the first time, startLive confirms its own subscription).
        connected: (_socket, _payload, wasRetry) => {
          if (wasRetry) confirmLive(live.key);
        },
        closed: (event) => {
          if (live.dispose) liveStatus(`reconnecting: ${describeError(event)}`, 'connecting');
        },
      },
    });
  }
  liveStatus('connecting…', 'connecting');
  const filter = state.sources.length ? { via: state.sources } : null;
  const list = document.getElementById('live-list');
  list.replaceChildren();
  const dispose = live.client.subscribe(
    { query: QUERIES.live, variables: { filter } },
    {
      next: (message) => {
        if (message.errors) {
          liveStatus(`error: ${describeError(message.errors)}`, 'error');
          return;
        }
        const quote = message.data && message.data.quoteAdded;
        if (!quote) return;
        list.prepend(quoteRow(quote));
        while (list.children.length > LIVE_KEEP) list.lastElementChild.remove();
        liveStatus(`live · ${list.children.length} new`, 'live');
      },
      error: (error) => {
        if (live.dispose === dispose) liveStatus(`unavailable: ${describeError(error)}`, 'error');
      },
      complete: () => {},
    },
  );
  live.dispose = dispose;
  confirmLive(key);
}

// ---------------------------------------------------------------- wiring

let current = readState();
let shown = { filter: null, interval: null, count: null };

/** Puts the state into the form. */
function showFilters(state) {
  document.getElementById('f-from').value = state.from;
  document.getElementById('f-to').value = state.to;
  document.getElementById('f-q').value = state.q;
  for (const option of document.getElementById('f-sources').options) {
    option.selected = state.sources.includes(option.value);
  }
}

/** Brings every panel up to `state`, loading only what changed. */
function show(state) {
  current = state;
  showFilters(state);
  const key = filterKey(state);
  for (const button of document.querySelectorAll('[data-count]')) {
    button.setAttribute('aria-pressed', String(button.dataset.count === state.count));
  }
  if (shown.filter !== key) {
    loadSources(state);
    loadTimeline(state);
    loadSpeakers(state);
    loadOrganizations(state);
    loadQuotes(state);
  } else if (shown.count !== state.count) {
    loadSources(state);
    loadTimeline(state);
    loadSpeakers(state);
    loadOrganizations(state);
  } else if (shown.interval !== state.interval) {
    loadTimeline(state);
  }
  shown = { filter: key, interval: state.interval, count: state.count };
  startLive(state);
  if (state.quote && state.quote !== opened) openArticle(state.quote);
  if (!state.quote && opened) closeArticle();
}

function go(state) {
  history.pushState(null, '', urlOf(state));
  show(state);
}

function fromForm() {
  const form = document.getElementById('filters');
  const data = new FormData(form);
  return {
    ...current,
    from: String(data.get('from') || ''),
    to: String(data.get('to') || ''),
    sources: data.getAll('sources').map(String),
    q: String(data.get('q') || '').trim(),
    quote: '',
  };
}

window.addEventListener('DOMContentLoaded', () => {
  document.getElementById('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    go(fromForm());
  });
  document.getElementById('f-reset').addEventListener('click', () => {
    go({ from: '', to: '', sources: [], q: '', interval: current.interval, count: current.count, quote: '' });
  });
  for (const button of document.querySelectorAll('[data-interval]')) {
    button.addEventListener('click', () => go({ ...current, interval: button.dataset.interval }));
  }
  for (const button of document.querySelectorAll('[data-count]')) {
    button.addEventListener('click', () => go({ ...current, count: button.dataset.count }));
  }
  // A statement opens in its article: a plain click, or Enter on the focused row.
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a.quote');
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    go({ ...current, quote: link.dataset.id });
  });
  document.getElementById('article-close').addEventListener('click', () => dialog().close());
  // Closing (Escape or the button) goes back to the list, focused on the statement.
  dialog().addEventListener('close', () => {
    const id = opened;
    opened = '';
    if (current.quote) go({ ...current, quote: '' });
    const row = id && [...document.querySelectorAll('a.quote')].find((a) => a.dataset.id === id);
    (row || document.getElementById('quotes-heading')).focus();
  });
  window.addEventListener('popstate', () => show(readState()));
  setPending(0);
  loadSourceOptions();
  show(current);
});
