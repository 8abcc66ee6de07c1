// anywidget entry point of the comparison widget (rnnvis_widget/view/comparison_widget.py):
// render({ model, el }) draws both sides from the `left_view` / `right_view` traits and redraws
// when either changes.
import "./styles.css";
import "./compare.css";
import { pageBackground, setColorTheme } from "./colors";
import type { AnyWidget } from "@anywidget/types";
import type { ComparisonModel, ComparisonTraits } from "./model";
import { renderComparison } from "./views/compare";

function showMessage(root: HTMLElement, message: string): void {
  const box = document.createElement("div");
  box.className = "rv-message";
  box.textContent = message;
  root.appendChild(box);
}

function render({ model, el }: { model: ComparisonModel; el: HTMLElement }): () => void {
  const root = document.createElement("div");
  root.className = "rnnvis rv-compare";
  el.appendChild(root);
  let renders = 0;
  let teardownView: (() => void) | null = null;

  const draw = (): void => {
    teardownView?.();
    teardownView = null;
    root.replaceChildren();
    // Zero is drawn as the page behind the widget: read it each time (the theme may change).
    setColorTheme(pageBackground(el));
    const views = [model.get("left_view"), model.get("right_view")];
    try {
      const failed = views.find((view) => view?.kind === "error");
      if (failed?.kind === "error") {
        showMessage(root, failed.message);
      } else if (views[0]?.kind === "main" && views[1]?.kind === "main") {
        teardownView = renderComparison(root, model, [views[0], views[1]]);
      } else {
        showMessage(root, "Nothing to show yet: the comparison has not been computed.");
      }
    } catch (error) {
      root.replaceChildren();
      showMessage(root, `rnnvis could not draw this comparison: ${(error as Error).message}`);
    }
    renders += 1;
    root.dataset.renders = String(renders);
  };

  draw();
  model.on("change:left_view", draw);
  model.on("change:right_view", draw);
  return () => {
    model.off("change:left_view", draw);
    model.off("change:right_view", draw);
    teardownView?.();
    root.remove();
  };
}

export default { render } satisfies AnyWidget<ComparisonTraits>;
