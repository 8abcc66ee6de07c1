// anywidget entry point: render({ model, el }) draws the view from the kernel's `view` trait
// and re-draws whenever the kernel sends a new one.
import "./styles.css";
import { renderControls } from "./controls";
import type { ViewPayload, WidgetModel } from "./model";
import { initialState, type AppState } from "./state";
import { Store } from "./store";
import { renderHeatmap } from "./views/heatmap";

function showMessage(root: HTMLElement, message: string): void {
  const box = document.createElement("div");
  box.className = "rv-message";
  box.textContent = message;
  root.appendChild(box);
}

function render({ model, el }: { model: WidgetModel; el: HTMLElement }): () => void {
  const root = document.createElement("div");
  root.className = "rnnvis";
  el.appendChild(root);
  const store = new Store<AppState>(initialState(model.get("selected_words") ?? []));
  let renders = 0;
  let teardownView: (() => void) | null = null;

  const intents = {
    toggleWord(word: string): void {
      const current = store.get().selectedWords;
      const next = current.includes(word) ? current.filter((w) => w !== word) : [...current, word].slice(-3);
      store.update({ selectedWords: next });
      model.set("selected_words", next);
      model.save_changes();
    },
  };

  const draw = (): void => {
    teardownView?.();
    teardownView = null;
    root.replaceChildren();
    const payload = model.get("view") as ViewPayload | null;
    try {
      if (!payload) {
        showMessage(root, "Nothing to show yet: the analysis has not been computed.");
      } else if (payload.kind === "error") {
        showMessage(root, payload.message);
      } else {
        renderControls(root, model, payload);
        teardownView = renderHeatmap(root, payload, store, intents);
      }
    } catch (error) {
      root.replaceChildren();
      showMessage(root, `rnnvis could not draw this view: ${(error as Error).message}`);
    }
    renders += 1;
    root.dataset.renders = String(renders);
  };

  const syncSelection = (): void => store.update({ selectedWords: model.get("selected_words") ?? [] });
  draw();
  model.on("change:view", draw);
  model.on("change:selected_words", syncSelection);
  return () => {
    model.off("change:view", draw);
    model.off("change:selected_words", syncSelection);
    teardownView?.();
    root.remove();
  };
}

export default { render };
