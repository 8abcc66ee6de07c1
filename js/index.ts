// anywidget entry point: render({ model, el }) draws the view from the kernel's `view` trait
// and re-draws whenever the kernel sends a new one.
import "./styles.css";
import type { AnyWidget } from "@anywidget/types";
import { pageBackground, setColorTheme } from "./colors";
import type { Traits, WidgetModel } from "./model";
import { renderMain } from "./views/main";
import { sentencePrefs } from "./views/sentence";

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
  let renders = 0;
  let teardownView: (() => void) | null = null;
  // The sentence view's mode, zoom, pin and draft outlive a redraw for a new layer or state.
  const prefs = sentencePrefs();

  const draw = (): void => {
    teardownView?.();
    teardownView = null;
    root.replaceChildren();
    // Zero is drawn as the page behind the widget: read it each time (the theme may change).
    setColorTheme(pageBackground(el));
    const payload = model.get("view");
    try {
      if (!payload) {
        showMessage(root, "Nothing to show yet: the analysis has not been computed.");
      } else if (payload.kind === "error") {
        showMessage(root, payload.message);
      } else {
        teardownView = renderMain(root, model, payload, prefs);
      }
    } catch (error) {
      root.replaceChildren();
      showMessage(root, `rnnvis could not draw this view: ${(error as Error).message}`);
    }
    renders += 1;
    root.dataset.renders = String(renders);
  };

  draw();
  model.on("change:view", draw);
  return () => {
    model.off("change:view", draw);
    teardownView?.();
    root.remove();
  };
}

// `satisfies`: a live kernel's AnyModel<Traits> must fit the WidgetModel render() asks for.
export default { render } satisfies AnyWidget<Traits>;
