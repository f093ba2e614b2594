// Brand staff's ratings dashboard (/ui/ratings): the brand's ratings over a range of days,
// satisfaction over time (a chart drawn by the vendored Chart.js, and the same data as a table),
// the 0-5 distribution, the ambassadors ranked by the Wilson lower bound, the latest low scores
// with a link to their conversation, and the CSV export. It asks the API exactly as any client
// would and holds no rule of its own; every text from the API goes into the page as text (el).
// The filters live in the address (?date_from=...&date_to=...&by=week...): a view can be
// reloaded or shared.
import { ApiError, call, el, send, when } from "./api.js";
import { signedIn, signOutButton } from "./signin.js";

const STAFF = new Set([2, 4, 5]); // administrator, shop manager, manager
const NOT_VISITORS = "0,1,2,3,4,5,6"; // who can be rated: not clients (7) nor temporary (8)
const GRANULARITIES = { day: "Day", week: "Week", month: "Month" };
// Whose ratings rank people (the leaderboard's filter[raters]).
const RATERS = { visitors: "Shop customers and guests", customers: "Shop customers only" };
const STATUSES = { "": "Any", answered: "Answered", pending: "Pending", expired: "Expired" };
const LOW_SCORES = "0,1,2";
const LOW_SCORES_SHOWN = 10;
const RANKING_SHOWN = 100;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
// salon.css's accent and a lighter tint of it; the chart's text keeps Chart.js's #666 (5.7:1).
const LINE_COLOUR = "#1f5fbf";
const BAR_COLOUR = "#a9c1e8";

const main = document.getElementById("main");
let chart = null;
let people = null; // id -> "First Last", for the low scores' rater and rated
let form = null; // the filters' inputs, by name

// ---- Filters: the address's query <-> the form ------------------------------------------------

function utcDay(offsetDays = 0) {
  return new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);
}

/** The filters of the address, each checked; what is missing or wrong takes its default (the
 *  API's own: the last 30 UTC days, today included). */
function filtersFromAddress() {
  const query = new URLSearchParams(window.location.search);
  const date = (name, fallback) => (DATE.test(query.get(name) || "") ? query.get(name) : fallback);
  const min = Number.parseInt(query.get("min_ratings") || "", 10);
  const values = (query.get("value") || "").split(",").filter((v) => /^[0-5]$/.test(v));
  return {
    date_from: date("date_from", utcDay(-29)),
    date_to: date("date_to", utcDay()),
    by: Object.hasOwn(GRANULARITIES, query.get("by")) ? query.get("by") : "day",
    min_ratings: Number.isInteger(min) && min >= 1 ? min : 1,
    raters: Object.hasOwn(RATERS, query.get("raters")) ? query.get("raters") : "visitors",
    status: Object.hasOwn(STATUSES, query.get("status") || "") ? query.get("status") || "" : "",
    rated: /^[1-9]\d*$/.test(query.get("rated") || "") ? query.get("rated") : "",
    value: [...new Set(values)].sort().join(","),
  };
}

function filtersFromForm() {
  return {
    date_from: form.date_from.value,
    date_to: form.date_to.value,
    by: form.by.value,
    min_ratings: Number.parseInt(form.min_ratings.value, 10) || 1,
    raters: form.raters.value,
    status: form.status.value,
    rated: form.rated.value,
    value: form.values.filter((box) => box.checked).map((box) => box.value).join(","),
  };
}

function showFilters(filters) {
  form.date_from.value = filters.date_from;
  form.date_to.value = filters.date_to;
  form.by.value = filters.by;
  form.min_ratings.value = String(filters.min_ratings);
  form.raters.value = filters.raters;
  form.status.value = filters.status;
  form.rated.value = filters.rated;
  const values = new Set(filters.value.split(","));
  for (const box of form.values) box.checked = values.has(box.value);
}

function addressOf(filters) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value !== "" && value !== null && value !== undefined) query.set(name, String(value));
  }
  return `${window.location.pathname}?${query}${window.location.hash}`;
}

function range(filters) {
  return { "filter[date_from]": filters.date_from, "filter[date_to]": filters.date_to };
}

// ---- Numbers as the page writes them --------------------------------------------------------

const NONE = "none yet";

function percent(share) {
  return share === null || share === undefined ? NONE : `${(share * 100).toFixed(1)}%`;
}

function average(value) {
  return value === null || value === undefined ? NONE : value.toFixed(2);
}

function fullName(person) {
  const name = `${person.firstname || ""} ${person.lastname || ""}`.trim();
  return name || `Person #${person.id_ambassador}`;
}

function nameOf(id) {
  return (people && people.get(id)) || `Person #${id}`;
}

// ---- The series by day, week or month ----------------------------------------------------------

/** Monday of the ISO week of a YYYY-MM-DD day. */
function mondayOf(day) {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return date.toISOString().slice(0, 10);
}

/** "2026-W45": the ISO year and week of a Monday (the week's Thursday says which year). */
function isoWeek(monday) {
  const thursday = new Date(`${monday}T00:00:00Z`);
  thursday.setUTCDate(thursday.getUTCDate() + 3);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The daily series grouped by `by`: counts added up, the average weighted by ratings given.
 *  The range's first and last week or month may be partial: each says which days it covers. */
function periods(series, by) {
  const groups = new Map();
  for (const day of series) {
    const key = by === "week" ? mondayOf(day.date) : by === "month" ? day.date.slice(0, 7) : day.date;
    let group = groups.get(key);
    if (!group) {
      group = { key, first: day.date, last: day.date, asked: 0, given: 0, total: 0 };
      groups.set(key, group);
    }
    group.last = day.date;
    group.asked += day.nb_asked_ratings;
    group.given += day.nb_ratings;
    if (day.nb_ratings && day.avg_rating !== null) group.total += day.avg_rating * day.nb_ratings;
  }
  return [...groups.values()].map((group) => {
    const name = by === "week" ? isoWeek(group.key) : group.key;
    return {
      name,
      period: by === "day" ? name : `${name} (${group.first} to ${group.last})`,
      asked: group.asked,
      given: group.given,
      average: group.given ? Math.round((group.total / group.given) * 100) / 100 : null,
    };
  });
}

// ---- The page's parts ---------------------------------------------------------------------------

function section(id, title, ...content) {
  return el(
    "section",
    { class: "card stack", id, "aria-labelledby": `${id}-heading` },
    el("h2", { id: `${id}-heading`, text: title }),
    ...content,
  );
}

function field(id, label, input, hint) {
  return el(
    "div",
    { class: "field" },
    el("label", { for: id, text: label }),
    input,
    hint ? el("p", { class: "muted hint", id: `${id}-hint`, text: hint }) : null,
  );
}

function select(id, name, options) {
  const node = el("select", { id, name });
  for (const [value, label] of Object.entries(options)) node.append(el("option", { value, text: label }));
  return node;
}

/** A table in a wrapper that scrolls sideways on its own (the page never does), reachable by
 *  keyboard and named for screen readers. */
function scrollingTable(label, table) {
  return el("div", { class: "table-scroll", role: "region", "aria-label": label, tabindex: "0" }, table);
}

function headerRow(...names) {
  return el("thead", {}, el("tr", {}, ...names.map((name) => el("th", { scope: "col", text: name }))));
}

function buildFilters(onApply, onExport) {
  const date_from = el("input", { type: "date", id: "filter-date-from", name: "date_from", required: true });
  const date_to = el("input", { type: "date", id: "filter-date-to", name: "date_to", required: true });
  const by = select("filter-by", "by", GRANULARITIES);
  const min_ratings = el("input", {
    type: "number", id: "filter-min-ratings", name: "min_ratings", min: "1", step: "1",
    required: true, inputmode: "numeric", "aria-describedby": "filter-min-ratings-hint",
  });
  const raters = select("filter-raters", "raters", RATERS);
  raters.setAttribute("aria-describedby", "filter-raters-hint");
  const status = select("filter-status", "status", STATUSES);
  const rated = select("filter-rated", "rated", { "": "Anyone" });
  const values = [];
  const scores = el("div", { class: "score-boxes" });
  for (let value = 0; value <= 5; value += 1) {
    const box = el("input", { type: "checkbox", id: `filter-value-${value}`, value: String(value) });
    values.push(box);
    scores.append(el("span", { class: "score-box" }, box, el("label", { for: box.id, text: String(value) })));
  }
  form = { date_from, date_to, by, min_ratings, raters, status, rated, values };

  const exportButton = el("button", { type: "button", class: "secondary", id: "export", text: "Export CSV" });
  exportButton.addEventListener("click", () => onExport(exportButton));
  return el(
    "form",
    {
      class: "card filters", "aria-labelledby": "filters-heading",
      onsubmit: (event) => {
        event.preventDefault();
        if (event.target.reportValidity()) onApply();
      },
    },
    el("h2", { id: "filters-heading", text: "Filters" }),
    el(
      "div",
      { class: "filter-grid" },
      field("filter-date-from", "From (UTC day)", date_from),
      field("filter-date-to", "To (UTC day, included)", date_to),
      field("filter-by", "Chart by", by),
      field("filter-min-ratings", "Minimum ratings to be ranked", min_ratings, "Ratings given in the range"),
      field("filter-raters", "Rank on ratings from", raters, "Guests can be made by anyone"),
    ),
    el(
      "fieldset",
      { class: "export-filters" },
      el("legend", { text: "The CSV export also keeps only" }),
      el(
        "div",
        { class: "filter-grid" },
        field("filter-status", "Status", status),
        field("filter-rated", "Rated ambassador", rated),
        el(
          "fieldset",
          { class: "scores-field" },
          el("legend", { text: "Scores (none ticked: all)" }),
          scores,
        ),
      ),
    ),
    el("div", { class: "actions" }, el("button", { type: "submit", id: "apply", text: "Apply" }), exportButton),
  );
}

function figures(stats) {
  const items = [
    ["average", "Average rating (0-5)", average(stats.avg_rating)],
    ["given", "Ratings given / asked", `${stats.nb_ratings} / ${stats.nb_asked_ratings}`],
    ["response", "Response rate", percent(stats.response_rate)],
    ["satisfied", "Share satisfied (4 or 5)", percent(stats.share_satisfied)],
    ["wilson", "Wilson lower bound of the share satisfied (95%)", percent(stats.wilson_lower_bound)],
  ];
  return el(
    "dl",
    { class: "figures" },
    ...items.map(([key, label, value]) =>
      el("div", { class: "figure" }, el("dt", { text: label }), el("dd", { "data-figure": key, text: value })),
    ),
  );
}

function drawChart(canvas, rows, by, stats) {
  const what = GRANULARITIES[by].toLowerCase();
  canvas.setAttribute(
    "aria-label",
    `Chart: average rating and ratings given per ${what}, ${stats.date_from} to ${stats.date_to}. ` +
      "The same figures are in the table below it.",
  );
  if (!window.Chart) {
    canvas.replaceChildren("The chart could not be drawn; its figures are in the table below.");
    return;
  }
  const data = {
    labels: rows.map((row) => row.name),
    datasets: [
      {
        type: "line",
        label: "Average rating (0-5)",
        data: rows.map((row) => row.average),
        yAxisID: "score",
        borderColor: LINE_COLOUR,
        backgroundColor: LINE_COLOUR,
        spanGaps: true,
        order: 0,
      },
      {
        type: "bar",
        label: "Ratings given",
        data: rows.map((row) => row.given),
        yAxisID: "count",
        backgroundColor: BAR_COLOUR,
        order: 1,
      },
    ],
  };
  if (chart) {
    chart.data = data;
    chart.update();
    return;
  }
  chart = new window.Chart(canvas, {
    type: "bar",
    data,
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom" } },
      scales: {
        score: { type: "linear", position: "left", min: 0, max: 5, title: { display: true, text: "Average rating" } },
        count: {
          type: "linear", position: "right", beginAtZero: true, grace: "5%", ticks: { precision: 0 },
          grid: { drawOnChartArea: false }, title: { display: true, text: "Ratings given" },
        },
      },
    },
  });
}

function chartTable(rows, by) {
  const body = el("tbody");
  for (const row of rows) {
    body.append(
      el(
        "tr",
        {},
        el("th", { scope: "row", text: row.period }),
        el("td", { text: String(row.asked) }),
        el("td", { text: String(row.given) }),
        el("td", { text: average(row.average) }),
      ),
    );
  }
  return scrollingTable(
    "Satisfaction over time, as a table",
    el(
      "table",
      { id: "series-table" },
      el("caption", { text: `Ratings per ${GRANULARITIES[by].toLowerCase()}` }),
      headerRow(GRANULARITIES[by], "Ratings asked", "Ratings given", "Average rating"),
      body,
    ),
  );
}

function distribution(stats) {
  const list = el("ul", { class: "bars", id: "distribution" });
  for (let value = 5; value >= 0; value -= 1) {
    const count = stats.distribution[String(value)] || 0;
    const share = stats.nb_ratings ? count / stats.nb_ratings : 0;
    const fill = el("span", { class: `bar-fill score-${value <= 2 ? "low" : value === 3 ? "mid" : "high"}` });
    fill.style.width = `${(share * 100).toFixed(1)}%`; // the CSSOM: allowed by the CSP
    list.append(
      el(
        "li",
        { "data-score": String(value) },
        el("span", { class: "bar-label" }, el("span", { class: "visually-hidden", text: "Score " }), String(value)),
        el("span", { class: "bar-track", "aria-hidden": "true" }, fill),
        el("span", { class: "bar-value", text: `${count} (${percent(stats.nb_ratings ? share : null)})` }),
      ),
    );
  }
  return list;
}

function ranking(page, filters) {
  if (!page.data.length) {
    const min = filters.min_ratings;
    return el("p", { class: "muted", text: `No ambassador was given ${min} rating${min > 1 ? "s" : ""} or more in this range.` });
  }
  const body = el("tbody");
  for (const entry of page.data) {
    body.append(
      el(
        "tr",
        { "data-ambassador": String(entry.id_ambassador) },
        el("td", { text: String(entry.rank) }),
        el("th", { scope: "row", text: fullName(entry) }),
        el("td", { text: `${entry.nb_ratings} / ${entry.nb_asked_ratings}` }),
        el("td", { text: average(entry.avg_rating) }),
        el("td", { text: percent(entry.share_satisfied) }),
        el("td", { text: percent(entry.wilson_lower_bound) }),
      ),
    );
  }
  const table = el(
    "table",
    { id: "ranking-table" },
    el("caption", { class: "visually-hidden", text: "Ambassadors, best first by the Wilson lower bound" }),
    headerRow("Rank", "Ambassador", "Ratings given / asked", "Average", "Share satisfied", "Wilson lower bound"),
    body,
  );
  return el(
    "div",
    { class: "stack" },
    scrollingTable("Ranking of the ambassadors", table),
    page.total > page.data.length
      ? el("p", { class: "muted", text: `The first ${page.data.length} of ${page.total}.` })
      : null,
  );
}

function lowScores(page) {
  if (!page.data.length) return el("p", { class: "muted", text: "No score of 0, 1 or 2 in this range." });
  const list = el("ul", { class: "low-scores", id: "low-scores" });
  for (const rating of page.data) {
    list.append(
      el(
        "li",
        { class: "low-score", "data-rating": String(rating.id_rating) },
        el(
          "p",
          { class: "low-score-head" },
          el("strong", { class: "score-badge", text: `${rating.value} / 5` }),
          " ",
          el("span", { text: `${nameOf(rating.id_user_rater)} rated ${nameOf(rating.id_user_rated)}` }),
        ),
        rating.content
          ? el("blockquote", { class: "comment", text: rating.content })
          : el("p", { class: "muted", text: "No comment." }),
        el(
          "p",
          { class: "low-score-foot" },
          el("time", { datetime: rating.date_update, text: when(rating.date_update) }),
          rating.date_supersede ? el("span", { class: "muted", text: " (since replaced by a newer rating)" }) : null,
          " ",
          el("a", { href: `${chatPage()}#chatroom=${rating.id_chatroom}`, text: `Open conversation #${rating.id_chatroom}` }),
        ),
      ),
    );
  }
  return list;
}

/** The chat page, beside this one (the app may be served under a root path). */
function chatPage() {
  return window.location.pathname.replace(/ratings\/?$/, "chat");
}

function notStaff(person) {
  return el(
    "section",
    { class: "card stack", id: "not-staff", role: "alert" },
    el("h2", { text: "This dashboard is for brand staff" }),
    el("p", {
      text: `${fullName(person)} is signed in, but only brand staff (administrators, shop managers and managers) can see the brand's ratings.`,
    }),
    el("p", {}, el("a", { href: chatPage(), text: "Go to the chat" })),
  );
}

// ---- Loading -------------------------------------------------------------------------------------

/** Names for the low scores: the brand's ambassadors, and the 100 people who acted last (the
 *  raters are mostly visitors). Anyone else is "Person #id". Asked once per page load. */
async function loadPeople() {
  const [staff, recent] = await Promise.all([
    call("GET", "/chat/ambassadors", { query: { per_page: 100, "filter[status]": NOT_VISITORS, sort: "firstname" } }),
    call("GET", "/chat/ambassadors", { query: { per_page: 100 } }),
  ]);
  people = new Map();
  for (const person of [...recent.data, ...staff.data]) people.set(person.id_ambassador, fullName(person));
  for (const person of staff.data) {
    form.rated.append(el("option", { value: String(person.id_ambassador), text: fullName(person) }));
  }
}

async function exportCsv(filters) {
  const query = { ...range(filters), "filter[status]": filters.status, "filter[id_user_rated]": filters.rated, "filter[value]": filters.value };
  const response = await send("GET", "/chat/ratings/export", { query, accept: "text/csv" });
  // A same-origin blob: URL, downloaded by a link: a navigation the CSP does not govern.
  const href = URL.createObjectURL(await response.blob());
  const link = el("a", { href, download: `ratings-${filters.date_from}-to-${filters.date_to}.csv`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

function problem(error) {
  if (error instanceof ApiError) {
    const details = error.body && error.body.errors ? Object.values(error.body.errors).flat() : [];
    return [error.message, ...details].join(" ");
  }
  return "The server could not be reached.";
}

async function start() {
  let person;
  try {
    person = await signedIn(main, { heading: "Sign in to see the ratings dashboard" });
  } catch (error) {
    main.replaceChildren(el("p", { class: "error", role: "alert", text: problem(error) }));
    return;
  }
  document.getElementById("account").replaceChildren(
    el("span", { class: "who", text: fullName(person) }),
    " ",
    signOutButton(),
  );
  if (!STAFF.has(person.status)) {
    main.replaceChildren(notStaff(person));
    return;
  }

  const status = el("p", { role: "status", id: "dashboard-status", class: "muted" });
  const figuresBox = el("div", { id: "figures" });
  const canvas = el("canvas", { id: "chart", role: "img" });
  const tableBox = el("div"); // in a <details> that stays open or closed across refreshes
  const distributionBox = el("div");
  const rankingBox = el("div");
  const lowBox = el("div");
  const onExport = async (button) => {
    button.disabled = true;
    status.className = "muted";
    status.textContent = "Preparing the CSV export…";
    try {
      await exportCsv(filtersFromForm());
      status.textContent = "The CSV export is downloaded.";
    } catch (error) {
      status.className = "error";
      status.textContent = `The export failed: ${problem(error)}`;
    } finally {
      button.disabled = false;
    }
  };
  const apply = () => {
    const filters = filtersFromForm();
    history.pushState(null, "", addressOf(filters));
    refresh(filters);
  };

  let generation = 0;
  async function refresh(filters) {
    const mine = (generation += 1);
    status.className = "muted";
    status.textContent = "Loading…";
    main.setAttribute("aria-busy", "true");
    try {
      const [stats, leaderboard, low] = await Promise.all([
        call("GET", "/chat/ratings/stats", { query: range(filters) }),
        call("GET", "/chat/ratings/leaderboard", {
          query: { ...range(filters), "filter[min_ratings]": filters.min_ratings, "filter[raters]": filters.raters, per_page: RANKING_SHOWN },
        }),
        call("GET", "/chat/ratings", {
          query: { ...range(filters), "filter[value]": LOW_SCORES, sort: "-date_insert", per_page: LOW_SCORES_SHOWN },
        }),
        people ? null : loadPeople().then(() => showFilters(filters), () => { people = new Map(); }),
      ]);
      if (mine !== generation) return; // a newer Apply is on its way
      const rows = periods(stats.series, filters.by);
      figuresBox.replaceChildren(figures(stats));
      drawChart(canvas, rows, filters.by, stats);
      tableBox.replaceChildren(chartTable(rows, filters.by));
      distributionBox.replaceChildren(distribution(stats));
      rankingBox.replaceChildren(ranking(leaderboard, filters));
      lowBox.replaceChildren(lowScores(low));
      status.textContent = `Ratings asked from ${stats.date_from} to ${stats.date_to} (UTC days).`;
    } catch (error) {
      if (mine !== generation) return;
      if (error instanceof ApiError && error.status === 403) {
        main.replaceChildren(notStaff(person));
        return;
      }
      status.className = "error";
      status.textContent = problem(error);
    } finally {
      if (mine === generation) main.removeAttribute("aria-busy");
    }
  }

  main.replaceChildren(
    el(
      "div",
      { class: "dashboard" },
      buildFilters(apply, onExport),
      status,
      section("overview", "Overview", figuresBox),
      section(
        "over-time",
        "Satisfaction over time",
        el("div", { class: "chart-box" }, canvas),
        el("details", { class: "chart-data" }, el("summary", { text: "The chart's figures as a table" }), tableBox),
      ),
      section(
        "scores",
        "Scores given, 0 to 5",
        distributionBox,
      ),
      section("ranking", "Ambassadors, ranked", el("p", {
        class: "muted",
        text: "By the lower bound of the 95% Wilson interval of their share of satisfied ratings (4 or 5): one lucky 5 does not outrank many 4s and 5s.",
      }), rankingBox),
      section("low", "Latest low scores (0 to 2)", lowBox),
    ),
  );
  const initial = filtersFromAddress();
  showFilters(initial);
  window.addEventListener("popstate", () => {
    const filters = filtersFromAddress();
    showFilters(filters);
    refresh(filters);
  });
  await refresh(initial);
}

start();
