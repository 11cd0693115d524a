// "Explain with AI", the last section of the analysis panel. When the server has a model configured
// (api.llmStatus()), one button streams the answer; otherwise a small form takes a provider, a model
// and an API key. The key is kept only in this browser (localStorage "traceplay.llm") and sent only
// with the request. The answer is rendered as text: a light Markdown subset becomes elements built
// with textContent, never HTML. State lives in the store (aiText, aiStatus, aiError) so a stream
// survives the panel being re-mounted.

import { clear, h, rafThrottle } from "./panelkit.js";
import { parseBlocks } from "./logic/lightmd.js";

const STORAGE_KEY = "traceplay.llm";
const DEFAULT_PROVIDERS = ["groq", "gemini", "openai", "ollama"];
const MODEL_HINTS = {
  groq: "llama-3.3-70b-versatile",
  gemini: "gemini-2.5-flash",
  openai: "gpt-4o-mini",
  ollama: "llama3.2",
};

// one provider as the form needs it, from the server's description or a bare id
export function providerInfo(p) {
  if (typeof p === "string") {
    return { id: p, label: p, default_model: MODEL_HINTS[p] || null, needs_key: p !== "ollama", available: true };
  }
  const id = String(p.id);
  return {
    id,
    label: p.label ? String(p.label) : id,
    default_model: p.default_model || MODEL_HINTS[id] || null,
    needs_key: p.needs_key !== false,
    available: p.available !== false,
  };
}
const running = new WeakMap(); // store -> AbortController of the stream in flight

export function loadSettings() {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

function saveSettings(settings) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
  } catch {
    // private mode or full storage: the request still carries the key
  }
}

/** Stop the stream in flight for `store`, if any. */
export function cancelAI(store) {
  const controller = running.get(store);
  if (controller) controller.abort();
  running.delete(store);
}

function requestBody(state, extra) {
  // like the analysis request: the built-in by id while it is unedited, otherwise the flow itself
  const body = {
    trace: state.trace,
    variant: state.variant || (state.trace && state.trace.variant) || undefined,
  };
  if (state.scenarioId && (!state.flow || !state.edited)) body.template = state.scenarioId;
  else if (state.flow) body.flow = state.flow;
  return { ...body, ...extra };
}

async function explain(store, api, extra) {
  cancelAI(store);
  const controller = new AbortController();
  running.set(store, controller);
  store.set({ aiText: "", aiStatus: "streaming", aiError: null, aiModel: null });
  let text = "";
  let failed = null;
  try {
    await api.analyzeAI(
      requestBody(store.get(), extra),
      ({ event, data }) => {
        if (controller.signal.aborted) return;
        if (event === "delta" && data && typeof data.text === "string") {
          text += data.text;
          store.set({ aiText: text });
        } else if (event === "error") {
          failed = (data && data.error && data.error.message) || "The model answered with an error.";
        } else if (event === "done" && data) {
          store.set({ aiModel: [data.provider, data.model].filter(Boolean).join(" · ") || null });
        }
      },
      controller.signal,
    );
    if (controller.signal.aborted) return;
    store.set(failed ? { aiStatus: "error", aiError: failed } : { aiStatus: "done" });
  } catch (err) {
    if (controller.signal.aborted || (err && err.name === "AbortError")) {
      if (running.get(store) === controller || !running.has(store)) store.set({ aiStatus: "cancelled" });
      return;
    }
    store.set({ aiStatus: "error", aiError: (err && err.message) || "The AI request failed." });
  } finally {
    if (running.get(store) === controller) running.delete(store);
  }
}

/** Append the blocks of `text` (light Markdown) to `el` as elements. */
export function renderAnswer(el, text) {
  clear(el);
  for (const block of parseBlocks(text)) {
    if (block.type === "pre") {
      el.append(h("pre", { className: "ai-pre" }, h("code", { text: block.text })));
    } else if (block.type === "ul" || block.type === "ol") {
      const list = h(block.type);
      for (const item of block.items) list.append(inline(h("li"), item));
      el.append(list);
    } else if (block.type === "h") {
      el.append(inline(h("p", { className: "ai-h" }), block.inline));
    } else {
      el.append(inline(h("p"), block.inline));
    }
  }
}

function inline(el, runs) {
  for (const run of runs) {
    if (run.type === "strong") el.append(h("strong", { text: run.text }));
    else if (run.type === "code") el.append(h("code", { text: run.text }));
    else el.append(document.createTextNode(run.text));
  }
  return el;
}

/** Build the AI section into `el`; returns {update(state, prev), destroy()}. */
export function AiExplain(el, store, api) {
  let status = null; // from api.llmStatus(); null until known
  const settings = loadSettings();

  const intro = h("p", {
    className: "ai-intro",
    text: "A language model reads this trace and the findings above and explains them in plain words. The rule-based analysis above does not need it.",
  });
  const using = h("p", { className: "ai-using" });
  const run = h("button", {
    className: "ai-run",
    text: "Explain with AI",
    attrs: { type: "button", "data-testid": "ai-explain" },
  });
  const cancel = h("button", {
    className: "ai-cancel",
    text: "Stop",
    attrs: { type: "button", "data-testid": "ai-cancel" },
  });
  const provider = h("select", { attrs: { name: "provider", "data-testid": "ai-provider" } });
  const model = h("input", {
    attrs: {
      name: "model",
      type: "text",
      autocomplete: "off",
      spellcheck: "false",
      "data-testid": "ai-model",
    },
  });
  const key = h("input", {
    attrs: {
      name: "api_key",
      type: "password",
      autocomplete: "off",
      spellcheck: "false",
      "data-testid": "ai-key",
    },
  });
  const forget = h("button", { className: "ai-forget", text: "Forget key", attrs: { type: "button" } });
  const submit = h("button", {
    className: "ai-run",
    text: "Explain with AI",
    attrs: { type: "submit", "data-testid": "ai-submit" },
  });
  const field = (label, input) => h("label", { className: "ai-field" }, h("span", { text: label }), input);
  const form = h(
    "form",
    { className: "ai-form", attrs: { "data-testid": "ai-form", "aria-label": "AI provider settings" } },
    h("p", {
      className: "ai-note",
      text: "No model is configured on the server. Choose a provider and paste an API key: it is kept only in this browser (localStorage) and sent only with this request. Ollama runs locally and needs no key.",
    }),
    h(
      "div",
      { className: "ai-fields" },
      field("Provider", provider),
      field("Model", model),
      field("API key", key),
    ),
    h("div", { className: "ai-actions" }, submit, forget),
  );
  const output = h("div", {
    className: "ai-out",
    attrs: { "aria-live": "polite", "data-testid": "ai-output" },
  });
  const caret = h("span", { className: "ai-caret", attrs: { "aria-hidden": "true" } });
  const state = h("p", { className: "ai-state", attrs: { "data-testid": "ai-state" } });
  const error = h("p", { className: "ai-error", attrs: { role: "alert", "data-testid": "ai-error" } });
  const controls = h("div", { className: "ai-actions" }, run, cancel);
  el.append(
    h("h4", { className: "an-h", text: "Explain with AI" }),
    intro,
    using,
    controls,
    form,
    error,
    state,
    output,
  );

  // list: the server's providers ({id, label, default_model, needs_key, available}) or plain ids
  let known = new Map();
  function fillProviders(list) {
    const usable = list.map(providerInfo).filter((p) => p.available);
    known = new Map(usable.map((p) => [p.id, p]));
    clear(provider);
    for (const p of usable) provider.append(h("option", { text: p.label, attrs: { value: p.id } }));
    provider.value = known.has(settings.provider) ? settings.provider : usable[0].id;
    model.value = settings.model || "";
    key.value = settings.api_key || "";
    hintModel();
  }
  function needsKey() {
    const p = known.get(provider.value);
    return p ? p.needs_key : true;
  }
  function hintModel() {
    const p = known.get(provider.value);
    model.placeholder = (p && p.default_model) || "model name";
    key.placeholder = needsKey() ? "paste your API key" : "not needed for this provider";
  }
  provider.addEventListener("change", hintModel);
  fillProviders(DEFAULT_PROVIDERS);

  run.addEventListener("click", () => explain(store, api, {}));
  cancel.addEventListener("click", () => cancelAI(store));
  forget.addEventListener("click", () => {
    key.value = "";
    try {
      localStorage.removeItem(STORAGE_KEY);
    } catch {
      // nothing stored
    }
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const chosen = { provider: provider.value, model: model.value.trim() || undefined };
    const apiKey = key.value.trim();
    if (!apiKey && needsKey()) {
      const label = (known.get(provider.value) || { label: provider.value }).label;
      store.set({
        aiStatus: "error",
        aiError: `Paste an API key for ${label} first (or pick Ollama, which runs locally).`,
      });
      key.focus();
      return;
    }
    saveSettings({ ...chosen, api_key: apiKey || undefined });
    explain(store, api, { ...chosen, api_key: apiKey || undefined });
  });

  const paint = rafThrottle(() => {
    const s = store.get();
    renderAnswer(output, s.aiText || "");
    if (s.aiStatus === "streaming") (output.lastElementChild || output).append(caret);
  });

  function update(s, prev) {
    const configured = !!(status && status.configured);
    const hasTrace = !!s.trace;
    const busy = s.aiStatus === "streaming";
    using.hidden = !configured;
    if (configured)
      using.textContent = `Server model: ${[status.provider, status.model].filter(Boolean).join(" · ")}`;
    controls.hidden = !configured && !busy;
    run.hidden = !configured || busy;
    run.disabled = !hasTrace;
    cancel.hidden = !busy;
    form.hidden = configured || busy || status === null;
    submit.disabled = !hasTrace;
    error.hidden = s.aiStatus !== "error";
    error.textContent =
      s.aiStatus === "error" ? `The AI explanation failed: ${s.aiError || "unknown error"}` : "";
    const words = {
      streaming: "Thinking… the answer appears as it is written.",
      cancelled: "Stopped. What arrived so far is kept below.",
      done: s.aiModel ? `Answered by ${s.aiModel}.` : "",
    };
    state.textContent = words[s.aiStatus] || "";
    state.hidden = !state.textContent;
    el.classList.toggle("is-streaming", busy);
    if (!prev || s.aiText !== prev.aiText || s.aiStatus !== prev.aiStatus) paint();
    output.hidden = !s.aiText && !busy;
  }

  let alive = true;
  Promise.resolve()
    .then(() => api.llmStatus())
    .then((value) => {
      status = value || { configured: false };
      if (Array.isArray(status.providers) && status.providers.length) fillProviders(status.providers);
    })
    .catch(() => {
      status = { configured: false }; // no status route or no server model: offer the form
    })
    .finally(() => alive && update(store.get(), null));

  update(store.get(), null);
  return {
    update,
    destroy() {
      alive = false;
    },
  };
}
