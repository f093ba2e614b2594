// /ui/chat: a chat client written against Salon's public API only, to read as an example.
// REST for what is already there (chatrooms, a page of messages) and for every write; the
// WebSocket /chat/ws (docs/realtime.md) for what happens next, resumed from the last frame's
// `seq` after a disconnect. The server is the only source of truth: a write's answer and its
// event carry the same object, and both go through `upsertMessage`, so nothing shows twice.
import { apiBase, ApiError, call, currentToken, el, scoreChoice, signOut, when } from "./api.js";
import { signedIn, signOutButton } from "./signin.js";

const VISITORS = new Set([7, 8]); // shop customers and guests: they are asked, they do not ask
const PAGE = 50; // the newest messages shown when a chatroom opens
const CLOSE_FINAL = new Set([4400, 4401, 4403]); // refused: reconnecting would not help

const state = {
  me: null,
  rooms: new Map(), // id_chatroom -> chatroom (as GET /chat/chatrooms/{id} answers it)
  open: null, // id_chatroom shown
  messages: new Map(), // id_message -> message, of the open chatroom
  ratings: new Map(), // id_rating -> id_message, of the open chatroom
  socket: null,
  epoch: null,
  seq: null,
  retries: 0,
};

const $ = (id) => document.getElementById(id);

function notice(text) {
  $("notice").textContent = text || "";
}

function failed(error) {
  if (error instanceof ApiError && error.status === 401) {
    signOut();
    window.location.reload();
    return;
  }
  notice(error instanceof ApiError ? error.message : "The server could not be reached.");
}

// ---- People -----------------------------------------------------------------------------

function person(room, id) {
  return (room && room.ambassadors.find((p) => p.id_ambassador === id)) || null;
}

/** Someone as the page names them: "You", or their full name; `first`: "you", or their first
 *  name (the rating card's sentences). */
function nameOf(room, id, { first = false } = {}) {
  if (id === state.me.id_ambassador) return first ? "you" : "You";
  const found = person(room, id);
  if (!found) return `#${id}`;
  return first ? found.firstname : `${found.firstname} ${found.lastname}`.trim();
}

function others(room) {
  return room.ambassadors.filter((p) => p.id_ambassador !== state.me.id_ambassador);
}

function isParticipant(room) {
  return Boolean(person(room, state.me.id_ambassador));
}

// ---- The chatroom list --------------------------------------------------------------------

async function loadRooms() {
  const page = await call("GET", `/chat/ambassadors/${state.me.id_ambassador}/chatrooms`, {
    query: { per_page: 100 },
  });
  state.rooms = new Map(page.data.map((room) => [room.id_chatroom, room]));
  renderRooms();
}

function preview(room) {
  const last = room.last_message;
  if (!last) return "No message yet";
  if (last.type_message === 2) return "Rating";
  return last.content;
}

function renderRooms() {
  const list = $("rooms");
  const rooms = [...state.rooms.values()].sort((a, b) =>
    String(b.last_message_date || b.date_insert).localeCompare(String(a.last_message_date || a.date_insert)),
  );
  $("rooms-empty").hidden = rooms.length > 0;
  list.replaceChildren(
    ...rooms.map((room) => {
      const names = others(room);
      const online = names.some((p) => p.online);
      const label = names.map((p) => p.firstname).join(", ") || `Chatroom ${room.id_chatroom}`;
      return el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            "aria-current": room.id_chatroom === state.open ? "true" : "false",
            "data-chatroom": String(room.id_chatroom),
            onclick: () => openRoom(room.id_chatroom),
          },
          el("span", { class: online ? "room-name online" : "room-name", text: label }),
          online ? el("span", { class: "visually-hidden", text: " (online)" }) : null,
          el("span", { class: "room-last", text: preview(room) }),
        ),
      );
    }),
  );
}

// ---- A conversation -----------------------------------------------------------------------

async function openRoom(id) {
  notice("");
  state.open = id;
  history.replaceState(null, "", `#chatroom=${id}`);
  let room = state.rooms.get(id);
  try {
    if (!room) {
      room = await call("GET", `/chat/chatrooms/${id}`); // staff may open any of the brand's
      state.rooms.set(id, room);
    }
    const page = await call("GET", `/chat/chatrooms/${id}/messages`, {
      query: { per_page: PAGE, sort: "-date_insert" },
    });
    state.messages = new Map();
    state.ratings = new Map();
    for (const message of page.data.reverse()) remember(message);
  } catch (error) {
    failed(error);
    return;
  }
  renderRooms();
  $("conversation-heading").textContent = `Chat with ${others(room).map((p) => p.firstname).join(", ") || "nobody else"}`;
  const participant = isParticipant(room);
  $("tools").hidden = !participant;
  $("ask-rating").hidden = !participant || VISITORS.has(state.me.status) || room.type_chatroom !== 0;
  renderMessages();
  markRead();
  $("conversation-heading").focus();
}

function remember(message) {
  state.messages.set(message.id_message, message);
  if (message.rating) state.ratings.set(message.rating.id_rating, message.id_message);
}

function upsertMessage(message) {
  remember(message);
  const room = state.rooms.get(state.open);
  if (room) {
    room.last_message = message;
    room.last_message_date = message.date_insert;
  }
  renderMessages();
  renderRooms();
}

function renderMessages() {
  const room = state.rooms.get(state.open);
  const ordered = [...state.messages.values()].sort((a, b) => a.id_message - b.id_message);
  const seenUpTo = Math.max(
    0,
    ...others(room).map((p) => (p.chatroom_pivot_data[0] && p.chatroom_pivot_data[0].last_read_message) || 0),
  );
  const lastMine = [...ordered].reverse().find((m) => m.author.id_ambassador === state.me.id_ambassador);
  const list = $("messages");
  // A card someone is filling in survives a redraw (a message arriving meanwhile).
  const kept = new Map(
    [...list.querySelectorAll("form.rating-form")]
      .filter((form) => !form.dataset.sent)
      .filter((form) => form.matches(":focus-within") || form.querySelector("input:checked") || form.querySelector("textarea").value)
      .map((form) => [form.dataset.message, form.closest("li")]),
  );
  list.replaceChildren(
    ...ordered.map((message) => {
      const filling = kept.get(String(message.id_message));
      if (filling) return filling;
      const mine = message.author.id_ambassador === state.me.id_ambassador;
      const item = el(
        "li",
        {
          class: `message ${mine ? "mine" : "theirs"}${message.type_message === 2 ? " rating-card" : ""}`,
          "data-message": String(message.id_message),
        },
        el("div", { class: "meta" }, `${nameOf(room, message.author.id_ambassador)} · `, el("time", { datetime: message.date_insert, text: when(message.date_insert) })),
        message.type_message === 2 ? ratingCard(room, message) : el("p", { class: "text", text: message.content }),
      );
      if (lastMine && message.id_message === lastMine.id_message && seenUpTo >= message.id_message) {
        item.append(el("p", { class: "seen", text: "Seen" }));
      }
      return item;
    }),
  );
  list.scrollTop = list.scrollHeight;
}

// ---- The rating card ----------------------------------------------------------------------

function ratingCard(room, message) {
  const rating = message.rating;
  const rater = nameOf(room, rating.id_user_rater, { first: true });
  const rated = nameOf(room, rating.id_user_rated, { first: true });
  const card = el("div", { class: "rating", "data-rating": String(rating.id_rating) });
  if (rating.date_delete) {
    card.append(el("p", { text: "This rating request was withdrawn." }));
    return card;
  }
  const iAmRater = rating.id_user_rater === state.me.id_ambassador;
  if (rating.value === null) {
    if (iAmRater) {
      card.append(el("h3", { text: `How was your conversation with ${rated}?` }), ratingForm(message, null));
    } else {
      card.append(el("h3", { text: "Rating requested" }), el("p", { class: "waiting", text: `Waiting for ${rater} to rate ${rated}.` }));
    }
    return card;
  }
  card.append(
    el("h3", { text: iAmRater ? "Your rating" : `${rater} rated ${rated}` }),
    el("p", { class: "given", text: `${rating.value} / 5` }),
    rating.content ? el("p", { class: "comment text", text: rating.content }) : null,
  );
  if (iAmRater) {
    card.append(
      el("button", {
        type: "button",
        class: "link",
        text: "Change my rating",
        onclick: () => card.replaceChildren(el("h3", { text: "Change your rating" }), ratingForm(message, rating)),
      }),
    );
  }
  return card;
}

function ratingForm(message, rating) {
  const id = message.rating.id_rating;
  const status = el("p", { class: "error", role: "alert", id: `rating-${id}-status` });
  const comment = el("textarea", { id: `rating-${id}-comment`, maxlength: "2000", rows: "2" });
  comment.value = (rating && rating.content) || "";
  const form = el(
    "form",
    { class: "rating-form stack", "data-message": String(message.id_message), "aria-describedby": status.id },
    scoreChoice(`rating-${id}-score`, "Your score, from 0 (very poor) to 5 (excellent)", rating ? rating.value : null),
    el("div", {}, el("label", { for: comment.id, text: "Comment (optional)" }), comment),
    status,
    el("button", { type: "submit", text: rating ? "Update my rating" : "Send my rating" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const picked = form.querySelector("input[type=radio]:checked");
    if (!picked) {
      status.textContent = "Pick a score from 0 to 5.";
      return;
    }
    const body = { value: Number(picked.value) };
    if (comment.value.trim()) body.content = comment.value;
    else if (rating && rating.content) body.content = null;
    try {
      const saved = await call("PATCH", `/chat/ratings/${id}`, { body });
      form.dataset.sent = "true"; // the card shows the rating now
      applyRating(saved);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return failed(error);
      status.textContent = error instanceof ApiError ? error.message : "The server could not be reached.";
    }
  });
  return form;
}

function applyRating(rating) {
  const id = state.ratings.get(rating.id_rating);
  const message = id && state.messages.get(id);
  if (!message) return;
  message.rating = rating;
  renderMessages();
  if (rating.value !== null && rating.id_user_rater !== state.me.id_ambassador) {
    $("activity").textContent = `New rating: ${rating.value} / 5`;
  }
}

// ---- Writing ------------------------------------------------------------------------------

async function send(event) {
  event.preventDefault();
  const text = $("compose-text");
  if (!text.value.trim() || !state.open) return;
  try {
    const message = await call("POST", `/chat/chatrooms/${state.open}/messages`, {
      body: { id_ambassador: state.me.id_ambassador, content: text.value, type_message: 0 },
    });
    text.value = "";
    notice("");
    upsertMessage(message);
  } catch (error) {
    failed(error);
  }
}

async function askRating() {
  try {
    upsertMessage(await call("POST", `/chat/chatrooms/${state.open}/ratings`));
    notice("");
  } catch (error) {
    failed(error);
  }
}

async function markRead() {
  const room = state.rooms.get(state.open);
  if (!room || !isParticipant(room) || document.hidden || state.messages.size === 0) return;
  const mine = person(room, state.me.id_ambassador).chatroom_pivot_data[0];
  const newest = Math.max(...state.messages.keys());
  if (mine && mine.last_read_message >= newest) return;
  try {
    const last = await call("POST", `/chat/chatrooms/${state.open}/ambassadors/${state.me.id_ambassador}/read`);
    if (mine) mine.last_read_message = last.id_message;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 422)) failed(error); // 422: no message yet
  }
}

// ---- Real time ----------------------------------------------------------------------------

function connect() {
  const token = currentToken();
  const url = new URL(`${apiBase()}/chat/ws`, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (state.seq !== null) {
    url.searchParams.set("after", String(state.seq));
    url.searchParams.set("epoch", state.epoch);
  }
  // Browsers cannot set headers on a WebSocket: the token travels as a subprotocol.
  const socket = new WebSocket(url, ["salon.v1", `bearer.${token}`]);
  state.socket = socket;
  socket.addEventListener("message", (event) => receive(JSON.parse(event.data)));
  socket.addEventListener("close", (event) => {
    const status = $("connection");
    status.classList.remove("live");
    if (event.code === 4401) {
      signOut();
      window.location.reload();
      return;
    }
    if (CLOSE_FINAL.has(event.code)) {
      status.textContent = `Live updates refused (${event.code}).`;
      return;
    }
    const delay = Math.min(15000, 500 * 2 ** state.retries);
    state.retries += 1;
    status.textContent = "Reconnecting…";
    setTimeout(connect, delay);
  });
}

async function resync() {
  await loadRooms();
  if (state.open !== null) await openRoom(state.open);
}

function receive(frame) {
  if (frame.type === "hello") {
    state.retries = 0;
    state.epoch = frame.epoch;
    if (state.seq === null) state.seq = frame.seq;
    $("connection").textContent = "Live";
    $("connection").classList.add("live");
    return;
  }
  if (frame.type === "resync") {
    state.epoch = frame.epoch;
    state.seq = frame.seq;
    resync().catch(failed);
    return;
  }
  if (frame.seq === undefined) return; // heartbeat, pong
  state.seq = frame.seq;
  handle(frame);
}

function handle(event) {
  const data = event.data;
  const here = event.id_chatroom !== null && event.id_chatroom === state.open;
  switch (event.type) {
    case "chatroom.created":
      state.rooms.set(data.id_chatroom, { ...data, last_message: null });
      renderRooms();
      break;
    case "message.created":
    case "rating.requested":
    case "message.updated":
      if (here) {
        upsertMessage(data);
        markRead();
      } else if (state.rooms.has(event.id_chatroom)) {
        const room = state.rooms.get(event.id_chatroom);
        room.last_message = data;
        room.last_message_date = data.date_insert;
        renderRooms();
      } else {
        loadRooms().catch(failed); // a chatroom this page does not know yet
      }
      break;
    case "rating.submitted":
    case "rating.changed":
    case "rating.deleted":
      if (here) applyRating(data);
      break;
    case "read_marker.moved": {
      const room = state.rooms.get(event.id_chatroom);
      const who = person(room, data.id_ambassador);
      if (who && who.chatroom_pivot_data[0]) who.chatroom_pivot_data[0].last_read_message = data.last_read_message;
      if (here) renderMessages();
      break;
    }
    case "presence.changed":
      for (const room of state.rooms.values()) {
        const who = person(room, data.id_ambassador);
        if (who) who.online = data.online;
      }
      renderRooms();
      break;
    default:
      break;
  }
}

// ---- Start --------------------------------------------------------------------------------

async function start() {
  state.me = await signedIn($("signin"), { heading: "Sign in to chat" });
  $("who").replaceChildren(
    el("span", { text: `${state.me.firstname} ${state.me.lastname}` }),
    signOutButton(),
  );
  $("chat").hidden = false;
  $("compose").addEventListener("submit", send);
  $("compose-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("compose").requestSubmit();
    }
  });
  $("ask-rating").addEventListener("click", askRating);
  document.addEventListener("visibilitychange", markRead);
  await loadRooms();
  connect();
  const wanted = Number(new URLSearchParams(window.location.hash.slice(1)).get("chatroom"));
  if (wanted) await openRoom(wanted);
}

start().catch(failed);
