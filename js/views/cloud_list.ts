// Every word of one word cluster, strongest first: opened by a cloud's "+N more", so no word the
// clustering put there is out of reach because it did not fit the cloud. Words are text only;
// hovering one links it like a cloud word, clicking pins it.
import { visibleToken } from "../sentence_data";
import { PIN_COLORS, type AppState } from "../state";
import { fmt, type ClusterContext } from "./context";
import { cloudWords } from "./layout";

export function renderCloudList(panel: HTMLElement, ctx: ClusterContext): () => void {
  const { data, clustering, store, intents } = ctx;
  let shown: number | null = null;
  let items: { word: number; item: HTMLElement }[] = [];

  const build = (cluster: number | null): void => {
    shown = cluster;
    items = [];
    panel.replaceChildren();
    panel.classList.toggle("rv-hidden", cluster === null);
    panel.dataset.cluster = cluster === null ? "" : String(cluster);
    if (cluster === null) return;
    const words = cloudWords(clustering, cluster, Infinity);
    const head = document.createElement("div");
    head.className = "rv-panel-head";
    const title = document.createElement("span");
    title.className = "rv-heading";
    title.textContent = `Word cluster ${cluster}: all ${words.length} words, strongest first`;
    const close = document.createElement("button");
    close.className = "rv-cloud-list-close";
    close.textContent = "×";
    close.title = "close the list";
    close.addEventListener("click", () => intents.listCluster(null));
    head.append(title, close);
    const list = document.createElement("ol");
    list.className = "rv-cloud-list-words";
    for (const word of words) {
      const item = document.createElement("li");
      item.className = "rv-cloud-list-word";
      item.dataset.word = String(word);
      const text = document.createElement("span");
      text.textContent = visibleToken(data.words[word]);
      const strength = document.createElement("span");
      strength.className = "rv-hint";
      strength.textContent = ` ${fmt(clustering.wordStrength.data[word])} · seen ${data.counts.data[word]}×`;
      item.append(text, strength);
      item.addEventListener("mouseenter", () => intents.hoverWord(word));
      item.addEventListener("mouseleave", () => intents.hoverWord(null));
      item.addEventListener("click", () => intents.togglePin(word));
      list.appendChild(item);
      items.push({ word, item });
    }
    panel.append(head, list);
  };

  const paintPins = (state: AppState): void => {
    for (const { word, item } of items) {
      const pin = state.pinnedWords.indexOf(word);
      item.style.color = pin >= 0 ? PIN_COLORS[pin] : "";
      item.classList.toggle("rv-pinned", pin >= 0);
    }
  };

  const onState = (state: AppState, previous?: AppState): void => {
    if (state.listedCluster !== shown) build(state.listedCluster);
    if (!previous || state.pinnedWords !== previous.pinnedWords || state.listedCluster !== previous.listedCluster) paintPins(state);
  };
  build(store.get().listedCluster);
  paintPins(store.get());
  const unsubscribe = store.subscribe(onState);
  return () => {
    unsubscribe();
    panel.replaceChildren();
  };
}
