// The playground's page: plain JS, no build step. Everything a member or the bot wrote is put in the page with
// textContent or as attribute values checked here (links: http and https only); never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const view = { me: null, channel: null, state: null, messages: [], modalFrom: null, pending: false, again: false };

// --- talking to the playground -------------------------------------------------------------------------------------

async function getJSON(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

async function act(body) {
  const response = await fetch("/api/act", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ as: view.me, ...body }),
  });
  const answer = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) { toast(answer.error || `HTTP ${response.status}`); return null; }
  if (answer.modal) openModal(answer.interaction, answer.modal);
  refresh();
  return answer;
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

async function refresh() {
  // One refresh at a time; a change meanwhile asks for one more.
  if (view.pending) { view.again = true; return; }
  view.pending = true;
  try {
    const query = view.me ? `?as=${encodeURIComponent(view.me)}` : "";
    const state = await getJSON(`/api/state${query}`);
    if (!view.me) view.me = state.me;
    if (state.me !== view.me) { view.again = true; return; } // switched member meanwhile: fetch again
    view.state = state;
    const channel = currentChannel();
    view.messages = channel && !isForum(channel)
      ? (await getJSON(`/api/messages?as=${view.me}&channel=${channel}`)).messages : [];
    render();
  } catch (error) {
    if (String(error.message).includes("starting")) setTimeout(refresh, 500);
    else toast(error.message);
  } finally {
    view.pending = false;
    if (view.again) { view.again = false; refresh(); }
  }
}

function currentChannel() {
  const state = view.state;
  if (view.channel === "dm") return state.dm_channel_id;
  const known = new Set([...state.channels.map((c) => c.id), ...state.threads.map((t) => t.id)]);
  if (state.dm_channel_id) known.add(state.dm_channel_id);
  if (!known.has(view.channel)) {
    const general = state.channels.find((c) => c.name === "general" && c.type === 0);
    view.channel = general ? general.id : (state.channels.find((c) => c.type === 0) || {}).id || null;
  }
  return view.channel;
}

function isForum(id) {
  const found = view.state.channels.find((c) => c.id === id);
  return Boolean(found && found.type === 15);
}

function connectLive() {
  const socket = new WebSocket(`ws://${location.host}/live`);
  socket.onopen = () => $("live").classList.add("on");
  socket.onmessage = () => refresh();
  socket.onclose = () => { $("live").classList.remove("on"); setTimeout(connectLive, 1000); };
}

// --- small DOM helpers -----------------------------------------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "data") for (const [k, v] of Object.entries(value)) node.dataset[k] = v;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function safeUrl(raw) {
  try {
    const url = new URL(raw);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch { return null; }
}

// --- Discord's markdown subset, built as DOM --------------------------------------------------------------------

const INLINE = /(```[\s\S]*?```)|(`[^`\n]+`)|(\*\*[\s\S]+?\*\*)|(__[\s\S]+?__)|(\*[^*\n]+?\*)|(\b_[^_\n]+?_\b)|(~~[\s\S]+?~~)|(<@!?\d+>)|(<@&\d+>)|(<#\d+>)|(<t:-?\d+(?::[tTdDfFR])?>)|(\[[^\]\n]+\]\(<?[^)\s>]+>?\))|(<?https?:\/\/[^\s<>]+>?)/;

function inline(text, parent) {
  while (text) {
    const m = INLINE.exec(text);
    if (!m) { parent.append(document.createTextNode(text)); return; }
    if (m.index > 0) parent.append(document.createTextNode(text.slice(0, m.index)));
    const token = m[0];
    text = text.slice(m.index + token.length);
    if (m[1]) parent.append(el("pre", {}, el("code", { text: token.slice(3, -3).replace(/^[a-z]*\n/, "") })));
    else if (m[2]) parent.append(el("code", { text: token.slice(1, -1) }));
    else if (m[3]) inline(token.slice(2, -2), parent.appendChild(el("strong")));
    else if (m[4]) inline(token.slice(2, -2), parent.appendChild(el("u")));
    else if (m[5] || m[6]) inline(token.slice(1, -1), parent.appendChild(el("em")));
    else if (m[7]) inline(token.slice(2, -2), parent.appendChild(el("s")));
    else if (m[8]) parent.append(mention("@", view.state.names.users[token.replace(/\D/g, "")] || "unknown-user"));
    else if (m[9]) parent.append(mention("@", view.state.names.roles[token.replace(/\D/g, "")] || "unknown-role"));
    else if (m[10]) parent.append(channelMention(token.replace(/\D/g, "")));
    else if (m[11]) parent.append(timestamp(token));
    else if (m[12]) {
      const split = token.indexOf("](");
      link(token.slice(1, split), token.slice(split + 2, -1).replace(/^<|>$/g, ""), parent);
    } else if (m[13]) { const raw = token.replace(/^<|>$/g, ""); link(raw, raw, parent); }
  }
}

function mention(prefix, name) { return el("span", { class: "mention", text: prefix + name }); }

function channelMention(id) {
  const name = view.state.names.channels[id];
  if (!name) return mention("#", "unknown");
  return el("a", { class: "mention", href: "#", text: "#" + name, onclick: (e) => { e.preventDefault(); openChannel(id); } });
}

function link(label, target, parent) {
  // Links to a channel of this server open it; other http(s) links open in a new tab; anything else is text.
  const local = /^https:\/\/discord\.com\/channels\/(\d+)\/(\d+)(?:\/(\d+))?$/.exec(target);
  if (local && view.state.names.channels[local[2]]) {
    const anchor = el("a", { href: "#", onclick: (e) => { e.preventDefault(); openChannel(local[2]); } });
    if (label === target) anchor.textContent = "#" + view.state.names.channels[local[2]]; else inline(label, anchor);
    parent.append(anchor);
    return;
  }
  const url = safeUrl(target);
  if (!url) { parent.append(document.createTextNode(label === target ? label : `[${label}](${target})`)); return; }
  const anchor = el("a", { href: url, target: "_blank", rel: "noopener noreferrer nofollow" });
  if (label === target) anchor.textContent = label; else inline(label, anchor);
  parent.append(anchor);
}

function timestamp(token) {
  const [, secs, style = "f"] = /<t:(-?\d+)(?::(\w))?>/.exec(token);
  const when = new Date(Number(secs) * 1000);
  let text;
  if (style === "R") text = relative(when, new Date(view.state.now));
  else if (style === "t") text = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  else if (style === "T") text = when.toLocaleTimeString();
  else if (style === "d") text = when.toLocaleDateString();
  else if (style === "D") text = when.toLocaleDateString([], { dateStyle: "long" });
  else if (style === "F") text = when.toLocaleString([], { dateStyle: "full", timeStyle: "short" });
  else text = when.toLocaleString([], { dateStyle: "long", timeStyle: "short" });
  return el("span", { class: "mention", text, title: when.toString() });
}

function relative(when, now) {
  const seconds = Math.round((when - now) / 1000);
  const units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return new Intl.RelativeTimeFormat("en", { numeric: "auto" }).format(Math.round(seconds / size), unit);
    }
  }
  return "";
}

function markdown(text) {
  const box = el("div", { class: "md content" });
  if (!text) return box;
  // Block quotes and headings per line; code blocks are handled inline (they may span lines).
  const parts = text.split(/(```[\s\S]*?```)/);
  for (const part of parts) {
    if (part.startsWith("```")) { inline(part, box); continue; }
    const lines = part.split("\n");
    lines.forEach((line, i) => {
      let target = box;
      let rest = line;
      const quote = /^>\s?(.*)$/.exec(rest);
      if (quote) { target = box.appendChild(el("blockquote")); rest = quote[1]; }
      const heading = /^(#{1,3})\s+(.*)$/.exec(rest);
      if (heading) { target = target.appendChild(el("strong", { class: `h${heading[1].length}` })); rest = heading[2]; }
      const small = /^-#\s+(.*)$/.exec(rest);
      if (small) { target = target.appendChild(el("small")); rest = small[1]; }
      const bullet = !small && /^(\s*)[-*]\s+(.*)$/.exec(rest);
      if (bullet) { target.append(document.createTextNode(`${bullet[1]}• `)); rest = bullet[2]; }
      inline(rest, target);
      if (i < lines.length - 1 && !quote) box.append(document.createTextNode("\n"));
    });
  }
  return box;
}

// --- messages --------------------------------------------------------------------------------------------------------

function attachmentUrl(message, ref) {
  if (!ref) return null;
  if (ref.startsWith("attachment://")) {
    const found = message.attachments.find((a) => a.filename === ref.slice(13));
    return found ? `/attachments/${found.id}` : null;
  }
  return null; // outside images are not fetched: the playground opens no connection of its own
}

function renderEmbed(message, embed) {
  const box = el("div", { class: "embed" });
  if (embed.color) box.style.borderLeftColor = `#${Number(embed.color).toString(16).padStart(6, "0")}`;
  if (embed.author && embed.author.name) box.append(el("div", { class: "embed-author", text: embed.author.name }));
  if (embed.title) {
    const title = el("div", { class: "title" });
    const url = embed.url && safeUrl(embed.url);
    if (url) link(embed.title, url, title); else inline(embed.title, title);
    box.append(title);
  }
  if (embed.description) box.append(markdown(embed.description));
  if (embed.fields && embed.fields.length) {
    const grid = el("div", { class: "fields" });
    for (const field of embed.fields) {
      const name = el("div", { class: "field-name" });
      inline(field.name || "", name);
      grid.append(el("div", { class: "field" + (field.inline ? " inline" : "") }, name, markdown(field.value || "")));
    }
    box.append(grid);
  }
  for (const key of ["image", "thumbnail"]) {
    const src = embed[key] && attachmentUrl(message, embed[key].url);
    if (src) box.append(el("img", { src, alt: key }));
  }
  const footer = [embed.footer && embed.footer.text, embed.timestamp && new Date(embed.timestamp).toLocaleString()]
    .filter(Boolean).join(" • ");
  if (footer) box.append(el("div", { class: "footer", text: footer }));
  return box;
}

function selectOptions(component) {
  const state = view.state;
  const members = state.members.map((m) => ({ label: m.name, value: m.id }));
  const roles = Object.entries(state.names.roles).filter(([, n]) => n !== "@everyone")
    .map(([value, label]) => ({ label: "@" + label, value }));
  const channels = state.channels.filter((c) => c.type !== 4).map((c) => ({ label: "#" + c.name, value: c.id }));
  switch (component.type) {
    case 3: return component.options || [];
    case 5: return members;
    case 6: return roles;
    case 7: return [...members, ...roles];
    case 8: return channels;
    default: return [];
  }
}

function renderSelect(message, component, onPick) {
  const many = (component.max_values || 1) > 1;
  const select = el("select", { multiple: many, disabled: Boolean(component.disabled), data: { customId: component.custom_id } });
  if (!many) select.append(el("option", { value: "", text: component.placeholder || "Make a selection", disabled: true, selected: true }));
  for (const option of selectOptions(component)) {
    const label = option.emoji && option.emoji.name ? `${option.emoji.name} ${option.label}` : option.label;
    select.append(el("option", { value: option.value, text: label, title: option.description || "", selected: Boolean(option.default) && many }));
  }
  if (many) select.size = Math.min(6, select.options.length);
  const send = el("button", {
    type: "button", class: "btn style-1", text: "Choose", disabled: Boolean(component.disabled),
    onclick: () => {
      const values = [...select.selectedOptions].map((o) => o.value).filter(Boolean);
      onPick(component.custom_id, values);
    },
  });
  const hint = many ? el("span", { class: "only-you", text: `pick ${component.min_values ?? 1}-${component.max_values}` }) : null;
  return el("div", { class: "row select-row" }, select, send, hint);
}

function renderComponent(message, component) {
  const pick = (customId, values) => act({ action: "select", message: message.id, custom_id: customId, values });
  switch (component.type) {
    case 1: {
      const row = el("div", { class: "row" });
      for (const child of component.components || []) row.append(renderComponent(message, child));
      return row;
    }
    case 2: {
      const label = [component.emoji && component.emoji.name, component.label].filter(Boolean).join(" ");
      if (component.style === 5) {
        const url = safeUrl(component.url || "");
        return url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "btn", text: label })
          : el("span", { text: label });
      }
      return el("button", {
        type: "button", class: `btn style-${component.style || 2}`, text: label, disabled: Boolean(component.disabled),
        data: { customId: component.custom_id || "" },
        onclick: () => act({ action: "button", message: message.id, custom_id: component.custom_id }),
      });
    }
    case 3: case 5: case 6: case 7: case 8: return renderSelect(message, component, pick);
    case 10: return markdown(component.content || "");
    case 9: {
      const box = el("div", { class: "section" });
      for (const child of component.components || []) box.append(renderComponent(message, child));
      if (component.accessory) box.append(renderComponent(message, component.accessory));
      return box;
    }
    case 11: {
      const src = attachmentUrl(message, component.media && component.media.url);
      return src ? el("img", { src, alt: component.description || "" }) : el("span");
    }
    case 12: {
      const box = el("div", { class: "gallery attachment" });
      for (const item of component.items || []) {
        const src = attachmentUrl(message, item.media && item.media.url);
        if (src) box.append(el("img", { src, alt: item.description || "" }));
      }
      return box;
    }
    case 14: return el("hr", { class: "sep" });
    case 17: {
      const box = el("div", { class: "embed" });
      for (const child of component.components || []) box.append(renderComponent(message, child));
      return box;
    }
    default: return el("span");
  }
}

function messageCommands() {
  return view.state.commands.filter((c) => c.type === 3);
}

function showContextMenu(message, button) {
  const menu = $("context-menu");
  menu.replaceChildren(el("div", { class: "only-you", text: "Apps" }));
  for (const command of messageCommands()) {
    menu.append(el("button", {
      type: "button", text: command.name,
      onclick: () => { menu.hidden = true; act({ action: "context", message: message.id, command: command.name }); },
    }));
  }
  const box = button.getBoundingClientRect();
  menu.style.left = `${Math.max(8, box.left - 160)}px`;
  menu.style.top = `${box.bottom}px`;
  menu.hidden = false;
}

function renderMessage(message) {
  const box = el("article", { class: "message" + (message.ephemeral ? " ephemeral" : ""), data: { id: message.id, author: message.author.id } });
  const head = el("div", { class: "head" },
    el("span", { class: "author", text: message.author.name }),
    message.author.bot ? el("span", { class: "badge", text: "BOT" }) : null,
    el("span", { text: new Date(message.timestamp).toLocaleTimeString() + (message.edited ? " (edited)" : "") }));
  box.append(head);
  if (message.ephemeral) box.append(el("div", { class: "only-you", text: "Only you can see this" }));
  if (message.loading) box.append(el("div", { class: "loading", text: `${message.author.name} is thinking…` }));
  if (message.content) box.append(markdown(message.content));
  for (const embed of message.embeds || []) box.append(renderEmbed(message, embed));
  const shownInline = new Set();
  for (const component of message.components || []) box.append(renderComponent(message, component));
  for (const attachment of message.attachments || []) {
    if (shownInline.has(attachment.id)) continue;
    const isImage = /^image\/(png|jpeg|gif|webp)$/.test(attachment.content_type);
    const used = JSON.stringify(message.embeds || []).includes(`attachment://${attachment.filename}`);
    if (isImage && !used) box.append(el("div", { class: "attachment" }, el("img", { src: `/attachments/${attachment.id}`, alt: attachment.filename })));
    else if (!isImage) box.append(el("div", { class: "attachment" }, el("a", { href: `/attachments/${attachment.id}`, text: `📎 ${attachment.filename}` })));
  }
  if (message.thread) {
    box.append(el("button", { type: "button", class: "thread-link", text: `🧵 ${message.thread.name} — ${message.thread.count} messages`,
      onclick: () => openChannel(message.thread.id) }));
  }
  const reactions = Object.entries(message.reactions || {});
  if (reactions.length) box.append(el("div", { class: "row" }, ...reactions.map(([emoji, n]) => el("span", { class: "tag", text: `${emoji} ${n}` }))));
  if (!message.ephemeral && messageCommands().length) {
    box.append(el("button", { type: "button", class: "menu-button", title: "Apps", text: "⋯",
      onclick: (e) => { e.stopPropagation(); showContextMenu(message, e.currentTarget); } }));
  }
  return box;
}

// --- the sidebar, the forum, the members ---------------------------------------------------------------------------

function tagNames(channelId, tagIds) {
  const forum = view.state.channels.find((c) => c.id === channelId);
  if (!forum) return [];
  return tagIds.map((id) => forum.tags.find((t) => t.id === id)).filter(Boolean).map((t) => (t.emoji ? `${t.emoji} ` : "") + t.name);
}

function channelButton(channel, extraClass = "") {
  const icon = channel.type === 15 ? "💬 " : channel.type === 5 ? "📢 " : "# ";
  return el("button", { type: "button", class: `chan ${extraClass}` + (channel.id === view.channel ? " active" : ""),
    text: icon + channel.name, data: { channelId: channel.id }, onclick: () => openChannel(channel.id) });
}

function threadButton(thread) {
  const button = el("button", { type: "button", class: "chan sub" + (thread.id === view.channel ? " active" : ""),
    data: { channelId: thread.id }, onclick: () => openChannel(thread.id) });
  button.append(document.createTextNode((thread.archived ? "🗄 " : "↳ ") + thread.name));
  for (const name of tagNames(thread.parent_id, thread.tags)) button.append(el("span", { class: "tag", text: name }));
  return button;
}

function renderSidebar() {
  const state = view.state;
  const box = $("channels");
  box.replaceChildren();
  const byParent = new Map();
  for (const channel of state.channels) {
    const key = channel.type === 4 ? null : channel.parent_id;
    if (!byParent.has(key)) byParent.set(key, []);
    byParent.get(key).push(channel);
  }
  const addChannels = (list) => {
    for (const channel of list || []) {
      box.append(channelButton(channel));
      for (const thread of state.threads.filter((t) => t.parent_id === channel.id)) box.append(threadButton(thread));
    }
  };
  addChannels((byParent.get("") || []).filter((c) => c.type !== 4));
  for (const category of state.channels.filter((c) => c.type === 4)) {
    const children = byParent.get(category.id) || [];
    if (!children.length) continue;
    box.append(el("h3", { text: category.name }));
    addChannels(children);
  }
  box.append(el("h3", { text: "Events" }));
  if (!state.events.length) box.append(el("div", { class: "event", text: "No events" }));
  for (const event of state.events) {
    const when = event.start ? new Date(event.start) : null;
    box.append(el("div", { class: "event", data: { eventId: event.id } }, el("strong", { text: "📅 " + event.name }),
      el("div", { text: when ? `${when.toLocaleString()} (${relative(when, new Date(state.now))})` : "" }),
      event.location ? el("div", { text: "📍 " + event.location }) : null));
  }
  box.append(el("h3", { text: "Direct messages" }));
  box.append(el("button", { type: "button", class: "chan" + (view.channel === "dm" || view.channel === state.dm_channel_id ? " active" : ""),
    text: `✉ ${state.bot.name}`, data: { channelId: "dm" }, onclick: () => openChannel("dm") }));
}

function renderMembers() {
  const list = $("member-list");
  list.replaceChildren();
  for (const member of view.state.members) {
    list.append(el("li", { class: member.id === view.me ? "me" : "", data: { memberId: member.id } },
      el("div", { text: member.name }),
      el("div", {}, ...member.roles.filter((r) => r !== "@everyone").map((r) => el("span", { class: "role", text: r })))));
  }
  const select = $("member");
  const chosen = view.me;
  select.replaceChildren(...view.state.members.map((m) => el("option", { value: m.id, text: m.name, selected: m.id === chosen })));
}

function renderForum(forum) {
  const box = $("forum-posts");
  box.replaceChildren(el("div", { class: "only-you", text: "Posts — open one to read it, or start a new one below" }));
  for (const thread of view.state.threads.filter((t) => t.parent_id === forum.id)) {
    const post = el("button", { type: "button", class: "post", data: { channelId: thread.id }, onclick: () => openChannel(thread.id) },
      el("strong", { text: thread.name }));
    for (const name of tagNames(forum.id, thread.tags)) post.append(el("span", { class: "tag", text: name }));
    box.append(post);
  }
  const tags = $("post-tags");
  const picked = new Set([...tags.querySelectorAll("input:checked")].map((i) => i.value));
  tags.replaceChildren(...forum.tags.map((t) => el("label", {}, el("input", { type: "checkbox", value: t.id, checked: picked.has(t.id) }), ` ${t.name}`)));
}

function render() {
  const state = view.state;
  $("guild-name").textContent = state.guild.name;
  $("locale").value = state.locale;
  $("clock").textContent = "🕒 " + new Date(state.now).toLocaleString([], { weekday: "short", dateStyle: undefined, hour: "2-digit", minute: "2-digit", day: "numeric", month: "short" });
  renderSidebar();
  renderMembers();
  renderCommands();
  const id = currentChannel();
  const channel = state.channels.find((c) => c.id === id);
  const thread = state.threads.find((t) => t.id === id);
  const forum = channel && channel.type === 15;
  $("forum-posts").hidden = !forum;
  $("forum-fields").hidden = !forum;
  $("messages").hidden = Boolean(forum);
  $("channel-title").textContent = view.channel === "dm" || id === state.dm_channel_id ? `✉ ${state.bot.name}`
    : channel ? (forum ? "💬 " : "# ") + channel.name : thread ? `🧵 ${thread.name}` : "";
  $("channel-topic").textContent = channel ? channel.topic : thread ? tagNames(thread.parent_id, thread.tags).join(", ") : "";
  $("message-input").placeholder = forum ? "The post's first message" : "Write a message";
  if (forum) renderForum(channel);
  // Messages are rebuilt only when they changed, so a live update never resets a menu someone is picking in.
  const key = JSON.stringify([id, view.me, view.messages, state.names, state.now]);
  if (key === view.renderedKey) return;
  view.renderedKey = key;
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren(...view.messages.map(renderMessage));
  if (!id && view.channel === "dm") box.replaceChildren(el("div", { class: "only-you", text: "No direct messages yet." }));
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function openChannel(id) {
  view.channel = id;
  $("context-menu").hidden = true;
  refresh();
}

// --- the command bar -----------------------------------------------------------------------------------------------

// A command's, option's or choice's name or description as Discord shows it to this member: in the language of
// their app when the bot gave one (name_localizations / description_localizations), else the default.
function shown(item, field) {
  const translated = item[`${field}_localizations`];
  return (translated && translated[view.state.locale]) || item[field];
}

function commandPaths() {
  // Every runnable /command [group] [subcommand] the bot registered for the member; `key` is what is sent (the
  // names Discord sends are always the default ones), `label` what the member reads.
  const out = [];
  for (const command of view.state.commands.filter((c) => (c.type || 1) === 1)) {
    const options = command.options || [];
    const subs = options.filter((o) => o.type === 1 || o.type === 2);
    if (!subs.length) { out.push({ name: command.name, parts: [command], description: shown(command, "description"), options }); continue; }
    for (const sub of subs) {
      if (sub.type === 1) out.push({ name: command.name, subcommand: sub.name, parts: [command, sub], description: shown(sub, "description"), options: sub.options || [] });
      else for (const leaf of sub.options || []) {
        out.push({ name: command.name, group: sub.name, subcommand: leaf.name, parts: [command, sub, leaf], description: shown(leaf, "description"), options: leaf.options || [] });
      }
    }
  }
  return out.map((p) => ({ ...p, key: ["/" + p.name, p.group, p.subcommand].filter(Boolean).join(" "),
    label: "/" + p.parts.map((part) => shown(part, "name")).join(" ") }));
}

function renderCommands() {
  const select = $("command");
  const paths = commandPaths();
  const keys = paths.map((p) => p.label).join("|");
  if (select.dataset.keys === keys) return;
  const chosen = select.value;
  select.dataset.keys = keys;
  select.replaceChildren(el("option", { value: "", text: "/ Pick a command" }), ...paths.map((p) => el("option", { value: p.key, text: p.label, selected: p.key === chosen })));
  renderOptions();
}

function chosenPath() {
  return commandPaths().find((p) => p.key === $("command").value) || null;
}

function optionValues(exceptFocused) {
  const values = {};
  for (const input of $("command-options").querySelectorAll("[data-option]")) {
    if (input.value !== "" && input.dataset.option !== exceptFocused) values[input.dataset.option] = input.value;
  }
  return values;
}

function renderOptions() {
  const path = chosenPath();
  const box = $("command-options");
  box.replaceChildren();
  $("command-description").textContent = path ? path.description || "" : "";
  if (!path) return;
  for (const option of path.options) {
    let input;
    const choices = option.choices || [];
    const pickFrom = (items, blank) => el("select", {}, el("option", { value: "", text: blank }), ...items.map((c) => el("option", { value: String(c.value), text: shown(c, "name") })));
    const members = view.state.members.map((m) => ({ name: m.name, value: m.id }));
    const roles = Object.entries(view.state.names.roles).map(([value, name]) => ({ name: "@" + name, value }));
    if (choices.length) input = pickFrom(choices, option.required ? "choose…" : "(none)");
    else if (option.type === 5) input = pickFrom([{ name: "true", value: "true" }, { name: "false", value: "false" }], "(default)");
    else if (option.type === 6) input = pickFrom(members, "member…");
    else if (option.type === 8) input = pickFrom(roles, "role…");
    else if (option.type === 9) input = pickFrom([...members, ...roles], "member or role…");
    else if (option.type === 7) input = pickFrom(view.state.channels.filter((c) => c.type !== 4).map((c) => ({ name: "#" + c.name, value: c.id })), "channel…");
    else {
      input = el("input", { type: option.type === 4 || option.type === 10 ? "number" : "text", placeholder: shown(option, "description") || "" });
      if (option.max_length) input.maxLength = option.max_length;
      if (option.autocomplete) {
        const list = el("datalist", { id: `ac-${option.name}` });
        input.setAttribute("list", list.id);
        let timer = null;
        input.addEventListener("input", () => {
          clearTimeout(timer);
          timer = setTimeout(() => autocomplete(path, option.name, input.value, list), 200);
        });
        input.addEventListener("focus", () => autocomplete(path, option.name, input.value, list));
        box.append(list);
      }
    }
    input.dataset.option = option.name;
    input.title = shown(option, "description") || "";
    box.append(el("label", {}, `${shown(option, "name")}${option.required ? " *" : ""}`, input));
  }
}

async function autocomplete(path, focused, typed, list) {
  const channel = currentChannel();
  const options = { ...optionValues(focused), [focused]: typed };
  const response = await fetch("/api/act", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ as: view.me, action: "autocomplete", channel, command: path.name, group: path.group,
      subcommand: path.subcommand, options, focused }),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) return;
  list.replaceChildren(...(answer.choices || []).map((c) => el("option", { value: String(c.value), label: c.name, text: c.name })));
}

async function runCommand(event) {
  event.preventDefault();
  const path = chosenPath();
  if (!path) { toast("Pick a command first"); return; }
  const channel = currentChannel();
  if (!channel || isForum(channel)) { toast("Commands run in a text channel, a thread or DMs: open one first"); return; }
  const button = $("run-command");
  button.disabled = true;
  try {
    const answer = await act({ action: "slash", channel, command: path.name, group: path.group, subcommand: path.subcommand, options: optionValues() });
    if (answer) for (const input of $("command-options").querySelectorAll("input")) input.value = "";
  } finally { button.disabled = false; }
}

// --- modals --------------------------------------------------------------------------------------------------------

function openModal(interaction, modal) {
  view.modalFrom = interaction;
  $("modal-title").textContent = modal.title || "";
  const fields = $("modal-fields");
  fields.replaceChildren();
  const addInput = (component, label) => {
    if (component.type === 4) {
      const input = component.style === 2 ? el("textarea", { rows: 4 }) : el("input", { type: "text" });
      input.value = component.value || "";
      input.placeholder = component.placeholder || "";
      if (component.max_length) input.maxLength = component.max_length;
      input.required = component.required !== false;
      input.dataset.input = component.custom_id;
      fields.append(el("label", {}, (label || component.label || "") + (input.required ? " *" : ""), input));
    } else if (component.type === 3) {
      const select = el("select", { multiple: (component.max_values || 1) > 1 }, ...(component.options || []).map((o) => el("option", { value: o.value, text: o.label })));
      select.dataset.select = component.custom_id;
      fields.append(el("label", {}, label || component.placeholder || "", select));
    } else if (component.type === 10) {
      fields.append(markdown(component.content || ""));
    }
  };
  for (const top of modal.components || []) {
    if (top.type === 1) for (const c of top.components || []) addInput(c);
    else if (top.type === 18) addInput(top.component, top.label);
    else addInput(top);
  }
  $("modal-backdrop").hidden = false;
  const first = fields.querySelector("input, textarea, select");
  if (first) first.focus();
}

async function submitModal(event) {
  event.preventDefault();
  const values = {};
  for (const input of $("modal-fields").querySelectorAll("[data-input]")) values[input.dataset.input] = input.value;
  for (const select of $("modal-fields").querySelectorAll("[data-select]")) values[select.dataset.select] = [...select.selectedOptions].map((o) => o.value);
  $("modal-backdrop").hidden = true;
  await act({ action: "modal", interaction: view.modalFrom, values });
}

// --- wiring ----------------------------------------------------------------------------------------------------------

async function send(event) {
  event.preventDefault();
  const channel = currentChannel();
  const content = $("message-input").value;
  if (!content.trim()) return;
  const body = { action: "post", channel: channel || "", content };
  if (isForum(channel)) {
    body.title = $("post-title").value;
    body.tags = [...$("post-tags").querySelectorAll("input:checked")].map((i) => i.value);
  }
  const answer = await act(body);
  if (answer) {
    $("message-input").value = "";
    $("post-title").value = "";
    if (answer.channel) openChannel(answer.channel);
  }
}

function start() {
  $("member").addEventListener("change", (e) => { view.me = e.target.value; refresh(); });
  $("locale").addEventListener("change", (e) => act({ action: "locale", locale: e.target.value }));
  $("join").addEventListener("click", async () => {
    const answer = await act({ action: "join" });
    if (answer) { view.me = answer.member; view.channel = "dm"; refresh(); }
  });
  for (const button of document.querySelectorAll("button.time")) {
    button.addEventListener("click", async () => {
      const all = document.querySelectorAll("button.time");
      all.forEach((b) => { b.disabled = true; });
      try { await act({ action: "time", hours: Number(button.dataset.hours) }); } finally { all.forEach((b) => { b.disabled = false; }); }
    });
  }
  $("composer").addEventListener("submit", send);
  $("message-input").addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(e); } });
  $("command-bar").addEventListener("submit", runCommand);
  $("command").addEventListener("change", renderOptions);
  $("modal").addEventListener("submit", submitModal);
  $("modal-cancel").addEventListener("click", () => { $("modal-backdrop").hidden = true; });
  document.addEventListener("click", () => { $("context-menu").hidden = true; });
  refresh();
  connectLive();
}

start();
