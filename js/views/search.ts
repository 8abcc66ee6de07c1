// The search box: finds any vocabulary word. A word the view draws is pinned at once and its
// cloud named; for any other the kernel says why it is not drawn (not in the vocabulary, too rare
// to be clustered, or not among the words shown, with the n_words that would show it).
import { visibleToken } from "../sentence_data";
import type { Clustering } from "../main_data";
import type { WidgetModel } from "../model";
import type { ViewContext } from "./context";

export function renderSearch(toolbar: HTMLElement, ctx: ViewContext, model: WidgetModel, live: boolean, clustering: () => Clustering | null): () => void {
  const { data, store, intents } = ctx;
  const box = document.createElement("label");
  box.className = "rv-search";
  box.textContent = "find ";
  const input = document.createElement("input");
  input.type = "search";
  input.className = "rv-search-text";
  input.placeholder = "a word";
  input.setAttribute("aria-label", "find a word of the vocabulary");
  const answer = document.createElement("span");
  answer.className = "rv-search-answer";
  answer.setAttribute("role", "status");
  box.append(input, answer);
  toolbar.appendChild(box);
  const index = new Map(data.words.map((word, i) => [word, i]));

  const say = (text: string, where: string): void => {
    answer.textContent = text;
    answer.dataset.where = where;
  };
  const find = (query: string): void => {
    const text = query.trim() || query;
    if (!text) return;
    const word = index.get(text);
    const shown = clustering();
    if (word !== undefined && shown) {
      if (!store.get().pinnedWords.includes(word)) intents.togglePin(word);
      const cluster = shown.wordCluster.data[word];
      say(
        cluster >= 0 ? `“${visibleToken(text)}” is in word cluster ${cluster} (seen ${data.counts.data[word]}×), pinned` : `“${visibleToken(text)}” is drawn but not clustered`,
        cluster >= 0 ? String(cluster) : "unclustered",
      );
      return;
    }
    if (!live) {
      say(`“${visibleToken(text)}” is not among the ${data.nWords} words saved in this snapshot`, "not-saved");
      return;
    }
    say(`looking up “${visibleToken(text)}”…`, "pending");
    model.set("word_query", text);
    model.save_changes();
  };
  input.addEventListener("keydown", (event) => {
    // Keys typed here are the box's own, never the notebook's shortcuts.
    event.stopPropagation();
    if (event.key === "Enter") find(input.value);
  });
  const onAnswer = (): void => {
    const reply = model.get("word_answer");
    if (reply) say(reply.message, reply.shown && reply.cluster !== null ? String(reply.cluster) : "not-drawn");
  };
  model.on("change:word_answer", onAnswer);
  return () => {
    model.off("change:word_answer", onAnswer);
    box.remove();
  };
}
