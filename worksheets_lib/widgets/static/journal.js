// The client's journal app: plain, accessible HTML drawn from the widget's `state`.
// Every change is a request to the Python side (journal.py) that gets a reply; no reply
// in time means "not saved", and the words typed stay in the form. Client text is only
// ever put on the page as text (textContent), never as markup.

const REPLY_MS = 8000;
const PRINT_MS = 90000;
const DRAFT_MS = 1000;

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let uid = 0;
const newId = (stem) => `wsj-${stem}-${++uid}`;

function render({ model, el }) {
  const pending = new Map();
  let seq = 0;
  function request(type, payload = {}, timeout = REPLY_MS) {
    return new Promise((resolve) => {
      const id = ++seq;
      const lost = () => { pending.delete(id); resolve({ ok: false, lost: true }); };
      let timer = setTimeout(lost, timeout);
      const done = (reply) => { clearTimeout(timer); resolve(reply); };
      // The app says it is still at work (a busy casebook): wait for it a while longer.
      done.wait = () => { clearTimeout(timer); timer = setTimeout(lost, timeout + 30000); };
      pending.set(id, done);
      try {
        model.send({ type, id, ...payload });
      } catch (error) {
        clearTimeout(timer);
        pending.delete(id);
        resolve({ ok: false, lost: true });
      }
    });
  }
  const onMessage = (msg) => {
    if (msg && msg.type === "progress" && pending.has(msg.id)) {
      pending.get(msg.id).wait();
      say(String(msg.message || ""));
    }
    if (msg && msg.type === "reply" && pending.has(msg.id)) {
      const done = pending.get(msg.id);
      pending.delete(msg.id);
      done(msg);
    }
  };
  model.on("msg:custom", onMessage);

  const LOST = "This was not saved: the journal app is not answering (it may have been " +
    "stopped). What you wrote is still here. Please copy it somewhere safe, and ask your " +
    "therapist to start the journal again.";

  const root = h("div", { class: "wsj", lang: "en" });
  el.append(root);
  const state = () => model.get("state") || {};

  // -- the frame: header, live regions, tabs, the notice on every tab --------------------
  const title = h("h1", { class: "wsj-title", text: "My journal" });
  const practiceLine = h("p", { class: "wsj-practice" });
  const status = h("div", { class: "wsj-status", role: "status", "aria-live": "polite" });
  const alert = h("div", { class: "wsj-alert", role: "alert" });
  const tabNames = [["today", "Today"], ["entries", "My entries"], ["ladder", "My ladder"],
                    ["goals", "My goals"], ["trends", "How it's going"]];
  const tabs = {}, panels = {};
  const tablist = h("div", { class: "wsj-tabs", role: "tablist", "aria-label": "Journal" });
  for (const [key, label] of tabNames) {
    const tabId = newId(`tab-${key}`), panelId = newId(`panel-${key}`);
    tabs[key] = h("button", { type: "button", role: "tab", id: tabId, class: "wsj-tab",
                              "aria-controls": panelId, text: label,
                              onclick: () => select(key, true) });
    panels[key] = h("section", { role: "tabpanel", id: panelId, "aria-labelledby": tabId,
                                 class: "wsj-panel", tabindex: "-1" });
    tablist.append(tabs[key]);
  }
  tablist.addEventListener("keydown", (event) => {
    const keys = tabNames.map(([k]) => k);
    const at = keys.indexOf(current);
    let to = null;
    if (event.key === "ArrowRight") to = keys[(at + 1) % keys.length];
    else if (event.key === "ArrowLeft") to = keys[(at - 1 + keys.length) % keys.length];
    else if (event.key === "Home") to = keys[0];
    else if (event.key === "End") to = keys[keys.length - 1];
    if (to) { event.preventDefault(); select(to, false); tabs[to].focus(); }
  });
  let current = "today";
  function select(key, focusPanel) {
    current = key;
    for (const [k] of tabNames) {
      const on = k === key;
      tabs[k].setAttribute("aria-selected", on ? "true" : "false");
      tabs[k].tabIndex = on ? 0 : -1;
      panels[k].hidden = !on;
    }
    if (focusPanel) panels[key].focus({ preventScroll: true });
  }
  const notice = h("aside", { class: "wsj-notice", "aria-label": "Please know" },
    h("p", { text: "Your therapist reads what you save here." }),
    h("p", { class: "wsj-crisis" }));
  root.append(h("header", { class: "wsj-header" }, title, practiceLine), status, alert,
              tablist, ...Object.values(panels), notice);

  function say(text, kind = "ok") {
    if (kind === "error") { alert.textContent = text; status.textContent = ""; }
    else { status.textContent = text; alert.textContent = ""; }
  }
  function quiet() { status.textContent = ""; alert.textContent = ""; }

  // -- small form helpers -----------------------------------------------------------------
  function field(labelText, control, hint) {
    const id = control.id || (control.id = newId("f"));
    const note = h("p", { class: "wsj-note", id: `${id}-note`, hidden: true });
    const help = hint ? h("p", { class: "wsj-hint", id: `${id}-hint`, text: hint }) : null;
    control.setAttribute("aria-describedby", [help && help.id, note.id].filter(Boolean).join(" "));
    return { box: h("div", { class: "wsj-field" }, h("label", { for: id, text: labelText }),
                    help, control, note), note, control };
  }
  function showNote(item, text) {
    item.note.textContent = text || "";
    item.note.hidden = !text;
    const target = item.control;
    if (text) target.setAttribute("aria-invalid", "true");
    else target.removeAttribute("aria-invalid");
  }
  // A row of choices as real radio buttons (arrow keys move; each is a 44 px target),
  // with "Clear" to take a choice back: an untouched or cleared row stores nothing.
  function choices(name, legendText, options, hint) {
    const group = newId(name);
    const row = h("div", { class: "wsj-choices" });
    for (const [value, label] of options) {
      const input = h("input", { type: "radio", name: group, value });
      row.append(h("label", { class: "wsj-chip" }, input, h("span", { text: label })));
    }
    const note = h("p", { class: "wsj-note", id: `${group}-note`, hidden: true });
    const help = hint ? h("p", { class: "wsj-hint", id: `${group}-hint`, text: hint }) : null;
    const clear = h("button", { type: "button", class: "wsj-link",
                                text: "Clear", "aria-label": `Clear: ${legendText}`,
                                onclick: () => { set(null); row.dispatchEvent(
                                  new Event("change", { bubbles: true })); } });
    const box = h("fieldset", { class: "wsj-field wsj-set",
                                "aria-describedby": [help && help.id, note.id]
                                  .filter(Boolean).join(" ") },
                  h("legend", { text: legendText }), help, row, clear, note);
    const inputs = () => [...row.querySelectorAll("input")];
    function get() { const on = inputs().find((i) => i.checked); return on ? on.value : null; }
    function set(value) { for (const i of inputs()) i.checked = value !== null && i.value === String(value); }
    return { box, note, control: box, get, set };
  }
  const scale = (name, legend) =>
    choices(name, legend, [...Array(11).keys()].map((n) => [String(n), String(n)]),
            "0 is not at all, 10 is the strongest.");

  // -- Today: the entry form --------------------------------------------------------------
  const greeting = h("h2", { class: "wsj-h2" });
  const intro = h("p", { text: "Choose one moment that stirred a feeling, big or small. " +
                                "There are no wrong answers." });
  const draftOffer = h("div", { class: "wsj-offer", hidden: true });
  const f = {};
  f.date = field("Which day?", h("input", { type: "date", class: "wsj-input" }),
                 "Today, or an earlier day you want to write about.");
  f.what_happened = field("What happened?", h("textarea", { class: "wsj-input", rows: "3" }));
  const feelingSelect = h("select", { class: "wsj-input" },
                          h("option", { value: "", text: "Choose a feeling" }));
  f.feeling = field("The feeling", feelingSelect);
  f.own_word = field("My own word for it", h("input", { type: "text", class: "wsj-input",
                                                         maxlength: "60" }));
  f.intensity = scale("intensity", "How strong was it? (0 to 10)");
  f.body = field("Where did I feel it in my body?", h("textarea", { class: "wsj-input", rows: "2" }));
  f.paused = choices("paused", "Did I pause before I acted?",
                     [["yes", "Yes"], ["no", "Not this time"]]);
  f.pause_named = field("I named the feeling as", h("input", { type: "text", class: "wsj-input" }));
  f.pause_rating = scale("pause_rating", "I rated it (0 to 10)");
  f.pause_step = field("The step I chose", h("textarea", { class: "wsj-input", rows: "2" }));
  const pauseBox = h("div", { class: "wsj-pause" }, f.pause_named.box, f.pause_rating.box,
                     f.pause_step.box);
  f.what_i_did = field("What did I do?", h("textarea", { class: "wsj-input", rows: "3" }));
  f.afterwards = choices("afterwards", "Afterwards I felt", []);
  const saveButton = h("button", { type: "submit", class: "wsj-primary", text: "Save my entry" });
  const cancelButton = h("button", { type: "button", class: "wsj-secondary", hidden: true,
                                     text: "Stop editing", onclick: () => stopEditing(true) });
  const form = h("form", { class: "wsj-form", novalidate: true },
                 f.date.box, f.what_happened.box, f.feeling.box, f.own_word.box,
                 f.intensity.box, f.body.box, f.paused.box, pauseBox, f.what_i_did.box,
                 f.afterwards.box, h("div", { class: "wsj-actions" }, saveButton, cancelButton));
  panels.today.append(greeting, intro, draftOffer, form);
  let editing = null, saving = false;

  function fillFeelings() {
    const s = state();
    if (feelingSelect.options.length > 1) return;
    for (const word of s.feelings || []) feelingSelect.append(h("option", { value: word, text: word }));
    feelingSelect.append(h("option", { value: "own", text: "My own word…" }));
    const row = f.afterwards.box.querySelector(".wsj-choices");
    const group = newId("afterwards");
    for (const [value, label] of s.afterwards || []) {
      row.append(h("label", { class: "wsj-chip wsj-wide" },
                   h("input", { type: "radio", name: group, value }), h("span", { text: label })));
    }
    const partner = s.partner ? `With my ${s.partner} or the people involved.` : "";
    if (partner) {
      const hint = h("p", { class: "wsj-hint", id: newId("hint"), text: partner });
      f.afterwards.box.insertBefore(hint, row);
      f.afterwards.box.setAttribute("aria-describedby", hint.id + " " + f.afterwards.note.id);
    }
  }
  function showParts() {
    f.own_word.box.hidden = feelingSelect.value !== "own";
    pauseBox.hidden = f.paused.get() !== "yes";
  }
  function read() {
    return {
      date: f.date.control.value, what_happened: f.what_happened.control.value,
      feeling: feelingSelect.value, own_word: f.own_word.control.value,
      intensity: f.intensity.get(), body: f.body.control.value, paused: f.paused.get(),
      pause_named: f.pause_named.control.value, pause_rating: f.pause_rating.get(),
      pause_step: f.pause_step.control.value, what_i_did: f.what_i_did.control.value,
      afterwards: f.afterwards.get(),
    };
  }
  function load(data) {
    f.date.control.value = data.date || state().today || "";
    for (const name of ["what_happened", "body", "pause_named", "pause_step", "what_i_did"]) {
      f[name].control.value = data[name] || "";
    }
    const words = state().feelings || [];
    if (data.feeling === "own" || (data.feeling && !words.includes(data.feeling))) {
      feelingSelect.value = "own";
      f.own_word.control.value = data.feeling === "own" ? (data.own_word || "") : data.feeling;
    } else {
      feelingSelect.value = data.feeling || "";
      f.own_word.control.value = data.own_word || "";
    }
    f.intensity.set(data.intensity ?? null);
    f.pause_rating.set(data.pause_rating ?? null);
    const paused = data.paused === true ? "yes" : data.paused === false ? "no" : data.paused;
    f.paused.set(paused ?? null);
    f.afterwards.set(data.afterwards ?? null);
    clearNotes();
    showParts();
  }
  function clearNotes() { for (const item of Object.values(f)) showNote(item, ""); }
  function blank() {
    const d = read();
    return !Object.entries(d).some(([k, v]) => k !== "date" && v !== null && v !== "");
  }

  // Drafts: what is typed is kept in the casebook (a second after the last key), so a
  // closed window or a stopped app loses nothing; a draft is never an entry until Save.
  let draftTimer = null;
  function keepDraft() {
    clearTimeout(draftTimer);
    draftTimer = setTimeout(() => {
      if (blank()) request("discard");
      else request("draft", { data: { ...read(), editing } });
    }, DRAFT_MS);
  }
  form.addEventListener("input", () => { if (!saving) { quiet(); keepDraft(); } });
  form.addEventListener("change", () => { showParts(); if (!saving) { quiet(); keepDraft(); } });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (saving) return;
    saving = true;
    saveButton.disabled = true;
    clearTimeout(draftTimer);
    say("Saving…", "ok");
    const reply = await request("save", { entry: read(), editing });
    saving = false;
    saveButton.disabled = false;
    clearNotes();
    if (reply.lost) { say(LOST, "error"); return; }
    if (!reply.ok) {
      for (const [name, text] of Object.entries(reply.errors || {})) {
        if (f[name]) showNote(f[name], text);
      }
      say(reply.message || "This was not saved.", "error");
      const first = Object.keys(reply.errors || {}).find((n) => f[n]);
      if (first) (f[first].control.querySelector?.("input") || f[first].control).focus();
      return;
    }
    stopEditing(false);
    say(reply.message, "ok");
  });

  function startEditing(entry) {
    editing = entry.id;
    load(entry);
    saveButton.textContent = "Save my changes";
    cancelButton.hidden = false;
    select("today", false);
    quiet();
    f.what_happened.control.focus();
  }
  function stopEditing(clearMessage) {
    editing = null;
    load({});
    saveButton.textContent = "Save my entry";
    cancelButton.hidden = true;
    if (clearMessage) { quiet(); request("discard"); }
  }

  function offerDraft() {
    const draft = state().draft;
    draftOffer.replaceChildren();
    if (!draft || !draft.data) { draftOffer.hidden = true; return; }
    draftOffer.hidden = false;
    draftOffer.append(
      h("p", { text: `You have an entry you did not finish (last typed ${draft.saved}).` }),
      h("div", { class: "wsj-actions" },
        h("button", { type: "button", class: "wsj-primary", text: "Keep writing it",
                      onclick: () => {
                        const data = draft.data;
                        if (data.editing) {
                          editing = data.editing;
                          saveButton.textContent = "Save my changes";
                          cancelButton.hidden = false;
                        }
                        load(data);
                        draftOffer.hidden = true;
                        f.what_happened.control.focus();
                      } }),
        h("button", { type: "button", class: "wsj-secondary", text: "Start fresh",
                      onclick: () => { request("discard"); draftOffer.hidden = true;
                                       f.what_happened.control.focus(); } })));
  }

  // -- My entries --------------------------------------------------------------------------
  const entriesList = h("div", { class: "wsj-list" });
  const printButton = h("button", { type: "button", class: "wsj-secondary",
                                    text: "Make a PDF of my week" });
  const download = h("p", { class: "wsj-download" });
  printButton.addEventListener("click", async () => {
    printButton.disabled = true;
    say("Making your pages…", "ok");
    const reply = await request("print", {}, PRINT_MS);
    printButton.disabled = false;
    if (reply.lost) { say(LOST.replace("This was not saved", "The pages were not made"), "error"); return; }
    if (!reply.ok) { say(reply.message, "error"); return; }
    download.replaceChildren(h("a", { href: `data:application/pdf;base64,${reply.data}`,
                                      download: reply.filename, class: "wsj-link",
                                      text: "Download my week (PDF)" }));
    say(reply.message, "ok");
  });
  panels.entries.append(h("h2", { class: "wsj-h2", text: "My entries" }),
                        h("p", { text: "The last four weeks, newest first." }), entriesList,
                        h("h3", { text: "Print my week" }),
                        h("p", { text: "Your entries from the last seven days, on the " +
                                       "feelings-journal pages." }), printButton, download);

  function drawEntries() {
    const entries = state().entries || [];
    entriesList.replaceChildren();
    if (!entries.length) {
      entriesList.append(h("p", { class: "wsj-empty", text: "No entries yet." }));
      return;
    }
    for (const entry of entries) {
      const strength = entry.intensity !== null && entry.intensity !== undefined
        ? ` (${entry.intensity} out of 10)` : "";
      const confirm = h("div", { class: "wsj-confirm", hidden: true });
      const del = h("button", { type: "button", class: "wsj-secondary",
                                "aria-label": `Delete the entry of ${entry.when}`, text: "Delete",
                                onclick: () => {
                                  confirm.hidden = false;
                                  confirm.querySelector("button").focus();
                                } });
      confirm.append(
        h("p", { text: "Delete this entry? It cannot be brought back." }),
        h("div", { class: "wsj-actions" },
          h("button", { type: "button", class: "wsj-danger", text: "Yes, delete it",
                        onclick: async () => {
                          say("Deleting…", "ok");
                          const reply = await request("delete", { entry_id: entry.id });
                          if (reply.lost) { say(LOST.replace("This was not saved", "The entry was not deleted"), "error"); return; }
                          say(reply.message, reply.ok ? "ok" : "error");
                          if (reply.ok) panels.entries.focus();
                        } }),
          h("button", { type: "button", class: "wsj-secondary", text: "Keep it",
                        onclick: () => { confirm.hidden = true; del.focus(); } })));
      entriesList.append(h("article", { class: "wsj-card" },
        h("h3", { class: "wsj-when", text: entry.when }),
        entry.feeling ? h("p", { class: "wsj-feeling", text: `${entry.feeling}${strength}` }) : null,
        entry.what_happened ? h("p", { class: "wsj-text", text: entry.what_happened }) : null,
        h("div", { class: "wsj-actions" },
          h("button", { type: "button", class: "wsj-secondary",
                        "aria-label": `Edit the entry of ${entry.when}`, text: "Edit",
                        onclick: () => startEditing(entry) }), del),
        confirm));
    }
  }

  // -- My ladder -----------------------------------------------------------------------------
  const ladderList = h("ol", { class: "wsj-ladder", reversed: true });
  panels.ladder.append(h("h2", { class: "wsj-h2", text: "My ladder" }),
                       h("p", { text: "Start at the bottom. When you have tried a step, " +
                                      "mark it here." }), ladderList);
  function drawLadder() {
    const rungs = (state().ladder || {}).rungs || [];
    ladderList.replaceChildren();
    if (!rungs.length) {
      ladderList.append(h("li", { class: "wsj-empty", text: "Your ladder has no steps yet." }));
      return;
    }
    for (const rung of rungs) {
      const tried = rung.tries ? `Tried ${rung.tries} time${rung.tries === 1 ? "" : "s"}; ` +
        `last ${rung.last}.` : "Not tried yet.";
      const dateF = field("When did I try it?", h("input", { type: "date", class: "wsj-input",
                                                               value: state().today,
                                                               max: state().today }));
      const upsetF = field("How upset was I afterwards? (0 to 100)",
                           h("input", { type: "number", class: "wsj-input", min: "0",
                                        max: "100", step: "5", inputmode: "numeric" }),
                           "Leave it empty if you are not sure.");
      const learnedF = field("What happened, and what did I learn?",
                             h("textarea", { class: "wsj-input", rows: "3" }));
      const tryForm = h("form", { class: "wsj-try", hidden: true, novalidate: true },
        dateF.box, upsetF.box, learnedF.box,
        h("div", { class: "wsj-actions" },
          h("button", { type: "submit", class: "wsj-primary", text: "Save this try" }),
          h("button", { type: "button", class: "wsj-secondary", text: "Not now",
                        onclick: () => { tryForm.hidden = true; open.focus(); } })));
      tryForm.addEventListener("input", quiet);
      tryForm.addEventListener("submit", async (event) => {
        event.preventDefault();
        for (const item of [dateF, upsetF, learnedF]) showNote(item, "");
        say("Saving…", "ok");
        const reply = await request("try", { attempt: { step_id: rung.id,
          date: dateF.control.value, distress_after: upsetF.control.value,
          learned: learnedF.control.value } });
        if (reply.lost) { say(LOST, "error"); return; }
        if (!reply.ok) {
          const map = { date: dateF, distress_after: upsetF, learned: learnedF };
          for (const [name, text] of Object.entries(reply.errors || {})) if (map[name]) showNote(map[name], text);
          say(reply.message, "error");
          return;
        }
        say(reply.message, "ok");
      });
      const open = h("button", { type: "button", class: "wsj-secondary",
                                 "aria-label": `I tried rung ${rung.number}: ${rung.step}`,
                                 text: "I tried this",
                                 onclick: () => { tryForm.hidden = false; dateF.control.focus(); } });
      ladderList.append(h("li", { class: `wsj-rung${rung.current ? " wsj-current" : ""}` },
        h("p", { class: "wsj-rung-title" }, h("strong", { text: `Rung ${rung.number}` }),
          rung.current ? h("span", { class: "wsj-badge", text: "my next step" }) : null),
        h("p", { class: "wsj-text", text: rung.step }),
        h("p", { class: "wsj-small", text: `Expected: ${rung.distress} out of 100. ${tried}` }),
        open, tryForm));
    }
  }

  // -- My goals ------------------------------------------------------------------------------
  const goalsBox = h("div");
  panels.goals.append(h("h2", { class: "wsj-h2", text: "My goals" }), goalsBox);
  function drawGoals() {
    const s = state(), goals = s.goals || {}, ladder = s.ladder || {};
    goalsBox.replaceChildren();
    if (ladder.current) {
      goalsBox.append(h("div", { class: "wsj-card wsj-current" },
        h("h3", { text: "My next step on the ladder" }),
        h("p", { class: "wsj-text", text: `Rung ${ladder.current.number}: ${ladder.current.step}` })));
    }
    if (goals.vision) {
      goalsBox.append(h("h3", { text: "What I am working toward" }),
                      h("p", { class: "wsj-text", text: goals.vision }));
    }
    if (!(goals.goals || []).length) {
      goalsBox.append(h("p", { class: "wsj-empty",
                               text: "No goals written down yet. You and your therapist " +
                                     "can add them together." }));
      return;
    }
    (goals.goals || []).forEach((goal, index) => {
      const steps = h("ul", { class: "wsj-steps" });
      for (const step of goal.steps || []) {
        steps.append(h("li", {}, step.done ? "Done: " : "", step.what,
                       step.by ? ` (by ${step.by})` : ""));
      }
      goalsBox.append(h("article", { class: "wsj-card" },
        h("h3", { text: `Goal ${index + 1}` }), h("p", { class: "wsj-text", text: goal.goal }),
        (goal.steps || []).length ? steps : null,
        goal.check_in ? h("p", { class: "wsj-small", text: `We check in: ${goal.check_in}` }) : null));
    });
  }

  // -- How it's going: trends ------------------------------------------------------------------
  const trendsBox = h("div");
  panels.trends.append(h("h2", { class: "wsj-h2", text: "How it's going" }), trendsBox);
  function drawTrends() {
    const t = state().trends || {};
    trendsBox.replaceChildren();
    if (!t.any) {
      trendsBox.append(h("p", { class: "wsj-empty", text: "No entries yet. When you have " +
        "written a few, you will see here how strong your feelings were, week by week." }));
      return;
    }
    const table = h("table", { class: "wsj-table" },
      h("caption", { text: "How strong my feelings were, week by week (0 to 10)" }),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Week of" }),
                      h("th", { scope: "col", text: "Average" }),
                      h("th", { scope: "col", text: "Entries" }))));
    const body = h("tbody");
    for (const week of t.weeks || []) {
      const none = week.entries ? "no strength noted" : "no entries";
      const bar = week.average === null ? h("span", { class: "wsj-none", text: none })
        : h("span", { class: "wsj-barrow" },
            h("span", { class: "wsj-bar", style: `width:${week.average * 10}%`,
                        "aria-hidden": "true" }),
            h("span", { text: String(week.average) }));
      body.append(h("tr", {}, h("th", { scope: "row", text: week.week }), h("td", {}, bar),
                    h("td", { text: String(week.entries) })));
    }
    table.append(body);
    trendsBox.append(table);
    if ((t.feelings || []).length) {
      const list = h("ul", { class: "wsj-steps" });
      for (const item of t.feelings) {
        list.append(h("li", { text: `${item.feeling}: ${item.count} time${item.count === 1 ? "" : "s"}` }));
      }
      trendsBox.append(h("h3", { text: "The feelings I wrote about most" }), list);
    }
  }

  // -- drawing from the state --------------------------------------------------------------------
  let first = true;
  function draw() {
    const s = state();
    if (s.error) {
      root.replaceChildren(h("header", { class: "wsj-header" }, title),
                           h("p", { class: "wsj-alert", role: "alert", text: s.error }));
      return;
    }
    const practice = s.practice ? ` · ${s.practice}` : "";
    document.title = `My journal${practice}`;
    practiceLine.textContent = s.practice || "";
    practiceLine.hidden = !s.practice;
    greeting.textContent = `Hi ${s.name || ""}. How was today?`;
    notice.querySelector(".wsj-crisis").textContent = s.crisis || "";
    f.date.control.max = s.today || "";
    fillFeelings();
    if (first) {
      first = false;
      load({});
      offerDraft();
    }
    if (s.warning) say(s.warning, "error");
    drawEntries();
    drawLadder();
    drawGoals();
    drawTrends();
  }
  model.on("change:state", draw);
  select("today", false);
  draw();
  request("hello");  // the kernel reads the casebook again for this page
  return () => model.off("msg:custom", onMessage);
}

export default { render };
